import { describe, expect, it } from 'vitest';
import {
  bucketNameProblem,
  isAccountId,
  isBucketName,
  isRegion,
  parseKmsKeyArn,
} from '../../../core/aws-names.ts';

describe('AWS names', () => {
  it.each(['abc', 'build-artifacts-oregon', 'a.b.c', '1bucket9', 'x'.repeat(63)])(
    'accepts the bucket name %s',
    (name) => {
      // Arrange / Act / Assert
      expect(isBucketName(name)).toBe(true);
    },
  );

  it.each([
    ['ab', '3 to 63'],
    ['x'.repeat(64), '3 to 63'],
    ['Upper', 'lowercase'],
    ['under_score', 'lowercase'],
    ['-start', 'begin and end'],
    ['end.', 'begin and end'],
    ['a..b', 'two adjacent periods'],
    ['10.0.0.1', 'IP address'],
    ['xn--bucket', 'prefix "xn--"'],
    ['sthree-bucket', 'prefix "sthree-"'],
    ['amzn-s3-demo-bucket', 'prefix "amzn-s3-demo-"'],
    ['bucket-s3alias', 'suffix "-s3alias"'],
    ['bucket--ol-s3', 'suffix "--ol-s3"'],
    ['bucket.mrap', 'suffix ".mrap"'],
    ['bucket--x-s3', 'suffix "--x-s3"'],
  ])('refuses the bucket name %s (%s)', (name, expected) => {
    // Arrange / Act
    const problem = bucketNameProblem(name);

    // Assert
    expect(problem).toContain(expected);
  });

  it.each([
    'us-west-2',
    'ap-northeast-2',
    'eu-central-1',
    'us-gov-west-1',
    'cn-north-1',
    'us-isob-east-1',
    'mx-central-1',
  ])('accepts the region %s', (region) => {
    // Arrange / Act / Assert
    expect(isRegion(region)).toBe(true);
  });

  it.each(['oregon', 'us-west', 'US-WEST-2', 'us-west-2a', ''])('refuses the region %s', (region) => {
    // Arrange / Act / Assert
    expect(isRegion(region)).toBe(false);
  });

  it('accepts 12-digit account ids only', () => {
    // Arrange / Act / Assert
    expect(isAccountId('000000000000')).toBe(true);
    expect(isAccountId('12345678901')).toBe(false);
    expect(isAccountId('12345678901a')).toBe(false);
  });

  it('splits KMS key and alias ARNs', () => {
    // Arrange / Act
    const key = parseKmsKeyArn(
      'arn:aws:kms:ap-northeast-2:000000000000:key/5d2f7c1e-8a4b-4e39-9c61-0b7a3e2d4f18',
    );
    const alias = parseKmsKeyArn('arn:aws-cn:kms:cn-north-1:111122223333:alias/relay/web');

    // Assert
    expect(key).toEqual({
      partition: 'aws',
      region: 'ap-northeast-2',
      account: '000000000000',
      resource: 'key/5d2f7c1e-8a4b-4e39-9c61-0b7a3e2d4f18',
    });
    expect(alias).toEqual({
      partition: 'aws-cn',
      region: 'cn-north-1',
      account: '111122223333',
      resource: 'alias/relay/web',
    });
  });

  it.each([
    '5d2f7c1e-8a4b-4e39-9c61-0b7a3e2d4f18',
    'alias/web',
    'arn:aws:s3:::bucket',
    'arn:aws:kms:ap-northeast-2:0000:key/abc',
    'arn:aws:kms:nowhere:000000000000:key/abc',
  ])('refuses %s as a KMS key ARN', (arn) => {
    // Arrange / Act / Assert
    expect(parseKmsKeyArn(arn)).toBeUndefined();
  });
});
