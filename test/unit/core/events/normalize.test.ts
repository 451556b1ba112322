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

  it('refuses events that are not object creations', () => {
    // Arrange
    const deleted = loadEventFixture('eventbridge-object-deleted.json');
    const removed = loadEventFixture('classic-s3-notification-removed.json');

    // Act / Assert
    expect(invalidInputMessage(deleted)).toContain('"Object Deleted"');
    expect(invalidInputMessage(removed)).toContain('"ObjectRemoved:Delete"');
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
