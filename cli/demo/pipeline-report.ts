/**
 * The printed end of `relay demo --pipeline`: each stage's status, then the relay stage's result — the
 * output variables later actions read as `#{<namespace>.<key>}` when it succeeded, or CodePipeline's
 * error code and message when it failed — and where to look further.
 */
import type { LocalActionOutcome, LocalPipelineRun } from '../../local/codepipeline/index.ts';

/** What the report is made of. */
export interface PipelineReportInput {
  readonly run: LocalPipelineRun;
  /** The stage and action of the relay. */
  readonly relay: { readonly stage: string; readonly action: string; readonly namespace: string };
  readonly elapsedMs: number;
  readonly dataDir: string;
}

function indent(text: string, prefix: string): string[] {
  return text.split('\n').map((line) => `${prefix}${line}`);
}

function relayResult(outcome: LocalActionOutcome | undefined, namespace: string): string[] {
  if (outcome === undefined) return ['  The relay stage did not run.'];
  if (outcome.status === 'Failed') {
    const code = outcome.errorDetails?.code ?? 'JobFailed';
    return [
      `  Failed (${code}). CodePipeline's message:`,
      ...indent(outcome.errorDetails?.message ?? 'the action failed', '    '),
    ];
  }
  const variables = Object.entries(outcome.outputVariables ?? {});
  const width = Math.max(0, ...variables.map(([key]) => `#{${namespace}.${key}}`.length));
  return [
    '  Succeeded.',
    ...(outcome.summary === undefined ? [] : indent(outcome.summary, '  ')),
    `  Output variables (${variables.length}):`,
    ...variables.map(([key, value]) => `    ${`#{${namespace}.${key}}`.padEnd(width)}  ${value}`),
  ];
}

/** The report's text. */
export function renderPipelineReport(input: PipelineReportInput): string {
  const { run, relay } = input;
  const stages: string[] = [];
  for (const outcome of run.actions) {
    if (!stages.includes(outcome.stage)) stages.push(outcome.stage);
  }
  const stageStatus = (stage: string): string =>
    run.actions.some((a) => a.stage === stage && a.status === 'Failed') ? 'Failed' : 'Succeeded';
  const outcome = run.actions.filter((a) => a.stage === relay.stage && a.action === relay.action).at(-1);
  const out: string[] = ['', `Pipeline ${run.pipelineName}, execution ${run.pipelineExecutionId}:`];
  out.push(`  ${stages.map((stage) => `${stage} ${stageStatus(stage)}`).join(' → ')}`, '');
  out.push(`Relay stage (${relay.stage} / ${relay.action}):`, ...relayResult(outcome, relay.namespace));
  if (outcome?.externalExecutionId !== undefined)
    out.push(`  Relay execution: ${outcome.externalExecutionId}`);
  out.push('', `Pipeline ${run.status} in ${(input.elapsedMs / 1000).toFixed(1)} s.`);
  if (outcome?.externalExecutionId !== undefined) {
    // The relay's executions are kept in the data directory; the local pipeline lives only as long as this run.
    out.push(
      `Look further (the relay's state is kept in ${input.dataDir}):`,
      `  npx relay local --data-dir ${input.dataDir}     # keep the stack up, then in another shell:`,
      `  npx relay show --local ${outcome.externalExecutionId}`,
    );
  }
  out.push('');
  return out.join('\n');
}
