import { describe, expect, it } from 'vitest';
import {
  type Claimant,
  claimRecord,
  decideFromLedger,
  type LedgerBuild,
  ledgerKey,
  mayRedeployAfterFailure,
  rollbackMark,
  STALE_CLAIM_MS,
  sameRevision,
} from '../../../core/deployment-ledger.ts';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const GROUP = { application: 'web', deploymentGroup: 'web-prod' };
const ME: Claimant = { execution: 'arn:exec:me#artifacts-seoul/web.zip', redriveCount: 0 };
const OTHER: Claimant = { execution: 'arn:exec:other#artifacts-seoul/web.zip', redriveCount: 0 };

function build(sequencer: string, version: string): LedgerBuild {
  return {
    source: { bucket: 'src', key: 'web.zip', etag: `e-${version}`, versionId: `s-${version}`, sequencer },
    revision: { bucket: 'artifacts-seoul', key: 'web.zip', etag: `r-${version}`, versionId: `r-${version}` },
  };
}

const OLD = build('01', '1');
const NEW = build('02', '2');

describe('the deployment ledger', () => {
  it('keeps one object per group under the reserved prefix', () => {
    // Act / Assert
    expect(ledgerKey('web', 'web-prod')).toBe('.artifact-relay/deployments/web/web-prod.json');
  });

  it('claims a group that has no record', () => {
    // Act / Assert
    expect(decideFromLedger({ record: undefined, ours: NEW, me: ME, now: NOW }).action).toBe('claim');
  });

  it('skips when the record holds a newer build, naming its deployment', () => {
    // Arrange
    const record = { ...claimRecord(GROUP, NEW, OTHER, NOW), deploymentId: 'd-NEW' };

    // Act
    const decision = decideFromLedger({ record, ours: OLD, me: ME, now: NOW });

    // Assert
    expect(decision).toMatchObject({ action: 'skip', newerDeploymentId: 'd-NEW' });
  });

  it('reuses the recorded deployment of the same revision', () => {
    // Arrange
    const record = { ...claimRecord(GROUP, NEW, OTHER, NOW), deploymentId: 'd-NEW' };

    // Act / Assert
    expect(decideFromLedger({ record, ours: NEW, me: ME, now: NOW })).toEqual({
      action: 'reuse',
      deploymentId: 'd-NEW',
    });
  });

  it('creates when its own claim has no deployment yet (a retry), waits for a fresh claim of another', () => {
    // Arrange
    const mine = claimRecord(GROUP, NEW, ME, NOW);
    const theirs = claimRecord(GROUP, NEW, OTHER, NOW - 1000);

    // Act / Assert
    expect(decideFromLedger({ record: mine, ours: NEW, me: ME, now: NOW }).action).toBe('create');
    expect(decideFromLedger({ record: theirs, ours: NEW, me: ME, now: NOW }).action).toBe('wait');
  });

  it('takes over a stale claim', () => {
    // Arrange
    const stale = claimRecord(GROUP, NEW, OTHER, NOW - STALE_CLAIM_MS - 1);

    // Act / Assert
    expect(decideFromLedger({ record: stale, ours: NEW, me: ME, now: NOW }).action).toBe('claim');
  });

  it('replaces an older build once its deployment is recorded, waits while it is still being created', () => {
    // Arrange
    const deployed = { ...claimRecord(GROUP, OLD, OTHER, NOW), deploymentId: 'd-OLD' };
    const starting = claimRecord(GROUP, OLD, OTHER, NOW);

    // Act / Assert
    expect(decideFromLedger({ record: deployed, ours: NEW, me: ME, now: NOW }).action).toBe('claim');
    expect(decideFromLedger({ record: starting, ours: NEW, me: ME, now: NOW }).action).toBe('wait');
  });

  it('reports a refused revision again, to its own claimant as to anyone else', () => {
    // Arrange
    const refused = {
      ...claimRecord(GROUP, NEW, ME, NOW),
      rejected: { error: 'InvalidRevisionException', message: 'no appspec.yml' },
    };

    // Act / Assert
    for (const me of [ME, OTHER]) {
      expect(decideFromLedger({ record: refused, ours: NEW, me, now: NOW })).toEqual({
        action: 'rejected',
        error: 'InvalidRevisionException',
        message: 'no appspec.yml',
      });
    }
    expect(decideFromLedger({ record: refused, ours: build('03', '3'), me: OTHER, now: NOW }).action).toBe(
      'claim',
    );
  });

  it('lets only a newer redrive replace a failed deployment', () => {
    // Arrange
    const failedByMe = { ...claimRecord(GROUP, NEW, ME, NOW), deploymentId: 'd-FAILED' };
    const failedAtFirstRedrive = {
      ...claimRecord(GROUP, NEW, { ...ME, redriveCount: 1 }, NOW),
      deploymentId: 'd-F',
    };

    // Act / Assert
    expect(mayRedeployAfterFailure(failedByMe, ME)).toBe(false);
    expect(mayRedeployAfterFailure(failedByMe, OTHER)).toBe(false);
    expect(mayRedeployAfterFailure(failedByMe, { ...ME, redriveCount: 1 })).toBe(true);
    expect(mayRedeployAfterFailure(failedByMe, { ...OTHER, redriveCount: 1 })).toBe(true);
    expect(mayRedeployAfterFailure(failedAtFirstRedrive, { ...ME, redriveCount: 1 })).toBe(false);
    expect(mayRedeployAfterFailure(failedAtFirstRedrive, { ...ME, redriveCount: 2 })).toBe(true);
  });

  it("lets an operator's rollback claim an older build, and marks the build rolled back from", () => {
    // Arrange
    const newer = { ...claimRecord(GROUP, NEW, OTHER, NOW), deploymentId: 'd-NEW' };

    // Act
    const decision = decideFromLedger({ record: newer, ours: OLD, me: ME, now: NOW, rollback: true });

    // Assert
    expect(decision.action).toBe('claim');
    expect(rollbackMark(newer, OLD)).toEqual(NEW.source);
    expect(rollbackMark(newer, build('03', '3'))).toBeUndefined();
  });

  it('after a rollback deploys automatically only builds newer than the one rolled back from', () => {
    // Arrange: rolled back from NEW (02) to OLD (01)
    const rolledBack = {
      ...claimRecord(GROUP, OLD, ME, NOW),
      deploymentId: 'd-OLD',
      rolledBackFrom: NEW.source,
    };

    // Act / Assert
    expect(decideFromLedger({ record: rolledBack, ours: NEW, me: OTHER, now: NOW }).action).toBe('skip');
    expect(decideFromLedger({ record: rolledBack, ours: build('03', '3'), me: OTHER, now: NOW }).action).toBe(
      'claim',
    );
    expect(rollbackMark(rolledBack, build('00', '0'))).toEqual(NEW.source);
  });

  it('tells revisions apart by version, else by ETag', () => {
    // Act / Assert
    expect(sameRevision(NEW.revision, { ...NEW.revision, etag: 'other' })).toBe(true);
    expect(sameRevision(NEW.revision, OLD.revision)).toBe(false);
    const { versionId: _a, ...unversioned } = NEW.revision;
    expect(sameRevision(unversioned, { ...unversioned, etag: `"${NEW.revision.etag.toUpperCase()}"` })).toBe(
      true,
    );
  });
});
