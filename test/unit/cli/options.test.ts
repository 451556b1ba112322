import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  collectAllowedHost,
  parseEndpointUrl,
  parseExecutionStatus,
  parsePort,
  parseS3Url,
  parseSince,
  positiveInteger,
} from '../../../cli/options.ts';

describe('CLI option parsers', () => {
  it('reads --since as a duration back from now or an ISO date', () => {
    // Arrange
    const now = new Date('2026-11-24T12:00:00Z');

    // Act / Assert
    expect(parseSince('24h', now).toISOString()).toBe('2026-11-23T12:00:00.000Z');
    expect(parseSince('30m', now).toISOString()).toBe('2026-11-24T11:30:00.000Z');
    expect(parseSince('2w', now).toISOString()).toBe('2026-11-10T12:00:00.000Z');
    expect(parseSince('2026-11-01T08:00:00Z', now).toISOString()).toBe('2026-11-01T08:00:00.000Z');
  });

  it('rejects a --since that is neither, saying what is allowed', () => {
    // Act / Assert
    expect(() => parseSince('yesterday')).toThrow(/not a duration \(e\.g\. 30m, 24h, 7d\) or an ISO date/);
    expect(() => parseSince('2026-13-45')).toThrow(InvalidArgumentError);
  });

  it('splits an S3 URL into bucket and key or prefix', () => {
    // Act / Assert
    expect(parseS3Url('s3://bucket/a/b c.zip')).toEqual({ bucket: 'bucket', key: 'a/b c.zip' });
    expect(parseS3Url('s3://bucket')).toEqual({ bucket: 'bucket', key: '' });
    expect(() => parseS3Url('bucket/key')).toThrow(/is not an S3 URL: write s3:\/\/bucket\/key/);
  });

  it('accepts execution statuses in any case', () => {
    // Act / Assert
    expect(parseExecutionStatus('failed')).toBe('FAILED');
    expect(parseExecutionStatus('timed-out')).toBe('TIMED_OUT');
    expect(() => parseExecutionStatus('broken')).toThrow(/use one of RUNNING, SUCCEEDED, FAILED/);
  });

  it('bounds whole numbers and ports', () => {
    // Act / Assert
    expect(positiveInteger(10)('3')).toBe(3);
    expect(() => positiveInteger(10)('0')).toThrow(/from 1 to 10/);
    expect(() => positiveInteger(10)('2.5')).toThrow(InvalidArgumentError);
    expect(parsePort('0')).toBe(0);
    expect(() => parsePort('65536')).toThrow(/0 to 65535/);
  });

  it('takes http(s) endpoints only, without a trailing slash', () => {
    // Act / Assert
    expect(parseEndpointUrl('http://127.0.0.1:4566/')).toBe('http://127.0.0.1:4566');
    expect(() => parseEndpointUrl('127.0.0.1:4566')).toThrow(/write e\.g\. http:\/\/127\.0\.0\.1:4566/);
  });

  it('collects repeated --allow-host names in their canonical form', () => {
    // Act
    const first = collectAllowedHost('Host.Docker.Internal', undefined);
    const both = collectAllowedHost('*.dev.example', first);

    // Assert
    expect(both).toEqual(['host.docker.internal', '*.dev.example']);
  });

  it('rejects an --allow-host that is not a host name, saying what is allowed', () => {
    // Act / Assert
    expect(() => collectAllowedHost('http://evil', [])).toThrow(InvalidArgumentError);
    expect(() => collectAllowedHost('a b', [])).toThrow(/'a b' cannot be allowed as a Host: use a host name/);
  });
});
