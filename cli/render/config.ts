/**
 * `relay config validate`: a valid configuration in words — each source, its `TargetBucket` tag
 * rule when the source enables it (which applies to every rule of that source), each rule with
 * what it matches and where it goes, and who the CDK stack's alarms notify when that is set.
 */
import type { RelayConfig, SourceConfig } from '../../core/config/schema.ts';
import { targetId } from '../../core/routing.ts';

/** The tag rule of a source in one line, or `undefined` when the source does not enable it. */
export function describeTagRule(source: SourceConfig): string | undefined {
  const tag = source.targetBucketTag;
  if (tag?.enabled !== true) return undefined;
  return `${tag.tagKey} tag → any of ${tag.allowedBuckets.join(', ')} (entries without @region go to ${source.region}); applies to every rule of this source: what any rule matches also goes there, same key, SSE-S3, not deployed`;
}

/** Who the alarms notify, in one line, or `undefined` when the configuration does not say. */
function describeAlarms(config: RelayConfig): string | undefined {
  if (config.alarms?.topicArn !== undefined) return `alarms → SNS topic ${config.alarms.topicArn}`;
  if (config.alarms?.email !== undefined) return `alarms → e-mail to ${config.alarms.email}`;
  return undefined;
}

/** The lines `relay config validate` prints under its verdict. */
export function describeConfig(config: RelayConfig): string[] {
  const lines: string[] = [];
  for (const source of config.sources) {
    lines.push(`  s3://${source.bucket} (${source.region})`);
    const tagRule = describeTagRule(source);
    if (tagRule !== undefined) lines.push(`    ${tagRule}`);
    for (const rule of source.rules) {
      const match = `${rule.prefix ?? ''}*${rule.suffix ?? ''}`;
      const targets = rule.targets.map(
        (t) =>
          `${targetId(t)}${t.deploy ? ` → deploy ${t.deploy.application}/${t.deploy.deploymentGroup}` : ''}`,
      );
      lines.push(`    ${rule.name}: ${match} → ${targets.join(', ')}`);
    }
  }
  const alarms = describeAlarms(config);
  if (alarms !== undefined) lines.push(`  ${alarms}`);
  return lines;
}
