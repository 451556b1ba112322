/**
 * Case 2 — state transitions per artifact, the unit Step Functions Standard bills. One artifact per
 * configuration (1, 3 and 10 targets, without and with a CodeDeploy deployment per target) goes through the
 * relay on the local stack; its history is read with GetExecutionHistory and its transitions counted as AWS
 * counts them: every `…StateEntered` event, plus one per retry (see lib/executions.ts). Cost per 1,000
 * artifacts at $0.025 per 1,000 transitions (us-east-1, us-west-2, eu-central-1 and most regions).
 *
 * The count does not depend on timing except for deployments: each CheckDeployment poll (Wait → Check →
 * Choice) adds 3. Locally a deployment takes 3 s (scaled) and the poll interval is 30 s (scaled), so one
 * poll suffices; in AWS a deployment of minutes costs 3 per extra 30 s of deployment.
 */
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ZipFile } from 'yazl';
import { startLocalStack } from '../../local/index.ts';
import { deployRelay } from '../../local/relay.ts';
import { createLocalTaskHandlers } from '../../local/relay-handlers.ts';
import {
  allTargetsVerified,
  countTransitions,
  describeExecution,
  executionHistory,
  listExecutions,
  relayOutputOf,
  type TransitionCount,
} from '../lib/executions.ts';
import { benchConfig, RULE_PREFIX, SOURCE_REGION, sourceBucketOf } from '../lib/relay-config.ts';
import { type CaseContext, type CaseResult, type Figure, figure } from '../lib/result.ts';
import { LocalClients, provisionConfig } from '../lib/s3.ts';

/** Standard workflows, US East (N. Virginia) and most regions. */
export const PRICE_PER_1000_TRANSITIONS_USD = 0.025;
const TIME_SCALE = 0.01;
const TARGET_COUNTS = [1, 3, 10] as const;

/** A small CodeDeploy bundle: a zip with an appspec.yml at its root. */
function appBundle(): Promise<Buffer> {
  const zip = new ZipFile();
  zip.addBuffer(
    Buffer.from('version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /opt/app\n'),
    'appspec.yml',
  );
  zip.addBuffer(Buffer.from('<html>bench</html>\n'), 'index.html');
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

interface Measured {
  readonly targets: number;
  readonly deploy: boolean;
  readonly status: string;
  readonly verified: boolean;
  readonly transitions: TransitionCount;
  readonly deploymentPolls: number;
}

/**
 * Splits the state entries of the 1-target run into top-level states (entered once per artifact) and
 * per-target states (entered once per target), by comparing with the 10-target run.
 */
function classifyStates(
  one: TransitionCount,
  ten: TransitionCount,
): {
  topLevel: Record<string, number>;
  perTarget: Record<string, number>;
} {
  const topLevel: Record<string, number> = {};
  const perTarget: Record<string, number> = {};
  for (const [name, n] of Object.entries(one.byState)) {
    if ((ten.byState[name] ?? 0) === n) topLevel[name] = n;
    else perTarget[name] = n;
  }
  return { topLevel, perTarget };
}

export async function transitionsCase(ctx: CaseContext): Promise<CaseResult> {
  const started = performance.now();
  const stack = await startLocalStack({
    port: 0,
    dataDir: join(ctx.workDir, 'stack'),
    timeScale: TIME_SCALE,
  });
  const clients = new LocalClients(stack.endpoint);
  const bundle = await appBundle();
  const measured: Measured[] = [];
  try {
    for (const deploy of [false, true]) {
      for (const targets of TARGET_COUNTS) {
        const name = `tr${targets}${deploy ? 'd' : 'n'}`;
        ctx.progress(`${targets} target(s), ${deploy ? 'with' : 'without'} deployment`);
        const config = benchConfig({ name, targets, deploy, maxConcurrency: 10 });
        await provisionConfig(clients, config, stack.accountId);
        const relay = await deployRelay(stack, {
          config,
          name,
          handlers: createLocalTaskHandlers(stack, config),
        });
        await clients.s3(SOURCE_REGION).send(
          new PutObjectCommand({
            Bucket: sourceBucketOf(name),
            Key: `${RULE_PREFIX}app-1.zip`,
            Body: bundle,
            ContentType: 'application/zip',
          }),
        );
        await stack.events.idle();
        const sfn = clients.sfn(relay.region);
        const [execution] = await listExecutions(sfn, relay.stateMachineArn);
        if (!execution?.executionArn) throw new Error(`${name}: the upload started no execution`);
        await stack.stepFunctions.waitForExecution(execution.executionArn);
        const described = await describeExecution(sfn, execution.executionArn);
        const history = await executionHistory(sfn, execution.executionArn);
        const transitions = countTransitions(history);
        measured.push({
          targets,
          deploy,
          status: described.status ?? 'UNKNOWN',
          verified: allTargetsVerified(relayOutputOf(described.output), targets),
          transitions,
          deploymentPolls: (transitions.byState.CheckDeployment ?? 0) / targets,
        });
      }
    }
  } finally {
    clients.destroy();
    await stack.stop();
  }

  const figures: Figure[] = [];
  const table: Record<string, unknown>[] = [];
  for (const m of measured) {
    const label = `${m.targets} target${m.targets === 1 ? '' : 's'}, ${m.deploy ? 'with' : 'no'} deployment`;
    const goal = m.deploy ? undefined : { op: '<=' as const, value: 3 + 4 * m.targets };
    figures.push(figure(`transitions per artifact: ${label}`, m.transitions.total, 'transitions', goal));
    table.push({
      targets: m.targets,
      deployment: m.deploy,
      status: m.status,
      verified: m.verified,
      transitions: m.transitions.total,
      retries: m.transitions.retries,
      goal: m.deploy ? null : 3 + 4 * m.targets,
      usdPer1000Artifacts: Math.round(m.transitions.total * PRICE_PER_1000_TRANSITIONS_USD * 1000) / 1000,
      deploymentPollsPerTarget: m.deploy ? m.deploymentPolls : null,
      byType: m.transitions.byType,
    });
  }
  for (const m of measured) {
    const label = `${m.targets} target${m.targets === 1 ? '' : 's'}, ${m.deploy ? 'with' : 'no'} deployment`;
    figures.push(
      figure(
        `USD per 1,000 artifacts: ${label}`,
        m.transitions.total * PRICE_PER_1000_TRANSITIONS_USD,
        'USD',
      ),
    );
  }

  // Fit transitions = fixed + perTarget × targets on the measured points without deployment.
  const plain = measured.filter((m) => !m.deploy);
  const first = plain[0];
  const last = plain.at(-1);
  const perTarget =
    first && last
      ? (last.transitions.total - first.transitions.total) / (last.targets - first.targets)
      : Number.NaN;
  const fixed = first ? first.transitions.total - perTarget * first.targets : Number.NaN;
  const withDeploy = measured.filter((m) => m.deploy);
  const deployFirst = withDeploy[0];
  const deployLast = withDeploy.at(-1);
  const deployPerTarget =
    deployFirst && deployLast
      ? (deployLast.transitions.total - deployFirst.transitions.total) /
        (deployLast.targets - deployFirst.targets)
      : Number.NaN;
  const one = plain.find((m) => m.targets === 1);
  const ten = plain.find((m) => m.targets === 10);
  const oneDeploy = withDeploy.find((m) => m.targets === 1);

  return {
    id: 'transitions',
    title: 'State transitions per artifact',
    inputs: {
      targetCounts: [...TARGET_COUNTS],
      deployment: [false, true],
      artifactsPerConfiguration: 1,
      priceUsdPer1000Transitions: PRICE_PER_1000_TRANSITIONS_USD,
      countedAs:
        'every …StateEntered history event + every retry (a further …Scheduled in the same state entry), per AWS: "a state transition each time a step of your workflow is executed … including retries"',
      timeScale: TIME_SCALE,
    },
    figures,
    details: {
      configurations: table,
      fit: { fixed, perTarget, deployPerTarget, goal: 'fixed ≤ 3, perTarget ≤ 4' },
      states: one && ten ? classifyStates(one.transitions, ten.transitions) : {},
      statesOneTargetWithDeployment: oneDeploy ? oneDeploy.transitions.byState : {},
    },
    notes: [
      `Measured: ${fixed} + ${perTarget} × targets without deployment (goal 3 + 4 × targets); ${deployPerTarget} per target with a deployment that one poll finds finished.`,
    ],
    durationMs: performance.now() - started,
  };
}
