import { DeleteObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AccessDenied, InvalidInput, TransientAwsError } from '../../../../core/errors.ts';
import { buildReplicaMetadata } from '../../../../core/replica-metadata.ts';
import type { DeletedSource, DeleteTaskInput } from '../../../../core/workflow-delete.ts';
import { createDeleteReplicaHandler } from '../../../../functions/delete-replica/index.ts';
import { awsError, regionalS3Clients, TARGET } from '../fixtures.ts';

const DELETED: DeletedSource = {
  bucket: 'build-artifacts-oregon',
  key: 'build_artifacts/web.zip',
  region: 'us-west-2',
  deletion: 'permanent',
  sequencer: '0062E99A88DC407480',
  eventTime: '2024-05-14T11:02:31Z',
};

/** The metadata of a replica of the deleted source made from an upload with `sequencer`. */
function replicaOf(sequencer: string, overrides: { bucket?: string; key?: string; versionId?: string } = {}) {
  return buildReplicaMetadata({
    bucket: overrides.bucket ?? DELETED.bucket,
    key: overrides.key ?? DELETED.key,
    etag: 'source-etag',
    sequencer,
    ...(overrides.versionId === undefined ? {} : { versionId: overrides.versionId }),
  });
}

function input(source: Partial<DeletedSource> = {}): DeleteTaskInput {
  return { source: { ...DELETED, ...source }, target: TARGET };
}

describe('DeleteReplica', () => {
  const { clients, s3ClientFor } = regionalS3Clients(['us-west-2', 'ap-northeast-2']);
  const target = mockClient(clients.get('ap-northeast-2')!);
  const run = createDeleteReplicaHandler({ s3ClientFor });

  beforeEach(() => {
    target.reset();
  });

  it('deletes the relay replica of the deleted source conditionally on the ETag it just read', async () => {
    // Arrange
    target
      .on(HeadObjectCommand)
      .resolves({ ETag: '"replica-etag"', Metadata: replicaOf('0062E99A88DC407460') });
    target.on(DeleteObjectCommand).resolves({});

    // Act
    const result = await run(input());

    // Assert
    expect(result).toMatchObject({
      status: 'deleted',
      destination: { bucket: TARGET.bucket, key: DELETED.key },
    });
    expect(result.deleteMarkerVersionId).toBeUndefined();
    const deletes = target.commandCalls(DeleteObjectCommand);
    expect(deletes).toHaveLength(1);
    expect(deletes[0]!.args[0].input).toEqual({
      Bucket: TARGET.bucket,
      Key: DELETED.key,
      IfMatch: '"replica-etag"',
    });
  });

  it('reports the delete marker a versioned target gets, deleting without a version id', async () => {
    // Arrange
    target
      .on(HeadObjectCommand)
      .resolves({ ETag: '"replica-etag"', Metadata: replicaOf('0062E99A88DC407460') });
    target.on(DeleteObjectCommand).resolves({ DeleteMarker: true, VersionId: 'marker-1' });

    // Act
    const result = await run(input({ deletion: 'delete-marker', versionId: 'source-marker' }));

    // Assert
    expect(result).toMatchObject({ status: 'deleted', deleteMarkerVersionId: 'marker-1' });
    expect(target.commandCalls(DeleteObjectCommand)[0]!.args[0].input.VersionId).toBeUndefined();
  });

  it('reports absent when nothing is at the destination key', async () => {
    // Arrange
    target.on(HeadObjectCommand).rejects(awsError('NotFound', 404));

    // Act
    const result = await run(input());

    // Assert
    expect(result.status).toBe('absent');
    expect(target.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it('leaves an object without relay metadata alone', async () => {
    // Arrange
    target.on(HeadObjectCommand).resolves({ ETag: '"foreign"', Metadata: { owner: 'someone-else' } });

    // Act
    const result = await run(input());

    // Assert
    expect(result.status).toBe('not-a-replica');
    expect(target.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it('leaves a replica of another source object alone, even under the same key', async () => {
    // Arrange
    target.on(HeadObjectCommand).resolves({
      ETag: '"other"',
      Metadata: replicaOf('0062E99A88DC407460', { bucket: 'build-artifacts-ohio' }),
    });

    // Act
    const result = await run(input());

    // Assert
    expect(result.status).toBe('not-a-replica');
    expect(result.detail).toContain('build-artifacts-ohio');
    expect(target.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it('leaves a replica of an upload newer than the deletion alone', async () => {
    // Arrange
    target.on(HeadObjectCommand).resolves({ ETag: '"newer"', Metadata: replicaOf('0062E99A88DC4074A0') });

    // Act
    const result = await run(input());

    // Assert
    expect(result.status).toBe('newer-replica');
    expect(target.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it('orders by sequencers of different lengths as S3 documents (zero-padded)', async () => {
    // Arrange: a shorter sequencer that is numerically larger than the deletion's.
    target.on(HeadObjectCommand).resolves({ ETag: '"newer"', Metadata: replicaOf('FF62E99A88DC4074') });

    // Act
    const result = await run(input({ sequencer: '0062E99A88DC407480' }));

    // Assert
    expect(result.status).toBe('newer-replica');
  });

  it('deletes only the replica of the very version a permanent deletion removed', async () => {
    // Arrange
    target
      .on(HeadObjectCommand)
      .resolves({ ETag: '"v2"', Metadata: replicaOf('0062E99A88DC407460', { versionId: 'v-2' }) });
    target.on(DeleteObjectCommand).resolves({});

    // Act
    const other = await run(input({ versionId: 'v-1' }));
    const same = await run(input({ versionId: 'v-2' }));

    // Assert
    expect(other.status).toBe('other-version');
    expect(same.status).toBe('deleted');
    expect(target.commandCalls(DeleteObjectCommand)).toHaveLength(1);
  });

  it('leaves alone a replica written between its HEAD and the delete (If-Match fails), reporting what is there now', async () => {
    // Arrange
    target
      .on(HeadObjectCommand)
      .resolvesOnce({ ETag: '"old"', Metadata: replicaOf('0062E99A88DC407460') })
      .resolvesOnce({ ETag: '"new"', Metadata: replicaOf('0062E99A88DC4074A0') });
    target.on(DeleteObjectCommand).rejects(awsError('PreconditionFailed', 412));

    // Act
    const result = await run(input());

    // Assert
    expect(result.status).toBe('newer-replica');
    expect(result.detail).toContain('If-Match failed');
    expect(target.commandCalls(DeleteObjectCommand)).toHaveLength(1);
  });

  it('fails retryably when the lost race left another replica the deletion covers', async () => {
    // Arrange
    target
      .on(HeadObjectCommand)
      .resolvesOnce({ ETag: '"old"', Metadata: replicaOf('0062E99A88DC407460') })
      .resolvesOnce({ ETag: '"older"', Metadata: replicaOf('0062E99A88DC407450') });
    target.on(DeleteObjectCommand).rejects(awsError('PreconditionFailed', 412));

    // Act
    const outcome = run(input());

    // Assert
    await expect(outcome).rejects.toBeInstanceOf(TransientAwsError);
  });

  it('reports absent when the object went away between its HEAD and the delete', async () => {
    // Arrange
    target.on(HeadObjectCommand).resolves({ ETag: '"old"', Metadata: replicaOf('0062E99A88DC407460') });
    target.on(DeleteObjectCommand).rejects(awsError('NoSuchKey', 404));

    // Act
    const result = await run(input());

    // Assert
    expect(result.status).toBe('absent');
  });

  it('names the missing s3:DeleteObject grant and propagateDeletes when the delete is denied', async () => {
    // Arrange
    target.on(HeadObjectCommand).resolves({ ETag: '"old"', Metadata: replicaOf('0062E99A88DC407460') });
    target.on(DeleteObjectCommand).rejects(awsError('AccessDenied', 403));

    // Act
    const outcome = run(input());

    // Assert
    await expect(outcome).rejects.toBeInstanceOf(AccessDenied);
    await expect(outcome).rejects.toThrow(/s3:DeleteObject.*propagateDeletes/);
  });

  it('throws a retryable error on throttling, for the state machine to retry', async () => {
    // Arrange
    target.on(HeadObjectCommand).rejects(awsError('SlowDown', 503));

    // Act
    const outcome = run(input());

    // Assert
    await expect(outcome).rejects.toBeInstanceOf(TransientAwsError);
  });

  it('refuses an input without the deleted source', async () => {
    // Arrange
    const bad = { target: TARGET };

    // Act
    const outcome = run(bad);

    // Assert
    await expect(outcome).rejects.toBeInstanceOf(InvalidInput);
  });
});
