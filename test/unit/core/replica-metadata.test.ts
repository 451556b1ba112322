import { describe, expect, it } from 'vitest';
import {
  buildReplicaMetadata,
  formatRelaySource,
  MAX_ENCODED_KEY_CHARS,
  parseReplicaMetadata,
  REPLICA_METADATA_KEYS,
  stampNamesObject,
  stampNamesSourceVersion,
  userMetadataBytes,
} from '../../../core/replica-metadata.ts';

const SOURCE = {
  bucket: 'build-artifacts-oregon',
  key: 'build_artifacts/10:47:07 web + 100% café.zip',
  versionId: 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
  etag: '"b1946ac92492d2347c6235b4d2611184"',
  sequencer: '00664340DC5A8B4C2E',
};

describe('replica metadata', () => {
  it('stamps the source, its version, ETag and sequencer in ASCII', () => {
    // Arrange / Act
    const metadata = buildReplicaMetadata(SOURCE);

    // Assert
    expect(metadata).toEqual({
      'relay-source':
        'build-artifacts-oregon/build_artifacts/10%3A47%3A07%20web%20%2B%20100%25%20caf%C3%A9.zip',
      'relay-source-version': SOURCE.versionId,
      'relay-source-etag': 'b1946ac92492d2347c6235b4d2611184',
      'relay-sequencer': SOURCE.sequencer,
    });
    expect(Object.values(metadata).every((value) => /^[\x20-\x7e]*$/.test(value))).toBe(true);
  });

  it('parses back what it stamped, also from S3-cased keys', () => {
    // Arrange
    const stamped = buildReplicaMetadata(SOURCE);
    const asReturned = Object.fromEntries(Object.entries(stamped).map(([k, v]) => [k.toUpperCase(), v]));

    // Act
    const stamp = parseReplicaMetadata(asReturned);

    // Assert
    expect(stamp).toEqual({
      bucket: SOURCE.bucket,
      key: SOURCE.key,
      versionId: SOURCE.versionId,
      etag: 'b1946ac92492d2347c6235b4d2611184',
      sequencer: SOURCE.sequencer,
    });
  });

  it('records a long key by its hash and still recognises the object', () => {
    // Arrange
    const key = `${'日'.repeat(300)}.zip`;
    const source = { bucket: 'build-artifacts-oregon', key, etag: 'abc' };

    // Act
    const metadata = buildReplicaMetadata(source);
    const stamp = parseReplicaMetadata(metadata)!;

    // Assert
    expect(metadata[REPLICA_METADATA_KEYS.source]).toMatch(/^build-artifacts-oregon\/#sha256:[0-9a-f]{64}$/);
    expect(stamp.key).toBeUndefined();
    expect(stampNamesObject(stamp, source)).toBe(true);
    expect(stampNamesObject(stamp, { ...source, key: `${key}x` })).toBe(false);
    expect(userMetadataBytes(metadata)).toBeLessThan(2048);
  });

  it('keeps keys up to the encoded limit readable', () => {
    // Arrange
    const key = 'k'.repeat(MAX_ENCODED_KEY_CHARS);

    // Act
    const value = formatRelaySource('b-b-b', key);

    // Assert
    expect(value).toBe(`b-b-b/${key}`);
  });

  it('names the same source version by version id first, else by ETag', () => {
    // Arrange
    const stamp = parseReplicaMetadata(buildReplicaMetadata(SOURCE))!;
    const unversioned = parseReplicaMetadata(
      buildReplicaMetadata({ bucket: SOURCE.bucket, key: SOURCE.key, etag: 'abc' }),
    )!;

    // Act / Assert
    expect(stampNamesSourceVersion(stamp, SOURCE)).toBe(true);
    expect(stampNamesSourceVersion(stamp, { ...SOURCE, versionId: 'other', etag: SOURCE.etag })).toBe(false);
    expect(
      stampNamesSourceVersion(unversioned, { bucket: SOURCE.bucket, key: SOURCE.key, etag: '"ABC"' }),
    ).toBe(true);
    expect(
      stampNamesSourceVersion(unversioned, { bucket: SOURCE.bucket, key: SOURCE.key, etag: 'abd' }),
    ).toBe(false);
    expect(stampNamesSourceVersion(unversioned, { bucket: SOURCE.bucket, key: SOURCE.key })).toBe(false);
    expect(stampNamesSourceVersion(stamp, { ...SOURCE, bucket: 'elsewhere' })).toBe(false);
  });

  it('reads objects without a stamp, or with an unreadable one, as not stamped', () => {
    // Arrange / Act / Assert
    expect(parseReplicaMetadata(undefined)).toBeUndefined();
    expect(parseReplicaMetadata({ 'content-owner': 'x' })).toBeUndefined();
    expect(parseReplicaMetadata({ 'relay-source': 'no-slash' })).toBeUndefined();
    expect(parseReplicaMetadata({ 'relay-source': 'bucket-x/%E0%A4%A' })).toBeUndefined();
  });

  it('measures user metadata as S3 does: UTF-8 bytes of keys and values', () => {
    // Arrange / Act / Assert
    expect(userMetadataBytes({ ab: 'cd', é: 'ü' })).toBe(8);
  });
});
