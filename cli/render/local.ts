/** What `relay local` prints once the stack is up (the "listening on" line comes first: tools wait for it). */
import type { RelayConfig } from '../../core/config/schema.ts';
import { targetId } from '../../core/routing.ts';
import type { FaultRule } from '../../local/faults.ts';
import { DEFAULT_LOCAL_ENDPOINT } from '../aws/endpoints.ts';
import type { ConfigChoice } from '../config-file.ts';
import type { Provisioned } from '../local-relay/provision.ts';

export interface DeployedInfo {
  readonly config: RelayConfig;
  readonly choice: ConfigChoice;
  readonly provisioned: Provisioned;
  readonly stateMachineArn: string;
}

export interface BannerInput {
  readonly endpoint: string;
  readonly dataDir: string;
  readonly deployed: DeployedInfo | undefined;
  readonly faults: readonly FaultRule[];
  readonly faultsFile: string | undefined;
  readonly timeScale: number;
  /** Host names answered besides loopback names, `*.localhost` and AWS service names (`--allow-host`). */
  readonly allowHosts: readonly string[];
  /** `--strict-auth`: the access key id accepted as the administrator; `undefined` when any is. */
  readonly strictAuthKeyId?: string | undefined;
  /** The console's URL; `undefined` with `--no-console`. */
  readonly consoleUrl?: string | undefined;
}

function relayLines(input: BannerInput, deployed: DeployedInfo): string[] {
  const { config, choice, provisioned } = deployed;
  const lines = [`  Relay deployed from ${choice.display}: ${deployed.stateMachineArn}`];
  for (const source of config.sources) {
    for (const rule of source.rules) {
      const targets = rule.targets.map((t) => targetId(t)).join(', ');
      lines.push(
        `    s3://${source.bucket}/${rule.prefix ?? ''}*${rule.suffix ?? ''} (${source.region}) → ${targets}`,
      );
    }
  }
  const created = provisioned.buckets.filter((b) => b.created).map((b) => b.bucket);
  const kept = provisioned.buckets.filter((b) => !b.created).map((b) => b.bucket);
  if (created.length > 0) lines.push(`    buckets created (versioned): ${created.join(', ')}`);
  if (kept.length > 0) lines.push(`    buckets already there: ${kept.join(', ')}`);
  for (const b of provisioned.buckets) {
    if (b.account === undefined || !b.created) continue;
    lines.push(
      `    ${b.bucket} belongs to account ${b.account}${b.policyApplied ? ": its bucket policy grants the relay's roles what they need (on AWS add it yourself: npx relay iam cross-account)" : ''}`,
    );
  }
  for (const k of provisioned.kmsKeys) {
    if (k.policyApplied !== true) continue;
    lines.push(`    key ${k.arn}: its key policy grants the relay's roles what they need`);
  }
  for (const g of provisioned.deploymentGroups) {
    lines.push(
      `    deployment group ${g.application}/${g.deploymentGroup} in ${g.region}${g.created ? ' (created)' : ''}`,
    );
  }
  const source = config.sources[0];
  const rule = source?.rules[0];
  const target = input.endpoint === DEFAULT_LOCAL_ENDPOINT ? '--local' : `--endpoint-url ${input.endpoint}`;
  const configFlag = choice.origin === 'option' ? ` --config ${choice.display}` : '';
  lines.push('  Try:');
  if (source !== undefined && rule !== undefined) {
    const key = `${rule.prefix ?? ''}build-1${rule.suffix ?? '.zip'}`;
    lines.push(
      `    aws --endpoint-url ${input.endpoint} --region ${source.region} s3 cp build.zip s3://${source.bucket}/${key}`,
    );
  }
  lines.push(`    npx relay executions ${target}${configFlag}`);
  return lines;
}

export function renderLocalBanner(input: BannerInput): string {
  const lines = [
    `artifact-relay local stack listening on ${input.endpoint} (data in ${input.dataDir})`,
    input.strictAuthKeyId === undefined
      ? '  S3, Step Functions, CodeDeploy and KMS on one endpoint; any credentials are accepted (unsigned requests are refused).'
      : `  S3, Step Functions, CodeDeploy and KMS on one endpoint; signatures are verified (--strict-auth): only your AWS credentials, access key ${input.strictAuthKeyId}, and the relay's task roles are accepted.`,
    `  Answers Host names: 127.0.0.1, localhost, *.localhost, AWS service names${input.allowHosts.length > 0 ? `, ${input.allowHosts.join(', ')}` : ''} (others are refused; --allow-host adds one).`,
  ];
  if (input.consoleUrl !== undefined)
    lines.push(`  Console: ${input.consoleUrl}  (executions, state graph, per-target results, Redrive)`);
  if (input.deployed !== undefined) lines.push(...relayLines(input, input.deployed));
  else lines.push(`  No relay deployed (--no-relay). Try: aws --endpoint-url ${input.endpoint} s3 ls`);
  if (input.faults.length > 0)
    lines.push(`  Fault rules armed: ${input.faults.length} from ${input.faultsFile}`);
  if (input.timeScale !== 1)
    lines.push(`  Waits and retry intervals run at ${input.timeScale}× their real length.`);
  lines.push('  Press Ctrl-C to stop.', '');
  return lines.join('\n');
}
