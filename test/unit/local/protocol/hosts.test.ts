import { describe, expect, it } from 'vitest';
import {
  HostAllowList,
  hostName,
  InvalidAllowedHostError,
  isAwsServiceName,
  normalizeAllowedHost,
} from '../../../../local/protocol/hosts.ts';

describe('hostName', () => {
  it.each([
    ['127.0.0.1:4566', '127.0.0.1'],
    ['LocalHost:4566', 'localhost'],
    ['[::1]:4566', '[::1]'],
    ['[::1]', '[::1]'],
    ['bucket.s3.eu-west-1.localhost', 'bucket.s3.eu-west-1.localhost'],
    [' attacker.example:80 ', 'attacker.example'],
    [undefined, ''],
  ])('reads %j as %j', (header, expected) => {
    // Act
    const name = hostName(header);

    // Assert
    expect(name).toBe(expected);
  });
});

describe('isAwsServiceName', () => {
  it.each([
    's3.amazonaws.com',
    'my-bucket.s3.amazonaws.com',
    'my.dotted.bucket.s3.eu-west-1.amazonaws.com',
    's3.ap-northeast-2.amazonaws.com',
    'my-bucket.s3.dualstack.us-west-2.amazonaws.com',
    'my-bucket.s3.cn-north-1.amazonaws.com.cn',
    'states.us-west-2.amazonaws.com',
    'codedeploy.us-gov-west-1.amazonaws.com',
  ])('accepts %s', (name) => {
    // Act
    const accepted = isAwsServiceName(name);

    // Assert
    expect(accepted).toBe(true);
  });

  it.each([
    'amazonaws.com',
    'attacker.example',
    'bucket.s3.attacker.example',
    's3.amazonaws.com.attacker.example',
    'evil-amazonaws.com',
    'bucket.s3.not-a-region.amazonaws.com',
    'states.amazonaws.com',
    'x.states.us-west-2.amazonaws.com',
    'ec2.us-west-2.amazonaws.com',
    'bucket_.s3.amazonaws.com',
  ])('rejects %s', (name) => {
    // Act
    const accepted = isAwsServiceName(name);

    // Assert
    expect(accepted).toBe(false);
  });
});

describe('normalizeAllowedHost', () => {
  it.each([
    ['Host.Docker.Internal', 'host.docker.internal'],
    ['*.dev.example', '*.dev.example'],
    ['192.168.1.20', '192.168.1.20'],
    ['::1', '[::1]'],
    ['[fe80::1]', '[fe80::1]'],
  ])('keeps %s as %s', (value, expected) => {
    // Act
    const name = normalizeAllowedHost(value);

    // Assert
    expect(name).toBe(expected);
  });

  it.each(['', '*', '*.', 'a..b', 'host:4566', 'http://host', 'bad_name', '-lead.example', 'a*.example'])(
    'refuses %j',
    (value) => {
      // Act
      const name = normalizeAllowedHost(value);

      // Assert
      expect(name).toBeUndefined();
    },
  );
});

describe('HostAllowList', () => {
  it.each([
    '127.0.0.1',
    '127.42.0.9',
    '[::1]',
    '[::ffff:127.0.0.1]',
    'localhost',
    'bucket.localhost',
    'bucket.s3.eu-west-1.localhost',
    'bucket.s3.eu-west-1.amazonaws.com',
  ])('serves %s without being told', (name) => {
    // Arrange
    const hosts = new HostAllowList();

    // Act
    const allowed = hosts.allows(name);

    // Assert
    expect(allowed).toBe(true);
  });

  it.each([
    '',
    'attacker.example',
    '0.0.0.0',
    '10.0.0.5',
    '[::2]',
    '127.1',
    'localhost.attacker.example',
    'host.docker.internal',
  ])('refuses %j by default', (name) => {
    // Arrange
    const hosts = new HostAllowList();

    // Act
    const allowed = hosts.allows(name);

    // Assert
    expect(allowed).toBe(false);
  });

  it('serves names the user allows, exactly or by suffix, and nothing more', () => {
    // Arrange
    const hosts = new HostAllowList(['Host.Docker.Internal', '*.dev.example', '192.168.1.20']);

    // Act / Assert
    expect(hosts.allows('host.docker.internal')).toBe(true);
    expect(hosts.allows('bucket.dev.example')).toBe(true);
    expect(hosts.allows('a.b.dev.example')).toBe(true);
    expect(hosts.allows('192.168.1.20')).toBe(true);
    expect(hosts.allows('dev.example')).toBe(false);
    expect(hosts.allows('evildev.example')).toBe(false);
    expect(hosts.allows('docker.internal')).toBe(false);
  });

  it('refuses to allow a name that is not one, saying what is accepted', () => {
    // Act
    const act = (): HostAllowList => new HostAllowList(['good.example', 'bad name']);

    // Assert
    expect(act).toThrow(InvalidAllowedHostError);
    expect(act).toThrow(/'bad name' cannot be allowed as a Host: use a host name/);
  });
});
