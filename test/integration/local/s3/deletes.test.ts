import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareSequencers } from '../../../../core/naming.ts';
import { ACCOUNT_ID, type S3Harness, startS3 } from './harness.ts';
import { rejection, statusOf } from './support.ts';

const BUCKET = 'build-artifacts-oregon';
const KEY = 'build_artifacts/10:47:07 web.zip';

describe('local S3 conditional deletes and Object Deleted events', () => {
  let s3: S3Harness;
  let client: S3Client;

  beforeEach(async () => {
    s3 = await startS3();
    client = s3.client('us-west-2');
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  afterEach(async () => {
    await s3.dispose();
  });

  async function versioned(): Promise<void> {
    await client.send(
      new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }),
    );
  }

  async function put(body: string): Promise<{ etag: string; versionId?: string }> {
    const answer = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: body }));
    return { etag: answer.ETag!, ...(answer.VersionId === undefined ? {} : { versionId: answer.VersionId }) };
  }

  it('deletes with If-Match on the current ETag', async () => {
    // Arrange
    const { etag } = await put('v1');

    // Act
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY, IfMatch: etag }));

    // Assert
    const head = await rejection(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: KEY })));
    expect(statusOf(head)).toBe(404);
  });

  it('refuses If-Match on another ETag with 412 PreconditionFailed and keeps the object', async () => {
    // Arrange
    const { etag: old } = await put('v1');
    await put('v2');

    // Act
    const error = await rejection(
      client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY, IfMatch: old })),
    );

    // Assert
    expect(error.name).toBe('PreconditionFailed');
    expect(statusOf(error)).toBe(412);
    await expect(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: KEY }))).resolves.toBeDefined();
    expect(s3.deletedEvents).toHaveLength(0);
  });

  it('answers If-Match on a missing key with 404 NoSuchKey', async () => {
    // Arrange / Act
    const error = await rejection(
      client.send(
        new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY, IfMatch: '"d41d8cd98f00b204e9800998ecf8427e"' }),
      ),
    );

    // Assert
    expect(error.name).toBe('NoSuchKey');
    expect(statusOf(error)).toBe(404);
  });

  it('gives a versioned key a delete marker under If-Match, and refuses If-Match once only the marker is left', async () => {
    // Arrange
    await versioned();
    const { etag } = await put('v1');

    // Act
    const deleted = await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY, IfMatch: etag }));
    const again = await rejection(
      client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY, IfMatch: etag })),
    );

    // Assert
    expect(deleted.DeleteMarker).toBe(true);
    expect(deleted.VersionId).toBeDefined();
    expect(statusOf(again)).toBe(404);
  });

  it('checks each DeleteObjects entry against its ETag', async () => {
    // Arrange
    const { etag: old } = await put('v1');
    const { etag: current } = await put('v2');
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'other.zip', Body: 'o' }));

    // Act
    const stale = await client.send(
      new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: KEY, ETag: old }] } }),
    );
    const fresh = await client.send(
      new DeleteObjectsCommand({
        Bucket: BUCKET,
        Delete: { Objects: [{ Key: KEY, ETag: current }, { Key: 'other.zip' }] },
      }),
    );

    // Assert
    expect(stale.Errors?.map((e) => e.Code)).toEqual(['PreconditionFailed']);
    expect(fresh.Deleted?.map((d) => d.Key).sort()).toEqual([KEY, 'other.zip']);
  });

  it('emits Permanently Deleted for an unversioned object, with the raw key and a sequencer after its creation', async () => {
    // Arrange
    await put('v1');

    // Act
    const answer = await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY }));

    // Assert
    expect(s3.deletedEvents).toHaveLength(1);
    const event = s3.deletedEvents[0]!;
    expect(event).toMatchObject({
      'detail-type': 'Object Deleted',
      source: 'aws.s3',
      account: ACCOUNT_ID,
      region: 'us-west-2',
      detail: {
        bucket: { name: BUCKET },
        object: { key: KEY },
        'request-id': answer.$metadata.requestId,
        reason: 'DeleteObject',
        'deletion-type': 'Permanently Deleted',
      },
    });
    expect(event.detail.object['version-id']).toBeUndefined();
    expect(compareSequencers(event.detail.object.sequencer, s3.events[0]!.detail.object.sequencer)).toBe(1);
  });

  it("emits Delete Marker Created with the marker's version id in a versioned bucket", async () => {
    // Arrange
    await versioned();
    await put('v1');

    // Act
    const answer = await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY }));

    // Assert
    expect(s3.deletedEvents.map((e) => e.detail['deletion-type'])).toEqual(['Delete Marker Created']);
    expect(s3.deletedEvents[0]!.detail.object['version-id']).toBe(answer.VersionId);
  });

  it('emits Permanently Deleted with the version id for a delete of one version, and nothing for a missing one', async () => {
    // Arrange
    await versioned();
    const { versionId } = await put('v1');
    await put('v2');

    // Act
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY, VersionId: versionId! }));
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'never-there.zip' }));

    // Assert
    expect(s3.deletedEvents).toHaveLength(2);
    expect(s3.deletedEvents[0]!.detail).toMatchObject({
      object: { key: KEY, 'version-id': versionId },
      'deletion-type': 'Permanently Deleted',
    });
    // A versioned bucket marks even a key it never held: S3 creates the delete marker all the same.
    expect(s3.deletedEvents[1]!.detail).toMatchObject({
      object: { key: 'never-there.zip' },
      'deletion-type': 'Delete Marker Created',
    });
  });

  it('emits one event per object DeleteObjects removed', async () => {
    // Arrange
    await put('v1');
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'other.zip', Body: 'o' }));

    // Act
    await client.send(
      new DeleteObjectsCommand({
        Bucket: BUCKET,
        Delete: { Objects: [{ Key: KEY }, { Key: 'other.zip' }, { Key: 'absent.zip' }] },
      }),
    );

    // Assert
    expect(s3.deletedEvents.map((e) => e.detail.object.key).sort()).toEqual([KEY, 'other.zip']);
  });
});
