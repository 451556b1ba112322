/** The demo's printed outcome: one block per target, then where to look further. */
import { describeDeployment, type RelayOutput, type TargetResult } from '../../core/workflow.ts';

export interface TargetTiming {
  /** The target's index in the execution's target list. */
  readonly index: number;
  readonly ms: number;
}

export interface DemoReportInput {
  readonly execution: { executionArn: string; status: string; error?: string; cause?: string };
  readonly output: RelayOutput | undefined;
  readonly timings: readonly TargetTiming[];
  readonly elapsedMs: number;
  readonly endpointHint: string;
  readonly dataDir: string;
}

function where(result: TargetResult): string {
  const prefix = result.target.keyPrefix ? ` (key prefix ${result.target.keyPrefix})` : '';
  return `s3://${result.target.bucket} in ${result.target.region}${prefix}`;
}

function describe(result: TargetResult): string[] {
  const lines: string[] = [];
  if (result.status === 'failed') {
    lines.push(`    error:     ${result.error}${result.cause ? ` — ${result.cause}` : ''}`);
    return lines;
  }
  lines.push(`    object:    s3://${result.destination.bucket}/${result.destination.key}`);
  lines.push(`    bytes:     ${result.bytes}`);
  if ('verifiedBy' in result) lines.push(`    verified:  ${result.verifiedBy}`);
  const encryption = result.target.encryption;
  lines.push(
    `    encrypted: ${encryption?.type === 'aws:kms' ? `SSE-KMS (${encryption.kmsKeyArn})` : 'SSE-S3'}`,
  );
  if ('deployment' in result && result.deployment) {
    lines.push(`    deployed:  ${describeDeployment(result.deployment)}`);
  }
  return lines;
}

export function renderDemoReport(input: DemoReportInput): string {
  const out: string[] = [''];
  const { execution, output } = input;
  if (output) {
    out.push(`Source: s3://${output.source.bucket}/${output.source.key} (${output.source.size} bytes)`, '');
    output.results.forEach((result, index) => {
      const timing = input.timings.find((t) => t.index === index);
      out.push(
        `  ${result.status.toUpperCase().padEnd(11)} ${where(result)}${timing ? `  ${timing.ms} ms` : ''}`,
      );
      out.push(...describe(result));
    });
  }
  out.push('');
  out.push(`Execution ${execution.status}: ${execution.executionArn}`);
  if (execution.status !== 'SUCCEEDED')
    out.push(`  ${execution.error ?? ''} ${execution.cause ?? ''}`.trimEnd());
  out.push(`Finished in ${(input.elapsedMs / 1000).toFixed(1)} s.`, '');
  out.push('Look further (the state is kept in ' + input.dataDir + '):');
  out.push(
    `  npx relay local --data-dir ${input.dataDir}          # keep the stack up on ${input.endpointHint}`,
  );
  out.push(
    `  aws --endpoint-url ${input.endpointHint} --region ${execution.executionArn.split(':')[3]} stepfunctions get-execution-history --execution-arn ${execution.executionArn}`,
  );
  const first = output?.results[0]?.target;
  if (first) {
    out.push(
      `  aws --endpoint-url ${input.endpointHint} --region ${first.region} s3 ls --recursive s3://${first.bucket}`,
    );
  }
  out.push('');
  return out.join('\n');
}
