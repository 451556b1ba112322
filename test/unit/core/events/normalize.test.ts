import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../../../core/errors.ts';
import { normalizeInput } from '../../../../core/events/normalize.ts';
import { loadEventFixture } from '../load-fixture.ts';

function invalidInputMessage(input: unknown): string {
  try {
    normalizeInput(input);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInput);
    return (err as InvalidInput).message;
  }
  throw new Error('expected InvalidInput');
}

describe('normalizeInput', () => {
  it('reads an EventBridge Object Created event and keeps its raw key', () => {
    // Arrange
    const event = loadEventFixture('eventbridge-object-created.json') as {
      detail: {
        object: { key: string; etag: string; size: number; 'version-id': string; sequencer: string };
      };
      time: string;
      region: string;
    };

    // Act
    const request = normalizeInput(event);

    // Assert
    expect(request).toEqual({
      via: 'eventbridge',
      operation: 'relay',
      bucket: 'build-artifacts-oregon',
      key: event.detail.object.key,
      versionId: event.detail.object['version-id'],
      etag: event.detail.object.etag,
      size: event.detail.object.size,
      sequencer: event.detail.object.sequencer,
      eventTime: event.time,
      region: event.region,
    });
  });

  it('does not decode an EventBridge key that looks URL-encoded', () => {
    // Arrange
    const event = loadEventFixture('eventbridge-object-created.json') as {
      detail: { object: { key: string } };
    };
    event.detail.object.key = 'build_artifacts/a+b%2B100%25.zip';

    // Act
    const request = normalizeInput(event);

    // Assert
    expect(request.key).toBe('build_artifacts/a+b%2B100%25.zip');
  });

  it('reads a classic S3 notification and decodes its key', () => {
    // Arrange
    const notification = loadEventFixture('classic-s3-notification.json');

    // Act
    const request = normalizeInput(notification);

    // Assert
    expect(request).toEqual({
      via: 's3-notification',
      operation: 'relay',
      bucket: 'build-artifacts-oregon',
      key: 'build_artifacts/10:47:07 web + 100% café.zip',
      versionId: 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
      etag: 'b1946ac92492d2347c6235b4d2611184',
      size: 5242880,
      sequencer: '00664340DC5A8B4C2E',
      eventTime: '2024-05-14T10:47:08.125Z',
      region: 'us-west-2',
    });
  });

  it('treats a null versionId of an unversioned bucket as absent', () => {
    // Arrange
    const notification = loadEventFixture('classic-s3-notification.json') as {
      Records: [{ s3: { object: Record<string, unknown> } }];
    };
    notification.Records[0].s3.object.versionId = null;

    // Act
    const request = normalizeInput(notification);

    // Assert
    expect(request).not.toHaveProperty('versionId');
  });

  it('reads a plain request from the CLI, unquoting its ETag', () => {
    // Arrange
    const input = {
      bucket: 'build-artifacts-oregon',
      key: 'build_artifacts/web 1.zip',
      etag: '"9b2cf535f27731c974343645a3985328"',
      targets: ['artifacts-seoul', 'artifacts-frankfurt@eu-central-1'],
    };

    // Act
    const request = normalizeInput(input);

    // Assert
    expect(request).toEqual({
      via: 'request',
      operation: 'relay',
      bucket: 'build-artifacts-oregon',
      key: 'build_artifacts/web 1.zip',
      etag: '9b2cf535f27731c974343645a3985328',
      targets: ['artifacts-seoul', 'artifacts-frankfurt@eu-central-1'],
    });
  });

  it('refuses a notification with several records: one execution relays one object', () => {
    // Arrange
    const notification = loadEventFixture('classic-s3-notification-two-records.json');

    // Act
    const message = invalidInputMessage(notification);

    // Assert
    expect(message).toContain('holds 2 records');
  });

  it('reads a permanent EventBridge deletion as a delete, keeping the raw key and the sequencer', () => {
    // Arrange
    const event = loadEventFixture('eventbridge-object-deleted.json');

    // Act
    const request = normalizeInput(event);

    // Assert
    expect(request).toEqual({
      via: 'eventbridge',
      operation: 'delete',
      deletion: 'permanent',
      bucket: 'build-artifacts-oregon',
      key: 'build_artifacts/10:47:07 web.zip',
      sequencer: '00664345F8C1D2E3F4',
      eventTime: '2024-05-14T11:02:31Z',
      region: 'us-west-2',
    });
  });

  it("reads an EventBridge delete marker with the marker's version and without the empty ETag", () => {
    // Arrange
    const event = loadEventFixture('eventbridge-object-deleted-marker.json');

    // Act
    const request = normalizeInput(event);

    // Assert
    expect(request).toMatchObject({
      operation: 'delete',
      deletion: 'delete-marker',
      versionId: '1QW9g1Z99LUNbvaaYVpW9xDlOLU.qxgF',
      sequencer: '00664346A0B1C2D3E4',
    });
    expect(request.etag).toBeUndefined();
    expect(request.size).toBeUndefined();
  });

  it('reads classic ObjectRemoved records as deletes and decodes their keys like created ones', () => {
    // Arrange
    const removed = loadEventFixture('classic-s3-notification-removed.json');
    const marker = loadEventFixture('classic-s3-notification-delete-marker.json');
    const created = normalizeInput(loadEventFixture('classic-s3-notification.json'));

    // Act
    const permanent = normalizeInput(removed);
    const hidden = normalizeInput(marker);

    // Assert
    expect(permanent).toEqual({
      via: 's3-notification',
      operation: 'delete',
      deletion: 'permanent',
      bucket: 'build-artifacts-oregon',
      key: created.key,
      versionId: 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
      sequencer: '00664340DC5A8B4C2E',
      eventTime: '2024-05-14T10:47:08.125Z',
      region: 'us-west-2',
    });
    expect(hidden).toMatchObject({ operation: 'delete', deletion: 'delete-marker', key: created.key });
  });

  it('refuses an EventBridge deletion whose deletion-type it does not know', () => {
    // Arrange
    const event = loadEventFixture('eventbridge-object-deleted.json') as { detail: Record<string, unknown> };
    event.detail['deletion-type'] = 'Vanished';

    // Act
    const message = invalidInputMessage(event);

    // Assert
    expect(message).toContain('"Vanished"');
  });

  it('refuses events that are neither creations nor deletions', () => {
    // Arrange
    const restored = {
      ...(loadEventFixture('eventbridge-object-created.json') as object),
      'detail-type': 'Object Restore Completed',
    };
    const tagged = loadEventFixture('classic-s3-notification.json') as {
      Records: Array<{ eventName: string }>;
    };
    tagged.Records[0]!.eventName = 'ObjectTagging:Put';

    // Act / Assert
    expect(invalidInputMessage(restored)).toContain('"Object Restore Completed"');
    expect(invalidInputMessage(tagged)).toContain('"ObjectTagging:Put"');
  });

  it('refuses the S3 test event, naming what a request needs', () => {
    // Arrange
    const testEvent = loadEventFixture('s3-test-event.json');

    // Act
    const message = invalidInputMessage(testEvent);

    // Assert
    expect(message).toContain('bucket is missing');
    expect(message).toContain('key is missing');
  });

  it('names the missing member of an incomplete EventBridge event', () => {
    // Arrange
    const event = loadEventFixture('eventbridge-object-created.json') as {
      detail: { object: Record<string, unknown> };
    };
    delete event.detail.object.key;

    // Act
    const message = invalidInputMessage(event);

    // Assert
    expect(message).toContain('detail.object.key is missing');
  });

  it('names the missing key of a plain request and refuses unknown members', () => {
    // Arrange / Act
    const missingKey = invalidInputMessage({ bucket: 'build-artifacts-oregon' });
    const typo = invalidInputMessage({ bucket: 'build-artifacts-oregon', key: 'a.zip', versionID: 'x' });

    // Assert
    expect(missingKey).toContain('key is missing');
    expect(typo).toContain('unknown member(s) versionID');
  });

  it.each<[string, unknown, string]>([
    ['an invalid bucket', { bucket: 'Bad_Bucket', key: 'a.zip' }, 'bucket "Bad_Bucket" is invalid'],
    ['a key over 1,024 bytes', { bucket: 'build-artifacts-oregon', key: 'é'.repeat(513) }, '1026 bytes long'],
    [
      'a malformed target',
      { bucket: 'build-artifacts-oregon', key: 'a.zip', targets: ['artifacts@mars'] },
      '"mars" is not an AWS region code',
    ],
    [
      'a non-hex sequencer',
      { bucket: 'build-artifacts-oregon', key: 'a.zip', sequencer: 'xyz' },
      'a sequencer is hexadecimal',
    ],
    ['a non-object', 'build-artifacts-oregon/a.zip', 'must be a JSON object'],
    ['null', null, 'got null'],
  ])('refuses %s', (_label, input, expected) => {
    // Arrange / Act
    const message = invalidInputMessage(input);

    // Assert
    expect(message).toContain(expected);
  });
});
