import { describe, expect, it } from 'vitest';
import { replayInput, replayItem } from '../../../cli/replay/start.ts';
import { executionName, isValidExecutionName } from '../../../core/naming.ts';

const object = {
  key: 'build_artifacts/web 1.zip',
  etag: '9445cb3da784a55e289a483a6de9858e',
  size: 3,
  lastModified: new Date(0),
};

describe('replay executions', () => {
  it('are named after bucket, key and version, so a second replay reuses the name', () => {
    // Act
    const item = replayItem('src', { ...object, versionId: 'v1' });

    // Assert
    expect(item.name).toBe(executionName('src', 'build_artifacts/web 1.zip', 'v1'));
    expect(isValidExecutionName(item.name)).toBe(true);
    expect(replayItem('src', { ...object, versionId: 'v2' }).name).not.toBe(item.name);
  });

  it('pin the version, or the ETag when the bucket is not versioned', () => {
    // Act / Assert
    expect(replayInput('src', { ...object, versionId: 'v1' })).toEqual({
      bucket: 'src',
      key: object.key,
      versionId: 'v1',
    });
    expect(replayInput('src', object)).toEqual({ bucket: 'src', key: object.key, etag: object.etag });
    expect(replayItem('src', object).name).toBe(executionName('src', object.key, object.etag));
  });
});
