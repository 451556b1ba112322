import { compareSequencers } from './naming.ts';

/**
 * "Newest wins" (DESIGN §2): the order of two builds — two source object versions — for copies and
 * for deployments alike.
 *
 * 1. Two versions of the **same key** that both carry an S3 event sequencer are ordered by it: S3
 *    documents sequencers as ordering the events of one key exactly (compare same-length, zero-padded,
 *    lexicographically).
 * 2. Otherwise — a replay, a pipeline job or a backfill carries no sequencer, and sequencers of
 *    different keys are not comparable — by the source version's `LastModified`, which S3 reports to
 *    the second.
 * 3. Two builds neither rule tells apart (different versions written within the same second, one
 *    without a sequencer) are *unordered*: neither counts as older, so neither is refused.
 */

/** What orders a build: its source object and, when known, its event sequencer and `LastModified`. */
export interface BuildIdentity {
  readonly bucket: string;
  readonly key: string;
  /** S3's event sequencer (hexadecimal), from an S3 event only. */
  readonly sequencer?: string | undefined;
  /** The source version's `LastModified`, ISO 8601. */
  readonly lastModified?: string | undefined;
}

/** How the order was decided (for logs and results). */
export type OrderedBy = 'sequencer' | 'last-modified' | 'unordered';

/** The order of `a` relative to `b`: -1 older, 1 newer, 0 not ordered (equal or indistinguishable). */
export interface BuildComparison {
  readonly order: -1 | 0 | 1;
  readonly by: OrderedBy;
}

function sequencerOrder(a: string, b: string): -1 | 0 | 1 | undefined {
  try {
    return compareSequencers(a, b);
  } catch {
    return undefined; // an unreadable sequencer orders nothing
  }
}

/** Milliseconds since the epoch, truncated to the second S3 reports, or `undefined` when unreadable. */
function seconds(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** Orders build `a` relative to build `b` (see the module comment for the rules). */
export function compareBuilds(a: BuildIdentity, b: BuildIdentity): BuildComparison {
  if (a.bucket === b.bucket && a.key === b.key && a.sequencer !== undefined && b.sequencer !== undefined) {
    const order = sequencerOrder(a.sequencer, b.sequencer);
    if (order !== undefined) return { order, by: 'sequencer' };
  }
  const left = seconds(a.lastModified);
  const right = seconds(b.lastModified);
  if (left !== undefined && right !== undefined && left !== right) {
    return { order: left < right ? -1 : 1, by: 'last-modified' };
  }
  return { order: 0, by: 'unordered' };
}

/** Whether build `a` is strictly newer than build `b`. */
export function isNewerBuild(a: BuildIdentity, b: BuildIdentity): boolean {
  return compareBuilds(a, b).order > 0;
}

/** A short phrase for people: why `newer` counts as newer than `older`. */
export function describeNewer(newer: BuildIdentity, older: BuildIdentity): string {
  const { by } = compareBuilds(newer, older);
  if (by === 'sequencer') return `S3 event sequencer ${newer.sequencer} > ${older.sequencer}`;
  if (by === 'last-modified') return `source LastModified ${newer.lastModified} > ${older.lastModified}`;
  return 'not ordered';
}
