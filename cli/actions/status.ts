/** `relay status s3://bucket/key`. */
import { findSource, resolveTargets } from '../../core/routing.ts';
import type { ConnectionOptions } from '../aws/connection.ts';
import { withConnection } from '../aws/session.ts';
import type { JsonFlag } from '../common-options.ts';
import { mapConcurrently } from '../concurrency.ts';
import { requireConfig } from '../config-file.ts';
import { CliError, EXIT_CODES } from '../errors.ts';
import type { S3Url } from '../options.ts';
import { createOutput } from '../output/output.ts';
import { renderStatus, statusJson } from '../render/status.ts';
import { checkTargetSafely } from '../status/check.ts';
import { bucketTagValue, headObject } from '../status/objects.ts';

export interface StatusFlags extends ConnectionOptions, JsonFlag {
  readonly config?: string;
  readonly versionId?: string;
}

export async function runStatus(url: S3Url, flags: StatusFlags): Promise<void> {
  if (url.key === '') throw new CliError('name an object: s3://bucket/key', EXIT_CODES.usage);
  const out = createOutput(flags);
  const report = await withConnection(flags, async (conn) => {
    const { config, choice } = await requireConfig(flags.config, { allowExample: conn.isLocal });
    const source = findSource(config, url.bucket);
    if (source === undefined) {
      throw new CliError(
        `s3://${url.bucket} is not a source bucket in ${choice.display} — check the bucket or pass --config`,
      );
    }
    const tag = source.targetBucketTag;
    const tagValue = tag?.enabled
      ? await bucketTagValue(
          conn.s3(source.region),
          { bucket: source.bucket, expectedOwner: source.account },
          tag.tagKey,
        )
      : undefined;
    const resolution = resolveTargets(
      config,
      url,
      tagValue === undefined ? {} : { bucketTagValue: tagValue },
    );
    if (resolution.targets.length === 0) {
      throw new CliError(
        `${choice.display} sends s3://${url.bucket}/${url.key} nowhere (${resolution.reason ?? 'no target'}): there is nothing to be in sync with`,
      );
    }
    const facts = await headObject(conn.s3(source.region), { ...url, versionId: flags.versionId });
    if (facts === undefined) {
      const version = flags.versionId === undefined ? '' : ` (version ${flags.versionId})`;
      throw new CliError(`s3://${url.bucket}/${url.key}${version} does not exist in ${source.region}`);
    }
    const state = { config: source, key: url.key, facts, verify: config.defaults.verify };
    const targets = await mapConcurrently(resolution.targets, 4, (target) =>
      checkTargetSafely(conn.s3, state, target),
    );
    return { url, facts, targets };
  });
  out.document(statusJson(report));
  out.line(renderStatus(report, out.style));
  if (report.targets.some((t) => t.status !== 'in-sync')) process.exitCode = EXIT_CODES.failure;
}
