import { describe, expect, it } from 'vitest';
import { defaultsSchema, targetSchema } from '../../../core/config/schema.ts';
import { executionOutputSchema } from '../../../core/execution-output.ts';
import {
  copyResultSchema,
  DEFAULT_COPY_TIME_BUDGET_SECONDS,
  type RelaySettings,
  relayOutputSchema,
  resolveTargetsOutputSchema,
  type SourceObject,
  settingsFromDefaults,
  targetResultSchema,
  taskInputSchema,
  VERIFIED_BY,
  verifyResultSchema,
} from '../../../core/workflow.ts';

const source: SourceObject = {
  bucket: 'build-artifacts-oregon',
  key: 'build_artifacts/web.zip',
  region: 'us-west-2',
  etag: '9b2cf535f27731c974343645a3985328',
  size: 10,
};
const settings: RelaySettings = {
  verify: 'auto',
  multipartThresholdBytes: 5 * 1024 ** 3,
  partSizeBytes: 64 * 1024 ** 2,
  copyTimeBudgetSeconds: 600,
};
const target = targetSchema.parse({ bucket: 'artifacts-seoul', region: 'ap-northeast-2' });
const destination = { bucket: 'artifacts-seoul', key: 'build_artifacts/web.zip', etag: 'abc' };

describe('resolveTargetsOutputSchema', () => {
  it('accepts a source with targets', () => {
    // Arrange
    const output = { source, targets: [target], settings };

    // Act
    const result = resolveTargetsOutputSchema.safeParse(output);

    // Assert
    expect(result.success).toBe(true);
  });

  it('accepts no targets with a reason and no source', () => {
    // Arrange
    const output = { targets: [], settings, reason: 'source-gone', detail: 'the version was deleted' };

    // Act
    const result = resolveTargetsOutputSchema.safeParse(output);

    // Assert
    expect(result.success).toBe(true);
  });

  it('accepts a superseded resolution: the object was overwritten since the event', () => {
    // Arrange
    const output = { targets: [], settings, reason: 'superseded', detail: 'overwritten since the event' };

    // Act
    const result = resolveTargetsOutputSchema.safeParse(output);

    // Assert
    expect(result.success).toBe(true);
  });

  it('keeps the source account and refuses one that is not 12 digits', () => {
    // Arrange
    const withAccount = { source: { ...source, account: '111122223333' }, targets: [target], settings };
    const badAccount = { source: { ...source, account: 'acme' }, targets: [target], settings };

    // Act
    const kept = resolveTargetsOutputSchema.safeParse(withAccount);
    const refused = resolveTargetsOutputSchema.safeParse(badAccount);

    // Assert
    expect(kept.success && kept.data.source?.account).toBe('111122223333');
    expect(refused.success).toBe(false);
  });

  it.each([
    ['targets without a source', { targets: [target], settings }, 'source'],
    ['no targets without a reason', { source, targets: [], settings }, 'reason'],
    ['targets with a reason', { source, targets: [target], settings, reason: 'replica' }, 'reason'],
  ])('rejects %s', (_label, output, path) => {
    // Arrange
    const input: unknown = output;

    // Act
    const result = resolveTargetsOutputSchema.safeParse(input);

    // Assert
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual([path]);
  });
});

describe('copyResultSchema', () => {
  it('requires the upload id and next part while copying', () => {
    // Arrange
    const copying = { status: 'copying', bytes: 5, destination: { bucket: 'b', key: 'k' } };

    // Act
    const result = copyResultSchema.safeParse(copying);

    // Assert
    expect(result.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual([
      'nextPart',
      'uploadId',
    ]);
  });

  it('requires the replica ETag once copied, not when the source is gone', () => {
    // Arrange
    const copiedWithoutEtag = { status: 'copied', bytes: 10, destination: { bucket: 'b', key: 'k' } };
    const gone = { status: 'source-gone', bytes: 0, destination: { bucket: 'b', key: 'k' } };

    // Act
    const copied = copyResultSchema.safeParse(copiedWithoutEtag);
    const sourceGone = copyResultSchema.safeParse(gone);

    // Assert
    expect(copied.success).toBe(false);
    expect(sourceGone.success).toBe(true);
  });

  it('rejects an unknown status', () => {
    // Arrange
    const odd = { status: 'done', bytes: 10, destination };

    // Act
    const result = copyResultSchema.safeParse(odd);

    // Assert
    expect(result.success).toBe(false);
  });
});

describe('carried facts in the per-target state', () => {
  const copied = {
    status: 'copied',
    bytes: 10,
    destination: { bucket: 'artifacts-seoul', key: 'build_artifacts/web.zip', etag: 'e' },
  } as const;

  it('keeps the source content and the replica facts Copy and Verify use', () => {
    // Arrange
    const state = {
      source: { ...source, content: { metadata: { build: '42' }, contentType: 'application/zip' } },
      settings,
      target,
      copy: {
        ...copied,
        replicaFacts: { checksum: { algorithm: 'CRC64NVME', value: 'AAAAAAAAAAA=', type: 'FULL_OBJECT' } },
      },
    };

    // Act
    const parsed = taskInputSchema.parse(state);

    // Assert
    expect(parsed.source.content).toEqual({ metadata: { build: '42' }, contentType: 'application/zip' });
    expect(parsed.copy).toEqual(state.copy);
  });

  it('accepts the state of an execution started before they were carried', () => {
    // Act
    const parsed = taskInputSchema.parse({ source, settings, target, copy: copied });

    // Assert
    expect(parsed.source.content).toBeUndefined();
    expect(parsed.copy).toEqual(copied);
  });
});

describe('verifyResultSchema', () => {
  it('names checksum, ETag and streamed-hash evidence', () => {
    // Arrange
    const kinds = VERIFIED_BY;

    // Act
    const md5 = verifyResultSchema.safeParse({ verifiedBy: 'md5', bytes: 1 });

    // Assert
    expect(kinds).toEqual([
      'checksum:CRC64NVME',
      'checksum:CRC32C',
      'checksum:CRC32',
      'checksum:SHA256',
      'checksum:SHA1',
      'etag',
      'stream:sha256',
    ]);
    expect(md5.success).toBe(false);
  });
});

describe('taskInputSchema', () => {
  it('keeps the contract fields and drops keys only the state machine uses', () => {
    // Arrange
    const state = {
      source,
      settings,
      target,
      copy: { status: 'copied', bytes: 10, destination },
      recopy: true,
      mismatch: { Error: 'VerificationFailed', Cause: 'CRC64NVME differs' },
      result: { status: 'failed' },
    };

    // Act
    const input = taskInputSchema.parse(state);

    // Assert
    expect(input).not.toHaveProperty('result');
    expect(input.recopy).toBe(true);
    expect(input.mismatch?.Cause).toBe('CRC64NVME differs');
  });

  it('applies the target defaults of the configuration schema', () => {
    // Arrange
    const state = { source, settings, target: { bucket: 'artifacts-seoul', region: 'ap-northeast-2' } };

    // Act
    const input = taskInputSchema.parse(state);

    // Assert
    expect(input.target.encryption).toEqual({ type: 'SSE-S3' });
  });
});

describe('targetResultSchema', () => {
  it('requires the evidence of a copied target and the error of a failed one', () => {
    // Arrange
    const copiedUnverified = { target, status: 'copied', bytes: 10, destination };
    const failedSilently = { target, status: 'failed' };

    // Act
    const copied = targetResultSchema.safeParse(copiedUnverified);
    const failed = targetResultSchema.safeParse(failedSilently);

    // Assert
    expect(copied.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['verifiedBy']);
    expect(failed.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['error']);
  });
});

describe('executionOutputSchema', () => {
  it('accepts a relay summary and a nothing-to-relay answer', () => {
    // Arrange
    const summary = {
      source,
      results: [
        { target, status: 'in-sync', bytes: 10, verifiedBy: 'etag', destination },
        { target, status: 'failed', error: 'AccessDenied', cause: 'denied' },
      ],
    };
    const nothing = { targets: [], settings, reason: 'replica' };

    // Act
    const results = [executionOutputSchema.safeParse(summary), executionOutputSchema.safeParse(nothing)];

    // Assert
    expect(results.map((result) => result.success)).toEqual([true, true]);
  });
});

describe('relayOutputSchema', () => {
  const copiedAt = (index: number) => ({
    target,
    index,
    status: 'copied',
    bytes: 10,
    verifiedBy: 'etag',
    destination,
  });
  const failedAt = (index: number) => ({ target, index, status: 'failed', error: 'AccessDenied' });

  it('reads the current output as one result per target, the second pass replacing what failed first', () => {
    // Arrange
    const output = {
      source,
      targets: [target, target, target],
      settings,
      firstPass: { results: [copiedAt(0), failedAt(1), copiedAt(2)], failed: [failedAt(1)] },
      retried: [{ ...copiedAt(1), verifiedBy: 'checksum:CRC32' }],
    };

    // Act
    const read = relayOutputSchema.parse(output);

    // Assert
    expect(read.results.map((result) => [result.index, result.status])).toEqual([
      [0, 'copied'],
      [1, 'copied'],
      [2, 'copied'],
    ]);
    expect(read.results[1]).toMatchObject({ verifiedBy: 'checksum:CRC32' });
    expect(read).not.toHaveProperty('firstPass');
  });

  it('reads the former output (a final Summarize) as it was', () => {
    // Arrange
    const former = { source, results: [copiedAt(0), failedAt(1)] };

    // Act
    const read = relayOutputSchema.parse(former);

    // Assert
    expect(read.results).toHaveLength(2);
    expect(read.results[1]?.status).toBe('failed');
  });

  it('passes on the refused TargetBucket tag entries ResolveTargets reported', () => {
    // Arrange
    const refusedTagEntries = {
      entries: [{ entry: 'evil-bucket', reason: 'not-allowed', message: 'evil-bucket is not allowed' }],
      more: 0,
    };
    const output = {
      source,
      refusedTagEntries,
      firstPass: { results: [copiedAt(0)], failed: [] },
      retried: [],
    };

    // Act
    const read = relayOutputSchema.safeParse(output);

    // Assert
    expect(read.error).toBeUndefined();
    expect(read.data?.refusedTagEntries).toEqual(refusedTagEntries);
  });
});

describe('settingsFromDefaults', () => {
  it('takes the configuration defaults and fills in the copy time budget', () => {
    // Arrange
    const defaults = defaultsSchema.parse({ verify: 'checksum' });

    // Act
    const result = settingsFromDefaults(defaults);

    // Assert
    expect(result).toEqual({
      verify: 'checksum',
      multipartThresholdBytes: defaults.multipartThresholdBytes,
      partSizeBytes: defaults.partSizeBytes,
      copyTimeBudgetSeconds: DEFAULT_COPY_TIME_BUDGET_SECONDS,
    });
  });
});
