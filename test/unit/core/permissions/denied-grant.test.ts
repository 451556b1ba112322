import { S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { classifyAwsError } from '../../../../core/classify-aws-error.ts';
import { parseConfig } from '../../../../core/config/parse.ts';
import type { TargetConfig } from '../../../../core/config/schema.ts';
import { AccessDenied } from '../../../../core/errors.ts';
import { CROSS_ACCOUNT_COMMAND, explainDeniedTarget } from '../../../../core/permissions/denied-grant.ts';

const RELAY = '111122223333';
const OTHER = '222233334444';
const ROLE = `arn:aws:iam::${RELAY}:role/relay-copy`;
const KEY = `arn:aws:kms:eu-west-1:${OTHER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const SOURCE = { bucket: 'src-bucket', region: 'us-west-2' };

function config(target: Record<string, unknown>) {
  return parseConfig(
    {
      sources: [{ ...SOURCE, rules: [{ name: 'r', prefix: 'builds/', suffix: '.zip', targets: [target] }] }],
    },
    'test',
  );
}

function targetOf(target: Record<string, unknown>): TargetConfig {
  const parsed = config(target).sources[0]?.rules[0]?.targets[0];
  if (parsed === undefined) throw new Error('no target');
  return parsed;
}

function denied(operation: string, bucket = 'dst-bucket'): AccessDenied {
  const err = new S3ServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    message: 'message text that must not matter',
    $metadata: { httpStatusCode: 403 },
  });
  const classified = classifyAwsError(err, { operation, side: 'target', bucket, key: 'builds/web.zip' });
  if (!(classified instanceof AccessDenied)) throw new Error('not AccessDenied');
  return classified;
}

describe('explainDeniedTarget', () => {
  it("names the target bucket's account and the bucket policy statement the role lacks, filled in", () => {
    // Arrange
    const raw = { bucket: 'dst-bucket', region: 'eu-west-1', account: OTHER };

    // Act
    const explained = explainDeniedTarget(denied('s3:CopyObject'), {
      role: 'copy-object',
      roleArn: ROLE,
      target: targetOf(raw),
      source: SOURCE,
      config: config(raw),
    });

    // Assert
    expect(explained).toBeInstanceOf(AccessDenied);
    expect(explained?.message).toContain(
      's3:CopyObject (s3://dst-bucket/builds/web.zip) failed with AccessDenied',
    );
    expect(explained?.message).toContain(`belongs to account ${OTHER}, not the relay's (${RELAY})`);
    expect(explained?.message).toContain(
      `{"Sid":"ArtifactRelayCopyObjectBucket1","Effect":"Allow","Principal":{"AWS":"${ROLE}"},"Action":["s3:PutObject",`,
    );
    expect(explained?.message).toContain('"Resource":["arn:aws:s3:::dst-bucket/builds/*.zip"]');
    expect(explained?.message).toContain(CROSS_ACCOUNT_COMMAND);
    expect(explained?.awsCode).toBe('AccessDenied');
  });

  it('gives only the statement that covers the denied request', () => {
    // Arrange
    const raw = { bucket: 'dst-bucket', region: 'eu-west-1', account: OTHER };

    // Act
    const explained = explainDeniedTarget(denied('s3:ListMultipartUploads'), {
      role: 'copy-object',
      roleArn: ROLE,
      target: targetOf(raw),
      source: SOURCE,
      config: config(raw),
    });

    // Assert
    expect(explained?.message).toContain('"Action":["s3:ListBucketMultipartUploads"]');
    expect(explained?.message).not.toContain('s3:PutObject');
  });

  it("adds the key policy statement when the target's key belongs to another account and the request uses it", () => {
    // Arrange
    const raw = {
      bucket: 'dst-bucket',
      region: 'eu-west-1',
      account: OTHER,
      encryption: { type: 'aws:kms', kmsKeyArn: KEY },
    };

    // Act
    const explained = explainDeniedTarget(denied('s3:CopyObject'), {
      role: 'copy-object',
      roleArn: ROLE,
      target: targetOf(raw),
      source: SOURCE,
      config: config(raw),
    });

    // Assert
    expect(explained?.message).toContain(`the target key ${KEY} belongs to account ${OTHER}`);
    expect(explained?.message).toContain('"kms:ViaService":"s3.eu-west-1.amazonaws.com"');
  });

  it('computes the statement for the target alone when the configuration is not at hand, and says so', () => {
    // Arrange
    const raw = { bucket: 'dst-bucket', region: 'eu-west-1', account: OTHER };

    // Act
    const explained = explainDeniedTarget(denied('s3:CopyObject'), {
      role: 'copy-object',
      roleArn: ROLE,
      target: { ...targetOf(raw), sourcePrefix: 'builds/' },
      source: SOURCE,
    });

    // Assert
    expect(explained?.message).toContain('"Resource":["arn:aws:s3:::dst-bucket/builds/*"]');
    expect(explained?.message).toContain('computed for this target');
  });

  it('leaves a denial on a target of the relay’s own account, or on the source, alone', () => {
    // Arrange
    const own = { bucket: 'dst-bucket', region: 'eu-west-1', account: RELAY };
    const other = { bucket: 'dst-bucket', region: 'eu-west-1', account: OTHER };

    // Act
    const ownTarget = explainDeniedTarget(denied('s3:CopyObject'), {
      role: 'copy-object',
      roleArn: ROLE,
      target: targetOf(own),
      source: SOURCE,
      config: config(own),
    });
    const onSource = explainDeniedTarget(denied('s3:CopyObject', 'src-bucket'), {
      role: 'copy-object',
      roleArn: ROLE,
      target: targetOf(other),
      source: SOURCE,
      config: config(other),
    });

    // Assert
    expect(ownTarget).toBeUndefined();
    expect(onSource).toBeUndefined();
  });
});
