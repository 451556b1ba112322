/**
 * `relay demo --pipeline` prints the pipeline's stages as they run. The local pipeline runner
 * (local/codepipeline/runner.ts) calls each action's own function — a source's `produce`, a build's
 * `build`, an invoke action's handler once per job — so wrapping those functions shows every start, every
 * job of the relay action (a continuation token while the relay runs) and every end, without a hook in
 * the runner.
 */
import type {
  LocalInvokeAction,
  LocalPipelineAction,
  LocalPipelineActionHandler,
  LocalPipelineDefinition,
} from '../../local/codepipeline/index.ts';

/** What one job of the relay action answered (cli/ reaches the action only through local/). */
type JobOutcome = Awaited<ReturnType<LocalPipelineActionHandler>>;

/** Where the progress lines go. */
export type ProgressWrite = (text: string) => void;

function label(stage: string, action: string): string {
  return `  ${stage.padEnd(7)} ${action}`;
}

function sizeOf(body: Buffer | string): number {
  return typeof body === 'string' ? Buffer.byteLength(body) : body.length;
}

function describeJob(outcome: JobOutcome, job: number): string {
  switch (outcome.result) {
    case 'running':
      return job === 1
        ? `relay ${outcome.executionArn} running: answered with a continuation token`
        : 'relay still running: answered with a continuation token';
    case 'succeeded':
      return 'reported success with output variables';
    case 'failed':
      return 'reported failure';
  }
}

function withInvokeProgress(
  stage: string,
  action: LocalInvokeAction,
  write: ProgressWrite,
): LocalInvokeAction {
  let jobs = 0;
  return {
    ...action,
    handler: async (event) => {
      jobs += 1;
      if (jobs === 1) write(`${label(stage, action.name)}: running (Lambda invoke action)\n`);
      const outcome = await action.handler(event);
      write(`${label(stage, action.name)}: job ${jobs} ${describeJob(outcome, jobs)}\n`);
      return outcome;
    },
  };
}

function withProgress(stage: string, action: LocalPipelineAction, write: ProgressWrite): LocalPipelineAction {
  const produced = (body: Buffer | string): Buffer | string => {
    write(`${label(stage, action.name)}: succeeded (${sizeOf(body)} bytes)\n`);
    return body;
  };
  switch (action.kind) {
    case 'source':
      return {
        ...action,
        produce: async () => {
          write(`${label(stage, action.name)}: running\n`);
          return produced(await action.produce());
        },
      };
    case 'build':
      return {
        ...action,
        build: async (inputs) => {
          write(`${label(stage, action.name)}: running\n`);
          return produced(await action.build(inputs));
        },
      };
    case 'invoke':
      return withInvokeProgress(stage, action, write);
  }
}

/** `definition` with every action printing its progress through `write`. */
export function withPipelineProgress(
  definition: LocalPipelineDefinition,
  write: ProgressWrite,
): LocalPipelineDefinition {
  return {
    ...definition,
    stages: definition.stages.map((stage) => ({
      ...stage,
      actions: stage.actions.map((action) => withProgress(stage.name, action, write)),
    })),
  };
}
