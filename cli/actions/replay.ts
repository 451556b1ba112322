/** `relay replay s3://bucket/prefix`: relay objects that were there before the relay. */
import type { RelayConfig } from '../../core/config/schema.ts';
import { findSource, resolveTargets } from '../../core/routing.ts';
import type { StateMachineRef } from '../aws/arn.ts';
import type { Connection } from '../aws/connection.ts';
import { machineFor, withConnection } from '../aws/session.ts';
import { resolveBackfillStateMachine } from '../aws/state-machine.ts';
import { type BackfillEstimate, estimateBackfill } from '../backfill/estimate.ts';
import { renderEstimate } from '../backfill/render.ts';
import { findBackfillResultsBucket } from '../backfill/results-bucket.ts';
import type { MachineFlags } from '../common-options.ts';
import { mapConcurrently } from '../concurrency.ts';
import { requireConfig } from '../config-file.ts';
import { CliError, EXIT_CODES } from '../errors.ts';
import type { S3Url } from '../options.ts';
import { plural } from '../output/format.ts';
import { createOutput, type Output } from '../output/output.ts';
import {
  type ReplayReport,
  renderReplayProgress,
  renderReplaySummary,
  replayJson,
} from '../render/replay.ts';
import { DEFAULT_MAX_IN_FLIGHT, DESCRIBES_PER_ROUND, InFlightWindow } from '../replay/in-flight.ts';
import {
  describeInventoryBasis,
  estimateFromInventory,
  type InventoryBasis,
  type ReportAccess,
  readManifest,
} from '../replay/inventory.ts';
import { type ListedObject, listObjects } from '../replay/list-objects.ts';
import { type ReplayItem, replayItem, startReplay } from '../replay/start.ts';
import { backfillName, followBackfill, reportBackfill, startBackfill } from './backfill.ts';

export interface ReplayFlags extends MachineFlags {
  readonly since?: Date;
  readonly dryRun?: boolean;
  readonly concurrency: number;
  /**
   * Per-object replay: relay executions it started that run at once at most (0: no cap); before another
   * start it waits until one has ended. Default {@link DEFAULT_MAX_IN_FLIGHT}.
   */
  readonly maxInFlight?: number;
  /** Only these targets (`bucket` or `bucket@region`). */
  readonly targets?: readonly string[];
  /** Deploy where the configuration says; without it nothing is deployed. */
  readonly deploy?: boolean;
  /** Start the backfill workflow on AWS's Distributed Map instead of one execution per object from here. */
  readonly distributed?: boolean;
  /** Past this many objects, the backfill workflow is used without --distributed. */
  readonly threshold: number;
  /** The share of objects that may fail before the backfill's map run fails. */
  readonly tolerateFailures?: number;
  /** Where the backfill writes its work list and results (default: the backfill's own bucket). */
  readonly results?: S3Url;
  /** With the backfill: follow it until it ends and report its results. */
  readonly wait?: boolean;
  /**
   * Read the objects from this S3 Inventory report (its manifest.json, CSV) instead of listing the
   * bucket: the backfill workflow's builder reads it, and the estimate is made from it. Implies
   * `--distributed`.
   */
  readonly inventory?: S3Url;
  readonly backfillStateMachine?: string;
}

/** Allowance for the clock difference between this machine and Step Functions. */
const CLOCK_SLACK_MS = 1000;

/**
 * How a full `--max-in-flight` window asks whether its executions have ended: on AWS one round of at most 10
 * DescribeExecution calls a second (the API's sustained quota is 10 calls a second in most regions), so it
 * notices at most 10 ends a second; the local stack has no such quota, so there 50 calls a round may follow
 * every 100 ms — the window must not be what limits a local replay's throughput (the bench compares it).
 */
const IN_FLIGHT_PACING = {
  aws: { pollIntervalMs: 1000, perRound: DESCRIBES_PER_ROUND },
  local: { pollIntervalMs: 100, perRound: 50 },
} as const;

export async function runReplay(url: S3Url, flags: ReplayFlags): Promise<void> {
  const out = createOutput(flags);
  const backfillFlag =
    flags.inventory !== undefined ? '--inventory' : flags.distributed === true ? '--distributed' : undefined;
  if (flags.maxInFlight !== undefined && backfillFlag !== undefined) {
    throw new CliError(
      `--max-in-flight caps the per-object replay; with ${backfillFlag} the backfill workflow runs at most --concurrency relay executions at once — use --concurrency instead`,
      EXIT_CODES.usage,
    );
  }
  const startedAfter = new Date(Date.now() - CLOCK_SLACK_MS);
  const result = await withConnection(
    flags,
    async (conn): Promise<{ report: ReplayReport } | { distributed: true }> => {
      const { config, choice } = await requireConfig(flags.config, { allowExample: conn.isLocal });
      const source = findSource(config, url.bucket);
      if (source === undefined) {
        throw new CliError(
          `s3://${url.bucket} is not a source bucket in ${choice.display}, so the relay would send nothing from it — check the bucket or pass --config`,
        );
      }
      const machine = await machineFor({ ...flags, config: choice.path }, conn);
      const route = routerFor(config, url, flags);
      if (flags.inventory !== undefined) {
        await inventoryReplay(conn, machine, url, flags, out, {
          route,
          access: {
            source,
            path: `sources[${config.sources.indexOf(source)}]`,
            config: choice.display,
            resultsBucket: await findBackfillResultsBucket(conn, machine, { stack: flags.stack }),
          },
        });
        return { distributed: true as const };
      }
      const routed: Array<{ object: ListedObject; item: ReplayItem }> = [];
      let listedCount = 0;
      let routedBytes = 0;
      let mostTargets = 0;
      for await (const object of listObjects(conn.s3(source.region), url.bucket, url.key)) {
        listedCount += 1;
        const targets = route(object);
        if (targets === 0) continue;
        routedBytes += object.size;
        mostTargets = Math.max(mostTargets, targets);
        routed.push({ object, item: replayItem(url.bucket, object) });
        out.progress(
          `listing s3://${url.bucket}/${url.key}: ${plural(listedCount, 'object')}, ${routed.length} routed`,
        );
      }
      if (flags.distributed === true || routed.length > flags.threshold) {
        if (flags.maxInFlight !== undefined) {
          out.note(
            `note: ${routed.length} objects is past --threshold ${flags.threshold}, so the backfill workflow relays them with at most --concurrency ${flags.concurrency} at once; --max-in-flight does not apply`,
          );
        }
        await distributedReplay(conn, machine, url, flags, out, {
          estimate: estimateBackfill(routed.length, routedBytes, mostTargets),
          listed: listedCount,
        });
        return { distributed: true as const };
      }
      const report: ReplayReport = {
        url,
        config: choice.display,
        stateMachineArn: machine.arn,
        listed: listedCount,
        since: flags.since,
        dryRun: flags.dryRun === true,
        items: routed.map((r) => r.item),
      };
      const sfn = conn.sfn(machine.region);
      const maxInFlight = flags.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
      // A dry run starts nothing, so it never waits.
      const inFlight =
        flags.dryRun === true || maxInFlight === 0
          ? undefined
          : new InFlightWindow(
              sfn,
              maxInFlight,
              conn.isLocal ? IN_FLIGHT_PACING.local : IN_FLIGHT_PACING.aws,
            );
      let done = 0;
      // The progress line counts every item, so it is drawn only where it shows: 10 times a second at
      // most, and at once when the starts begin or stop waiting for the cap.
      let drawnAt = 0;
      let drawnWaiting = false;
      const drawProgress = (waitingOn?: number): void => {
        const waiting = waitingOn !== undefined;
        if (!out.interactive || (Date.now() - drawnAt < 100 && waiting === drawnWaiting)) return;
        [drawnAt, drawnWaiting] = [Date.now(), waiting];
        out.progress(renderReplayProgress(report, done, waitingOn));
      };
      const waitingOn = () => (inFlight?.full === true ? inFlight.size : undefined);
      await mapConcurrently(routed, flags.concurrency, async ({ object, item }) => {
        drawProgress(waitingOn());
        await startReplay(sfn, machine, url.bucket, object, item, {
          dryRun: flags.dryRun === true,
          startedAfter,
          deploy: flags.deploy === true,
          ...(flags.targets === undefined ? {} : { targets: flags.targets }),
          ...(inFlight === undefined ? {} : { inFlight }),
        });
        done += 1;
        drawProgress(waitingOn());
      });
      out.endProgress();
      return { report };
    },
  );
  if ('distributed' in result) return;
  const { report } = result;
  out.document(replayJson(report));
  out.line(renderReplaySummary(report, out.style));
  if (report.items.some((item) => item.status === 'failed')) process.exitCode = EXIT_CODES.failure;
}

/**
 * How many targets an object goes to under the replay's selection (0: filtered out by `--since`, or routed
 * nowhere among the chosen targets) — the relay's own routing, as the work-list builder applies it.
 *
 * @throws CliError when `--targets` names a target the configuration does not have
 */
function routerFor(config: RelayConfig, url: S3Url, flags: ReplayFlags): (object: ListedObject) => number {
  const only = flags.targets === undefined ? {} : { only: flags.targets };
  return (object) => {
    if (flags.since !== undefined && object.lastModified < flags.since) return 0;
    const resolution = resolveTargets(config, { bucket: url.bucket, key: object.key }, only);
    const refused = resolution.rejected.filter((entry) => entry.from === 'request');
    if (refused.length > 0) {
      throw new CliError(`--targets: ${refused.map((entry) => entry.message).join('; ')}`, EXIT_CODES.usage);
    }
    return resolution.targets.length;
  };
}

/**
 * `--inventory`: the estimate from the S3 Inventory report (read up to a budget, never the bucket listed),
 * then the backfill workflow with the report named in its request — its builder reads the report instead
 * of listing the bucket.
 */
async function inventoryReplay(
  conn: Connection,
  relay: StateMachineRef,
  url: S3Url,
  flags: ReplayFlags,
  out: Output,
  context: { route: (object: ListedObject) => number; access: ReportAccess },
): Promise<void> {
  const inventory = `s3://${flags.inventory?.bucket ?? ''}/${flags.inventory?.key ?? ''}`;
  // S3 delivers a bucket's inventory into a bucket of the same region.
  const s3 = conn.s3(context.access.source.region);
  const manifest = await readManifest(
    s3,
    inventory,
    {
      source: { bucket: url.bucket },
      ...(flags.since === undefined ? {} : { since: flags.since.toISOString() }),
    },
    context.access,
  );
  const found = await estimateFromInventory(s3, manifest, url.key, context.route, undefined, (line) =>
    out.progress(line),
  );
  out.endProgress();
  await distributedReplay(conn, relay, url, flags, out, {
    estimate: estimateBackfill(found.routed, found.routedBytes, found.mostTargets),
    listed: found.listed,
    inventory: found.basis,
  });
}

/**
 * The distributed replay: prints the estimate, then (unless --dry-run) starts the backfill workflow with the
 * same selection and, with --wait, follows it to the end.
 */
async function distributedReplay(
  conn: Connection,
  relay: StateMachineRef,
  url: S3Url,
  flags: ReplayFlags,
  out: Output,
  facts: { estimate: BackfillEstimate; listed: number; inventory?: InventoryBasis },
): Promise<void> {
  out.line(renderEstimate(facts.estimate));
  if (facts.inventory !== undefined) out.line(describeInventoryBasis(facts.inventory));
  const machine = await resolveBackfillStateMachine(conn, relay, {
    backfillStateMachine: flags.backfillStateMachine,
    stack: flags.stack,
  });
  const request = {
    source: { bucket: url.bucket, ...(url.key === '' ? {} : { prefix: url.key }) },
    ...(flags.inventory === undefined
      ? {}
      : { inventory: `s3://${flags.inventory.bucket}/${flags.inventory.key}` }),
    ...(flags.since === undefined ? {} : { since: flags.since.toISOString() }),
    ...(flags.targets === undefined ? {} : { targets: [...flags.targets] }),
    deploy: flags.deploy === true,
    ...(flags.results === undefined
      ? {}
      : { results: { bucket: flags.results.bucket, prefix: flags.results.key || 'backfills' } }),
    maxConcurrency: flags.concurrency,
    toleratedFailurePercentage: flags.tolerateFailures ?? 0,
  };
  if (flags.dryRun === true) {
    out.document({
      mode: 'distributed',
      dryRun: true,
      estimate: facts.estimate,
      listed: facts.listed,
      ...(facts.inventory === undefined ? {} : { inventory: facts.inventory }),
      request,
    });
    out.line(`would start the backfill ${machine.name} with: ${JSON.stringify(request)}`);
    return;
  }
  const name = backfillName();
  const executionArn = await startBackfill(conn, machine, request, name);
  out.line(
    `started backfill ${name} on ${machine.name} — follow it with: relay backfill status ${name} --watch`,
  );
  if (flags.wait !== true) {
    out.document({
      mode: 'distributed',
      estimate: facts.estimate,
      listed: facts.listed,
      ...(facts.inventory === undefined ? {} : { inventory: facts.inventory }),
      backfill: { name, executionArn },
    });
    return;
  }
  const status = await followBackfill(conn, executionArn, out, conn.isLocal ? 200 : 5000);
  await reportBackfill(conn, status, out, (backfill) => ({
    mode: 'distributed',
    estimate: facts.estimate,
    listed: facts.listed,
    ...(facts.inventory === undefined ? {} : { inventory: facts.inventory }),
    backfill,
  }));
}
