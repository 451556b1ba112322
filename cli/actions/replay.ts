/** `relay replay s3://bucket/prefix`: relay objects that were there before the relay. */
import { findSource, resolveTargets } from '../../core/routing.ts';
import { machineFor, withConnection } from '../aws/session.ts';
import type { MachineFlags } from '../common-options.ts';
import { mapConcurrently } from '../concurrency.ts';
import { requireConfig } from '../config-file.ts';
import { CliError, EXIT_CODES } from '../errors.ts';
import type { S3Url } from '../options.ts';
import { plural } from '../output/format.ts';
import { createOutput } from '../output/output.ts';
import {
  type ReplayReport,
  renderReplayProgress,
  renderReplaySummary,
  replayJson,
} from '../render/replay.ts';
import { type ListedObject, listObjects } from '../replay/list-objects.ts';
import { type ReplayItem, replayItem, startReplay } from '../replay/start.ts';

export interface ReplayFlags extends MachineFlags {
  readonly since?: Date;
  readonly dryRun?: boolean;
  readonly concurrency: number;
}

/** Allowance for the clock difference between this machine and Step Functions. */
const CLOCK_SLACK_MS = 1000;

export async function runReplay(url: S3Url, flags: ReplayFlags): Promise<void> {
  const out = createOutput(flags);
  const startedAfter = new Date(Date.now() - CLOCK_SLACK_MS);
  const report = await withConnection(flags, async (conn) => {
    const { config, choice } = await requireConfig(flags.config, { allowExample: conn.isLocal });
    const source = findSource(config, url.bucket);
    if (source === undefined) {
      throw new CliError(
        `s3://${url.bucket} is not a source bucket in ${choice.display}, so the relay would send nothing from it — check the bucket or pass --config`,
      );
    }
    const machine = await machineFor({ ...flags, config: choice.path }, conn);
    const routed: Array<{ object: ListedObject; item: ReplayItem }> = [];
    let listedCount = 0;
    for await (const object of listObjects(conn.s3(source.region), url.bucket, url.key)) {
      listedCount += 1;
      if (flags.since !== undefined && object.lastModified < flags.since) continue;
      if (resolveTargets(config, { bucket: url.bucket, key: object.key }).targets.length === 0) continue;
      routed.push({ object, item: replayItem(url.bucket, object) });
      out.progress(
        `listing s3://${url.bucket}/${url.key}: ${plural(listedCount, 'object')}, ${routed.length} routed`,
      );
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
    let done = 0;
    await mapConcurrently(routed, flags.concurrency, async ({ object, item }) => {
      await startReplay(sfn, machine, url.bucket, object, item, {
        dryRun: flags.dryRun === true,
        startedAfter,
      });
      done += 1;
      out.progress(renderReplayProgress(report, done));
    });
    out.endProgress();
    return report;
  });
  out.document(replayJson(report));
  out.line(renderReplaySummary(report, out.style));
  if (report.items.some((item) => item.status === 'failed')) process.exitCode = EXIT_CODES.failure;
}
