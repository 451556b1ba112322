import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { createStyle } from '../../../cli/output/style.ts';
import { refusedTagEntriesIn, refusedTagLines } from '../../../cli/render/refused-tags.ts';
import { renderShow, type ShowView, showJson } from '../../../cli/render/show.ts';
import type { RefusedTagEntries } from '../../../core/workflow.ts';

const SOURCE = {
  bucket: 'build-artifacts-oregon',
  key: 'build_artifacts/web.zip',
  region: 'us-west-2',
  etag: 'e',
  size: 5,
};
const SETTINGS = {
  verify: 'auto',
  multipartThresholdBytes: 5 * 1024 ** 3,
  partSizeBytes: 64 * 1024 ** 2,
  copyTimeBudgetSeconds: 600,
};
const REFUSED: RefusedTagEntries = {
  entries: [
    {
      entry: 'rogue-bucket',
      reason: 'not-allowed',
      message:
        'the tag names rogue-bucket@us-west-2, which targetBucketTag.allowedBuckets (artifacts-*) does not admit',
    },
  ],
  more: 0,
};

function resolveTargetsExited(output: Record<string, unknown>): HistoryEvent {
  return {
    id: 4,
    type: 'TaskStateExited',
    timestamp: new Date('2026-11-24T12:00:01Z'),
    stateExitedEventDetails: { name: 'ResolveTargets', output: JSON.stringify(output) },
  };
}

function view(refused: RefusedTagEntries | undefined): ShowView {
  return {
    details: {
      executionArn: 'arn:aws:states:us-west-2:000000000000:execution:artifact-relay:e-1',
      stateMachineArn: 'arn:aws:states:us-west-2:000000000000:stateMachine:artifact-relay',
      name: 'e-1',
      status: 'SUCCEEDED',
      startDate: new Date('2026-11-24T12:00:00Z'),
      stopDate: new Date('2026-11-24T12:00:03Z'),
      redriveCount: 0,
    },
    steps: [],
    targets: [],
    ...(refused === undefined ? {} : { refusedTagEntries: refused }),
  };
}

describe('the refused TargetBucket tag entries of an execution', () => {
  it("are read from ResolveTargets' output in the history", () => {
    // Arrange
    const history = [
      resolveTargetsExited({
        source: SOURCE,
        targets: [],
        settings: SETTINGS,
        reason: 'no-targets',
        refusedTagEntries: REFUSED,
      }),
    ];

    // Act
    const refused = refusedTagEntriesIn(history);

    // Assert
    expect(refused).toEqual(REFUSED);
  });

  it('are taken from the final output when it carries them', () => {
    // Arrange
    const final: RefusedTagEntries = { entries: [], more: 12 };
    const history: HistoryEvent[] = [
      resolveTargetsExited({
        source: SOURCE,
        targets: [],
        settings: SETTINGS,
        reason: 'no-targets',
        refusedTagEntries: REFUSED,
      }),
      {
        id: 9,
        type: 'ExecutionSucceeded',
        timestamp: new Date('2026-11-24T12:00:03Z'),
        executionSucceededEventDetails: {
          output: JSON.stringify({ source: SOURCE, results: [], refusedTagEntries: final }),
        },
      },
    ];

    // Act / Assert
    expect(refusedTagEntriesIn(history)).toEqual(final);
  });

  it('are none when ResolveTargets refused none', () => {
    // Arrange
    const history = [
      resolveTargetsExited({ source: SOURCE, targets: [], settings: SETTINGS, reason: 'no-rule' }),
    ];

    // Act / Assert
    expect(refusedTagEntriesIn(history)).toBeUndefined();
  });
});

describe('relay show with refused tag entries', () => {
  it('names each refused entry, why, and how many more there were', () => {
    // Arrange
    const refused: RefusedTagEntries = { ...REFUSED, more: 3 };

    // Act
    const text = renderShow(view(refused), createStyle(false));

    // Assert
    expect(text).toContain('! 4 TargetBucket tag entries not honoured:');
    expect(text).toContain('rogue-bucket  (not-allowed) the tag names rogue-bucket@us-west-2');
    expect(text).toContain('… and 3 more');
  });

  it('prints nothing about the tag, and no JSON member, when no entry was refused', () => {
    // Act
    const text = renderShow(view(undefined), createStyle(false));
    const json = showJson(view(undefined));

    // Assert
    expect(text).not.toContain('TargetBucket');
    expect(json).not.toHaveProperty('refusedTagEntries');
    expect(refusedTagLines(undefined, createStyle(false))).toEqual([]);
  });

  it('carries the entries in --json', () => {
    // Act
    const json = showJson(view(REFUSED));

    // Assert
    expect(json.refusedTagEntries).toEqual(REFUSED);
  });
});
