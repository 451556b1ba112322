/** `relay status`: one line per target, and a verdict. */
import type { StoredObject } from '../../core/object-facts.ts';
import type { S3Url } from '../options.ts';
import { formatBytes } from '../output/format.ts';
import { colourStatus, type Style } from '../output/style.ts';
import { renderTable } from '../output/table.ts';
import type { TargetSync } from '../status/check.ts';

export interface StatusReport {
  readonly url: S3Url;
  readonly facts: StoredObject;
  readonly targets: readonly TargetSync[];
}

const LABEL = {
  'in-sync': 'IN SYNC',
  superseded: 'SUPERSEDED',
  missing: 'MISSING',
  different: 'DIFFERENT',
  error: 'ERROR',
} as const;

export function renderStatus(report: StatusReport, style: Style): string {
  const { url, facts } = report;
  const version = facts.versionId === undefined ? `ETag ${facts.etag}` : `version ${facts.versionId}`;
  const rows = report.targets.map((t) => [
    colourStatus(style, LABEL[t.status]),
    `s3://${t.bucket}/${t.key}`,
    t.target.region,
    t.detail,
  ]);
  const inSync = report.targets.filter((t) => t.status === 'in-sync').length;
  const verdict =
    inSync === report.targets.length
      ? style.green(`All ${report.targets.length} targets in sync.`)
      : style.red(`${inSync} of ${report.targets.length} targets in sync.`);
  return [
    `Source s3://${url.bucket}/${url.key} (${version}, ${formatBytes(facts.size)})`,
    '',
    renderTable(['STATUS', 'REPLICA', 'REGION', 'EVIDENCE / DETAIL'], rows),
    '',
    verdict,
  ].join('\n');
}

export function statusJson(report: StatusReport): Record<string, unknown> {
  return {
    source: {
      bucket: report.url.bucket,
      key: report.url.key,
      versionId: report.facts.versionId ?? null,
      etag: report.facts.etag,
      size: report.facts.size,
    },
    inSync: report.targets.every((t) => t.status === 'in-sync'),
    targets: report.targets.map((t) => ({
      target: t.target.id,
      bucket: t.bucket,
      key: t.key,
      region: t.target.region,
      status: t.status,
      detail: t.detail,
      replica: t.replica ?? null,
    })),
  };
}
