import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Artifact, Pipeline } from 'aws-cdk-lib/aws-codepipeline';
import { S3SourceAction, S3Trigger } from 'aws-cdk-lib/aws-codepipeline-actions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RelayConfigInput } from '../../core/config/schema.ts';
import { ConfigInvalid } from '../../core/errors.ts';
import {
  PIPELINE_JOB_RESULT_REASON,
  type PlannedRole,
  type PlannedStatement,
  planPipelineActionPermissions,
  planPipelineArtifactPermissions,
} from '../../core/permissions/plan.ts';
import { policyStatementOf } from '../../core/permissions/policy-document.ts';
import { RELAY_STATE_MACHINE_ARN_ENV } from '../../core/pipeline/environment.ts';
import { PIPELINE_EXECUTION_ID_VARIABLE } from '../../core/pipeline/user-parameters.ts';
import { ANSWER_MARGIN_MS, DEFAULT_WAIT_BUDGET_MS } from '../../functions/pipeline-action/action.ts';
import { ArtifactRelay } from '../../infra/artifact-relay.ts';
import {
  HANDLER_EARLY_TIMEOUT_SECONDS,
  PIPELINE_ACTION_FUNCTION_SETTINGS,
} from '../../infra/function-settings.ts';
import {
  PIPELINE_STATE_MACHINE_ARN_ENV,
  type RelayPipelineAction,
  type RelayPipelineActionProps,
} from '../../infra/pipeline-action.ts';
import { cdkJson, TEST_ACCOUNT } from './helpers/synth.ts';
import { asList, logicalIdOf, resourceText, type Statement } from './helpers/template.ts';

const REGION = 'us-east-1';
const ENV = { account: TEST_ACCOUNT, region: REGION };

/** A relay whose `web-bundles` rule writes `releases/…zip` to two targets (one with a keyPrefix). */
const CONFIG: RelayConfigInput = {
  sources: [
    {
      bucket: 'builds-virginia',
      region: REGION,
      rules: [
        {
          name: 'web-bundles',
          prefix: 'releases/',
          suffix: '.zip',
          targets: [
            {
              bucket: 'artifacts-seoul',
              region: 'ap-northeast-2',
              deploy: { application: 'web', deploymentGroup: 'web-prod', bundleType: 'tgz' },
            },
            { bucket: 'artifacts-frankfurt', region: 'eu-central-1', keyPrefix: 'releases/web/' },
          ],
        },
      ],
    },
  ],
};

const ACTION: RelayPipelineActionProps = {
  actionName: 'RelayToRegions',
  input: new Artifact('Unused'),
  rule: 'web-bundles',
  destinationKey: 'releases/web/{pipeline}/{pipelineExecutionId}.zip',
  bundleType: 'zip',
};

/** What the artifact store of the test pipeline is. */
type Store = 'cdk-key' | 'no-key' | { readonly bucket: string; readonly keyArn: string };

interface Built {
  readonly app: App;
  readonly relayStack: Stack;
  readonly pipelineStack: Stack;
  readonly relay: ArtifactRelay;
  readonly pipeline: Pipeline;
  readonly actions: readonly RelayPipelineAction[];
}

interface BuildOptions {
  readonly twoStacks?: boolean;
  readonly store?: Store;
  readonly pipelineName?: string | null;
  readonly action?: Partial<RelayPipelineActionProps>;
  readonly actions?: number;
}

function artifactBucket(stack: Stack, store: Store): IBucket | undefined {
  if (store === 'cdk-key' || store === 'no-key') return undefined;
  return Bucket.fromBucketAttributes(stack, 'Store', {
    bucketName: store.bucket,
    encryptionKey: Key.fromKeyArn(stack, 'StoreKey', store.keyArn),
  });
}

/** A relay, and a pipeline (Source → Relay) in its stack or another, with the relay action(s). */
function build(options: BuildOptions = {}): Built {
  const app = new App({
    context: { ...cdkJson().context, 'aws:cdk:bundling-stacks': [] },
    outdir: mkdtempSync(join(tmpdir(), 'relay-pipeline-action-')),
  });
  const relayStack = new Stack(app, 'Relay', { env: ENV });
  const relay = new ArtifactRelay(relayStack, 'Relay', {
    config: CONFIG,
    alarmNotifications: { email: 'ops@example.com' },
  });
  const pipelineStack = options.twoStacks === true ? new Stack(app, 'Release', { env: ENV }) : relayStack;
  const store = options.store ?? 'cdk-key';
  const bucket = artifactBucket(pipelineStack, store);
  const source = new Artifact('Source');
  const pipelineName = options.pipelineName === undefined ? 'web-release' : options.pipelineName;
  const pipeline = new Pipeline(pipelineStack, 'Pipeline', {
    ...(pipelineName === null ? {} : { pipelineName }),
    ...(bucket === undefined ? { crossAccountKeys: store === 'cdk-key' } : { artifactBucket: bucket }),
    stages: [
      {
        stageName: 'Source',
        actions: [
          new S3SourceAction({
            actionName: 'Source',
            bucket: Bucket.fromBucketName(pipelineStack, 'SourceBucket', 'web-sources'),
            bucketKey: 'app.zip',
            output: source,
            trigger: S3Trigger.NONE,
          }),
        ],
      },
    ],
  });
  const stage = pipeline.addStage({ stageName: 'Relay' });
  const actions = Array.from({ length: options.actions ?? 1 }, (_, i) =>
    relay.pipelineAction({
      ...ACTION,
      actionName: i === 0 ? ACTION.actionName : `${ACTION.actionName}${i + 1}`,
      input: source,
      ...options.action,
    }),
  );
  for (const action of actions) stage.addAction(action);
  return { app, relayStack, pipelineStack, relay, pipeline, actions };
}

type Template = {
  readonly Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
};

function templateOf(built: Built, stack: Stack): Template {
  return built.app.synth().getStackArtifact(stack.artifactId).template as Template;
}

/** JSON with object keys sorted. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

interface Granting {
  readonly Effect: string;
  readonly Action?: unknown;
  readonly Resource?: unknown;
  readonly Condition?: unknown;
}

/** One line per effect, action, resource and condition, however CDK merged the statements. */
function grants(statements: readonly Granting[]): string[] {
  const lines = statements.flatMap((statement) =>
    asList(statement.Action ?? []).flatMap((action) =>
      asList(statement.Resource ?? []).map(
        (resource) =>
          `${statement.Effect} ${String(action)} ${resourceText(resource)} ${canonical(statement.Condition ?? null)}`,
      ),
    ),
  );
  return [...new Set(lines)].sort();
}

/** The planned statements as the resolved IAM JSON of `stack`. */
function rendered(stack: Stack, statements: readonly PlannedStatement[]): Granting[] {
  return statements.map((statement) => stack.resolve(policyStatementOf(statement)) as Granting);
}

/** The statements of every inline policy of `template` attached to the role `roleRef` resolves to. */
function statementsOfRole(template: Template, roleRef: unknown): Statement[] {
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::IAM::Policy')
    .filter((policy) =>
      ((policy.Properties.Roles as readonly unknown[] | undefined) ?? []).some(
        (role) => canonical(role) === canonical(roleRef),
      ),
    )
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

function relayAction(template: Template): Record<string, unknown> {
  const pipeline = Object.values(template.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
  const stages = (pipeline?.Properties.Stages ?? []) as {
    Name: string;
    Actions: Record<string, unknown>[];
  }[];
  const action = stages.find((stage) => stage.Name === 'Relay')?.Actions[0];
  if (action === undefined) throw new Error('no Relay action in the template');
  return action;
}

function taskRoleRef(built: Built, role: PlannedRole): unknown {
  const fn = built.relay.functions[role];
  return { Ref: logicalIdOf(built.relayStack, fn.role!) };
}

const ARTIFACT_READERS: readonly PlannedRole[] = ['resolve-targets', 'copy-object', 'verify-copy'];

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the relay pipeline action in the template', () => {
  it('is a Lambda invoke action of the relay function with its input artifact', () => {
    // Arrange
    const built = build();
    const fn = built.relay.pipelineActionFunction().function;

    // Act
    const action = relayAction(templateOf(built, built.pipelineStack));

    // Assert
    expect(action.ActionTypeId).toEqual({
      Category: 'Invoke',
      Owner: 'AWS',
      Provider: 'Lambda',
      Version: '1',
    });
    expect((action.Configuration as Record<string, unknown>).FunctionName).toEqual({
      Ref: logicalIdOf(built.relayStack, fn),
    });
    expect(action.InputArtifacts).toEqual([{ Name: 'Source' }]);
    expect(action.Name).toBe('RelayToRegions');
  });

  it('passes rule, destination key, bundle type, run names and the execution id variable as UserParameters', () => {
    // Arrange
    const built = build();

    // Act
    const configuration = relayAction(templateOf(built, built.pipelineStack)).Configuration as Record<
      string,
      unknown
    >;

    // Assert
    expect(typeof configuration.UserParameters).toBe('string');
    expect(JSON.parse(configuration.UserParameters as string)).toEqual({
      rule: 'web-bundles',
      destinationKey: 'releases/web/{pipeline}/{pipelineExecutionId}.zip',
      bundleType: 'zip',
      pipeline: 'web-release',
      stage: 'Relay',
      actionName: 'RelayToRegions',
      pipelineExecutionId: PIPELINE_EXECUTION_ID_VARIABLE,
    });
    expect(configuration.UserParameters).toContain('#{codepipeline.PipelineExecutionId}');
  });

  it('sets the run order and the variables namespace when given, and references output variables in it', () => {
    // Arrange
    const built = build({ action: { runOrder: 2, variablesNamespace: 'Relay' } });
    const [action] = built.actions;

    // Act
    const synthesized = relayAction(templateOf(built, built.pipelineStack));

    // Assert
    expect(synthesized.RunOrder).toBe(2);
    expect(synthesized.Namespace).toBe('Relay');
    expect(built.pipelineStack.resolve(action?.variable('TargetCount'))).toBe('#{Relay.TargetCount}');
  });

  it('lets the pipeline invoke exactly the relay function, nothing on the artifact bucket', () => {
    // Arrange
    const built = build();
    const template = templateOf(built, built.pipelineStack);
    const action = relayAction(template);
    const fn = built.relay.pipelineActionFunction().function;

    // Act
    const actionRole = (action.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = statementsOfRole(template, { Ref: actionRole });

    // Assert
    expect(grants(statements)).toEqual([
      `Allow lambda:InvokeFunction ${JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(built.relayStack, fn), 'Arn'] })} null`,
    ]);
  });

  it('creates one function for the relay however many actions use it', () => {
    // Arrange
    const built = build({ actions: 3 });

    // Act
    const functions = Object.entries(templateOf(built, built.relayStack).Resources).filter(
      ([id, resource]) => resource.Type === 'AWS::Lambda::Function' && id.includes('PipelineAction'),
    );

    // Assert
    expect(functions).toHaveLength(1);
  });
});

describe('the action function', () => {
  it('is Node.js 22 on ARM64 with its settings, X-Ray, its own log group and the state machine ARN', () => {
    // Arrange
    const built = build();
    const fn = built.relay.pipelineActionFunction().function;

    // Act
    const resource = templateOf(built, built.relayStack).Resources[logicalIdOf(built.relayStack, fn)];

    // Assert
    expect(resource?.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: PIPELINE_ACTION_FUNCTION_SETTINGS.memoryMb,
      Timeout: PIPELINE_ACTION_FUNCTION_SETTINGS.timeoutSeconds,
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: {
          [RELAY_STATE_MACHINE_ARN_ENV]: { Ref: logicalIdOf(built.relayStack, built.relay.stateMachine) },
        },
      },
    });
    expect(resource?.Properties.LoggingConfig).toEqual({
      LogGroup: { Ref: expect.stringContaining('PipelineActionLogs') },
    });
  });

  it('names the state machine variable as the handler reads it, and outlasts one watch and its answer', () => {
    // Assert
    expect(PIPELINE_STATE_MACHINE_ARN_ENV).toBe(RELAY_STATE_MACHINE_ARN_ENV);
    expect(PIPELINE_ACTION_FUNCTION_SETTINGS.timeoutSeconds * 1000).toBeGreaterThanOrEqual(
      DEFAULT_WAIT_BUDGET_MS + ANSWER_MARGIN_MS + HANDLER_EARLY_TIMEOUT_SECONDS * 1000,
    );
  });

  it('holds exactly the planned statements, its log group and X-Ray — nothing more', () => {
    // Arrange
    const built = build();
    const { function: fn, role } = built.relay.pipelineActionFunction();
    const machine = built.relay.stateMachine;
    const planned = planPipelineActionPermissions({
      stateMachineArn: machine.stateMachineArn,
      executionsArn: `arn:aws:states:${REGION}:${TEST_ACCOUNT}:execution:${machine.stateMachineName}:*`,
    });
    const logGroupArn = {
      'Fn::GetAtt': [
        logicalIdOf(built.relayStack, (fn.node.scope as IConstruct).node.findChild('Logs')),
        'Arn',
      ],
    };

    // Act
    const statements = statementsOfRole(templateOf(built, built.relayStack), {
      Ref: logicalIdOf(built.relayStack, role),
    });

    // Assert
    expect(grants(statements)).toEqual(
      grants([
        ...rendered(built.relayStack, planned),
        { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: logGroupArn },
        { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
      ]),
    );
  });
});

describe('the artifact store grants of the relay task roles', () => {
  it('are exactly the planned reads and kms:Decrypt of the store key, for the three roles that read it', () => {
    // Arrange
    const store = {
      bucket: 'web-release-artifacts',
      keyArn: `arn:aws:kms:${REGION}:${TEST_ACCOUNT}:key/1234abcd`,
    };
    const built = build({ store });
    const plan = planPipelineArtifactPermissions({
      bucket: store.bucket,
      region: REGION,
      kmsKeyArn: store.keyArn,
    });
    const template = templateOf(built, built.pipelineStack);

    for (const role of ARTIFACT_READERS) {
      // Act
      const statements = statementsOfRole(template, taskRoleRef(built, role)).filter((statement) =>
        JSON.stringify(statement).includes(store.bucket),
      );

      // Assert
      expect(grants(statements), role).toEqual(grants(rendered(built.pipelineStack, plan[role] ?? [])));
    }
    expect(plan['copy-object']?.some((statement) => statement.resources.includes(store.keyArn))).toBe(true);
  });

  it("grant kms:Decrypt on the pipeline's own key (a token ARN) to CopyObject and VerifyCopy only", () => {
    // Arrange
    const built = build({ store: 'cdk-key' });
    const key = built.pipeline.artifactBucket.encryptionKey!;
    const keyArn = built.pipelineStack.resolve(key.keyArn);
    const template = templateOf(built, built.pipelineStack);

    // Act
    const decrypting = Object.fromEntries(
      ARTIFACT_READERS.map((role) => [
        role,
        grants(statementsOfRole(template, taskRoleRef(built, role))).filter(
          (line) => line.startsWith('Allow kms:Decrypt ') && line.includes(JSON.stringify(keyArn)),
        ).length,
      ]),
    );

    // Assert
    expect(decrypting).toEqual({ 'resolve-targets': 0, 'copy-object': 1, 'verify-copy': 1 });
  });

  it("grant the region's keys narrowed to S3 for this bucket when the store has no key of its own", () => {
    // Arrange
    const built = build({ store: 'no-key' });
    const template = templateOf(built, built.pipelineStack);

    // Act
    const bucketRef = JSON.stringify(built.pipelineStack.resolve(built.pipeline.artifactBucket.bucketName));
    const kms = grants(statementsOfRole(template, taskRoleRef(built, 'copy-object'))).filter(
      (line) => line.startsWith('Allow kms:Decrypt ') && line.includes(bucketRef),
    );

    // Assert
    expect(kms).toHaveLength(1);
    expect(kms[0]).toContain(`arn:aws:kms:${REGION}:*:key/*`);
    expect(kms[0]).toContain(`"kms:ViaService":"s3.${REGION}.amazonaws.com"`);
  });

  it('give the deployment tasks nothing on the artifact store', () => {
    // Arrange
    const built = build();
    const template = templateOf(built, built.pipelineStack);
    const bucketRef = JSON.stringify(built.pipelineStack.resolve(built.pipeline.artifactBucket.bucketName));

    // Act
    const deploying = (['start-deployment', 'check-deployment', 'delete-replica'] as const).flatMap((role) =>
      statementsOfRole(template, taskRoleRef(built, role)).filter((statement) =>
        JSON.stringify(statement).includes(bucketRef),
      ),
    );

    // Assert
    expect(deploying).toEqual([]);
  });
});

describe('a pipeline in another stack than the relay', () => {
  it('synthesizes without a dependency cycle: the pipeline stack depends on the relay stack only', () => {
    // Arrange
    const built = build({ twoStacks: true });

    // Act
    const assembly = built.app.synth();

    // Assert
    expect(built.pipelineStack.dependencies).toEqual([built.relayStack]);
    expect(built.relayStack.dependencies).toEqual([]);
    expect(assembly.stacks.map((stack) => stack.stackName).sort()).toEqual(['Relay', 'Release']);
  });

  it('creates the artifact grants in the pipeline stack, attached to the relay roles', () => {
    // Arrange
    const built = build({ twoStacks: true });

    // Act
    const relayTemplate = templateOf(built, built.relayStack);
    const pipelineTemplate = templateOf(built, built.pipelineStack);
    const bucketRef = JSON.stringify(built.pipelineStack.resolve(built.pipeline.artifactBucket.bucketName));
    const grantsIn = (template: Template): number =>
      Object.values(template.Resources).filter(
        (resource) => resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource).includes(bucketRef),
      ).length;

    // Assert
    expect(grantsIn(pipelineTemplate)).toBe(ARTIFACT_READERS.length);
    expect(JSON.stringify(relayTemplate)).not.toContain('Release');
  });
});

describe('checks at synth', () => {
  it('refuses a destination key outside the keys the rule relays', () => {
    // Act
    const act = () => build({ action: { destinationKey: 'builds/{pipelineExecutionId}.zip' } });

    // Assert
    expect(act).toThrow(ConfigInvalid);
    expect(act).toThrow(/RelayToRegions.*"builds\/0{8}-.*\.zip".*"releases\/"/s);
  });

  it('refuses a rule the configuration does not have, when the action is created', () => {
    // Arrange
    const built = build();

    // Act
    const act = () => built.relay.pipelineAction({ ...ACTION, rule: 'web-bundle' });

    // Assert
    expect(act).toThrow(ConfigInvalid);
    expect(act).toThrow(/No rule .* named "web-bundle".*web-bundles/s);
  });

  it('refuses {pipeline} when the pipeline name is generated by CloudFormation', () => {
    // Act
    const act = () => build({ pipelineName: null });

    // Assert
    expect(act).toThrow(/uses \{pipeline\}.*give the Pipeline a pipelineName/s);
  });

  it('accepts a generated pipeline name when the key does not use it, leaving it out of UserParameters', () => {
    // Arrange
    const built = build({
      pipelineName: null,
      action: { destinationKey: 'releases/web/{pipelineExecutionId}.zip' },
    });

    // Act
    const configuration = relayAction(templateOf(built, built.pipelineStack)).Configuration as {
      UserParameters: string;
    };

    // Assert
    expect(JSON.parse(configuration.UserParameters)).not.toHaveProperty('pipeline');
  });
});

interface Finding {
  readonly id: string;
  readonly path: string;
}

function nagFindings(root: IConstruct): Finding[] {
  const report = new AwsSolutionsChecks(root).validateScope(root);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => ({
      id: violation.ruleName,
      path: resource.constructPath ?? '',
    })),
  );
}

function acknowledgementsUnder(root: IConstruct): { id: string; reason: string }[] {
  const found: { id: string; reason: string }[] = [];
  const visit = (construct: IConstruct): void => {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ id: id.replace(/^annotation::/i, ''), reason });
      }
    }
    construct.node.children.forEach(visit);
  };
  visit(root);
  return found;
}

describe('cdk-nag', () => {
  it.each([
    ['one stack', false],
    ['two stacks', true],
  ])('finds nothing unacknowledged in the relay and its action (%s)', (_name, twoStacks) => {
    // Arrange
    const built = build({ twoStacks });

    // Act
    // The relay and what the action adds to the pipeline (its stage); the rest is aws-cdk-lib's pipeline.
    const ours = [`${built.relay.node.path}/`, `${built.pipeline.node.path}/Relay/`];
    const findings = nagFindings(built.app).filter((finding) =>
      ours.some((prefix) => finding.path.startsWith(prefix)),
    );

    // Assert
    expect(findings).toEqual([]);
  });

  it('acknowledges the job result calls on "*" with the plan’s reason, and the function finds nothing else but known ones', () => {
    // Arrange
    const built = build();
    const scope = built.relay.pipelineActionFunction();
    const spy = vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
    let unacknowledged: Finding[];
    try {
      const bare = build();
      unacknowledged = nagFindings(bare.app).filter((finding) =>
        finding.path.startsWith(`${bare.relay.pipelineActionFunction().node.path}/`),
      );
    } finally {
      spy.mockRestore();
    }

    // Act
    const acks = acknowledgementsUnder(scope);

    // Assert
    expect(acks).toContainEqual({ id: 'AwsSolutions-IAM5[Resource::*]', reason: PIPELINE_JOB_RESULT_REASON });
    expect([...new Set(unacknowledged.map((finding) => finding.id))].sort()).toEqual([
      'AwsSolutions-IAM5[Resource::*]',
      `AwsSolutions-IAM5[Resource::arn:aws:states:${REGION}:${TEST_ACCOUNT}:execution:<${logicalIdOf(built.relayStack, built.relay.stateMachine)}.Name>:*]`,
      'AwsSolutions-L1',
    ]);
  });
});
