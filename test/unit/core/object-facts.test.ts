import type { HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { describeHead } from '../../../core/object-facts.ts';

function head(fields: Partial<HeadObjectCommandOutput>): HeadObjectCommandOutput {
  return { $metadata: {}, ...fields };
}

describe('describeHead', () => {
  it('reads size, the unquoted ETag, the version and a full-object checksum', () => {
    // Arrange
    const answer = head({
      ContentLength: 5,
      ETag: '"5d41402abc4b2a76b9719d911017c592"',
      VersionId: 'v1',
      ChecksumCRC64NVME: 'M3eFcAZSQlc=',
      ChecksumType: 'FULL_OBJECT',
      ServerSideEncryption: 'AES256',
    });

    // Act
    const facts = describeHead(answer);

    // Assert
    expect(facts).toMatchObject({
      size: 5,
      etag: '5d41402abc4b2a76b9719d911017c592',
      versionId: 'v1',
      checksum: { algorithm: 'CRC64NVME', value: 'M3eFcAZSQlc=', type: 'FULL_OBJECT' },
      encryption: { type: 'SSE-S3' },
    });
    expect(facts.partCount).toBeUndefined();
  });

  it('reads a multipart object: the part count from the -N ETag and a composite checksum', () => {
    // Arrange
    const answer = head({ ContentLength: 40, ETag: '"abc-5"', ChecksumSHA256: 'c2hh-5' });

    // Act
    const facts = describeHead(answer);

    // Assert
    expect(facts.partCount).toBe(5);
    expect(facts.checksum).toEqual({ algorithm: 'SHA256', value: 'c2hh-5', type: 'COMPOSITE' });
  });

  it('reads SSE-KMS with its key, and SSE-C from the customer algorithm', () => {
    // Arrange
    const kms = head({
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: 'arn:aws:kms:us-west-2:111122223333:key/k',
    });
    const customer = head({ ServerSideEncryption: 'AES256', SSECustomerAlgorithm: 'AES256' });

    // Act
    const [kmsFacts, customerFacts] = [describeHead(kms), describeHead(customer)];

    // Assert
    expect(kmsFacts.encryption).toEqual({
      type: 'aws:kms',
      kmsKeyId: 'arn:aws:kms:us-west-2:111122223333:key/k',
    });
    expect(customerFacts.encryption).toEqual({ type: 'SSE-C' });
  });

  it('keeps user metadata and the content headers a copy restates', () => {
    // Arrange
    const answer = head({
      Metadata: { build: '42' },
      ContentType: 'application/zip',
      CacheControl: 'no-cache',
      ContentDisposition: 'attachment',
      ContentEncoding: 'gzip',
      ContentLanguage: 'en',
    });

    // Act
    const facts = describeHead(answer);

    // Assert
    expect(facts).toMatchObject({
      metadata: { build: '42' },
      contentType: 'application/zip',
      cacheControl: 'no-cache',
      contentDisposition: 'attachment',
      contentEncoding: 'gzip',
      contentLanguage: 'en',
    });
  });
});
