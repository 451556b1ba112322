import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../core/config/parse.ts';
import { AccessDenied, SourceGone } from '../../../../core/errors.ts';
import { ROLE_ARN_ENV, roleArnOf, withGrantAdvice } from '../../../../functions/shared/grant-advice.ts';

const ROLE = 'arn:aws:iam::111122223333:role/relay-verify';
const RAW_TARGET = { bucket: 'dst-bucket', region: 'eu-west-1', account: '222233334444' };
const CONFIG = parseConfig(
  {
    sources: [
      {
        bucket: 'src-bucket',
        region: 'us-west-2',
        rules: [{ name: 'r', prefix: 'b/', suffix: '.zip', targets: [RAW_TARGET] }],
      },
    ],
  },
  'test',
);
const TARGET = CONFIG.sources[0]!.rules[0]!.targets[0]!;
const SOURCE = {
  bucket: 'src-bucket',
  key: 'b/web.zip',
  region: 'us-west-2',
  etag: 'abc',
  size: 1,
};
const DENIED = new AccessDenied(
  's3:HeadObject (s3://dst-bucket/b/web.zip) failed with AccessDenied (HTTP 403): …',
  {
    operation: 's3:HeadObject',
    side: 'target',
    bucket: 'dst-bucket',
    request: 's3:HeadObject (s3://dst-bucket/b/web.zip) failed with AccessDenied (HTTP 403)',
  },
);

describe('withGrantAdvice', () => {
  it('rethrows a denial on a target in another account with the bucket policy statement the role lacks', async () => {
    // Act
    const run = withGrantAdvice(
      'verify-copy',
      { source: SOURCE, target: TARGET },
      { roleArn: ROLE, loadConfig: async () => CONFIG },
      async () => {
        throw DENIED;
      },
    );

    // Assert
    await expect(run).rejects.toThrow(
      /"Sid":"ArtifactRelayVerifyCopyBucket1".*"Resource":\["arn:aws:s3:::dst-bucket\/b\/\*\.zip"\]/,
    );
  });

  it('passes other errors, and denials when the role ARN names no account, unchanged', async () => {
    // Arrange
    const gone = new SourceGone('gone');

    // Act
    const other = withGrantAdvice(
      'verify-copy',
      { source: SOURCE, target: TARGET },
      { roleArn: ROLE },
      async () => {
        throw gone;
      },
    );
    const notARole = withGrantAdvice(
      'verify-copy',
      { source: SOURCE, target: TARGET },
      { roleArn: 'arn:aws:sts::111122223333:assumed-role/relay/session' },
      async () => {
        throw DENIED;
      },
    );

    // Assert
    await expect(other).rejects.toBe(gone);
    await expect(notARole).rejects.toBe(DENIED);
  });

  it('reads the role ARN from the environment when the deps give none', () => {
    // Act / Assert
    expect(roleArnOf({}, { [ROLE_ARN_ENV]: ROLE })).toBe(ROLE);
    expect(roleArnOf({ roleArn: 'arn:aws:iam::1:role/x' }, { [ROLE_ARN_ENV]: ROLE })).toBe(
      'arn:aws:iam::1:role/x',
    );
    expect(roleArnOf({}, {})).toBeUndefined();
  });
});
