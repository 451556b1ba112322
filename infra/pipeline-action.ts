import { type RemovalPolicy, Token } from 'aws-cdk-lib';
import {
  Action,
  type ActionBindOptions,
  ActionCategory,
  type ActionConfig,
  type ActionProperties,
  type Artifact,
  CfnPipeline,
  type IPipeline,
  type IStage,
} from 'aws-cdk-lib/aws-codepipeline';
import { type IRole, Policy, PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import type { RelayConfig } from '../core/config/schema.ts';
import { ConfigInvalid, InvalidDestinationKey, RelayError } from '../core/errors.ts';
import {
  type PlannedRole,
  type PlannedStatement,
  planPipelineActionPermissions,
  planPipelineArtifactPermissions,
} from '../core/permissions/plan.ts';
import { policyStatementOf } from '../core/permissions/policy-document.ts';
import {
  type KEY_PLACEHOLDERS,
  type KeyValues,
  renderDestinationKey,
} from '../core/pipeline/destination-key.ts';
import { RELAY_STATE_MACHINE_ARN_ENV } from '../core/pipeline/environment.ts';
import { relayUserParameters, type UserParameters } from '../core/pipeline/user-parameters.ts';
import { resolvePipelineTargets } from '../core/routing.ts';
import { FUNCTION_SETTINGS, PIPELINE_ACTION_FUNCTION_SETTINGS } from './function-settings.ts';
import { acknowledgeWildcardResources } from './nag.ts';
import type { FunctionLogLevel } from './props.ts';
import { executionsArnOf, relayFunction } from './relay-function.ts';

/**
 * The relay as a CodePipeline stage, on AWS: the action's Lambda (functions/pipeline-action/, one per
 * relay) and the Lambda invoke action users add to their own pipeline's stage
 * (`stage.addAction(relay.pipelineAction({ … }))`), with exactly the IAM the action needs.
 */

/** The environment variable the action's function reads the relay state machine's ARN from (core/pipeline). */
export const PIPELINE_STATE_MACHINE_ARN_ENV = RELAY_STATE_MACHINE_ARN_ENV;

/** A CodeDeploy bundle type the action may set. */
export type PipelineBundleType = NonNullable<UserParameters['bundleType']>;

/** Properties of {@link RelayPipelineFunction}. */
export interface RelayPipelineFunctionProps {
  /** The relay state machine the action starts. */
  readonly stateMachine: StateMachine;
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly logLevel: FunctionLogLevel;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The pipeline action's Lambda, bundled and sized like the task functions (Node.js 22, ARM64, ESM,
 * X-Ray), with its own log group and a role holding exactly `planPipelineActionPermissions` (plus
 * writing its log group and X-Ray, as every relay function).
 */
export class RelayPipelineFunction extends Construct {
  /** The function CodePipeline invokes. */
  readonly function: NodejsFunction;
  /** Its execution role. */
  readonly role: Role;
  /** The planned statements its role holds. */
  readonly permissions: readonly PlannedStatement[];

  constructor(scope: Construct, id: string, props: RelayPipelineFunctionProps) {
    super(scope, id);
    const stateMachineArn = props.stateMachine.stateMachineArn;
    this.permissions = planPipelineActionPermissions({
      stateMachineArn,
      executionsArn: executionsArnOf(this, props.stateMachine),
    });
    const made = relayFunction(this, {
      ...props,
      handlerFolder: 'pipeline-action',
      settings: PIPELINE_ACTION_FUNCTION_SETTINGS,
      roleDescription:
        'artifact-relay pipeline action: start and watch the relay state machine, report the job result',
      planned: this.permissions,
      environment: () => ({ [PIPELINE_STATE_MACHINE_ARN_ENV]: stateMachineArn }),
    });
    this.function = made.fn;
    this.role = made.role;
  }
}

/** Properties of a relay pipeline action (`relay.pipelineAction(…)`). */
export interface RelayPipelineActionProps {
  /** The action's name in its stage (also `{actionName}` of the destination key). */
  readonly actionName: string;
  /** The artifact to relay: the build output (CodeBuild's output artifact, a zip). */
  readonly input: Artifact;
  /** The name of a rule of the relay configuration; its targets receive the artifact. */
  readonly rule: string;
  /**
   * The key every replica gets: a fixed key, or a template with `{pipeline}` (needs the pipeline's
   * `pipelineName`), `{pipelineExecutionId}` and `{actionName}`. It must be a key the rule relays
   * (start with its `prefix`, end with its `suffix`; a target's `keyPrefix` then replaces the prefix,
   * as for an S3 event — core/routing.ts `resolvePipelineTargets`), checked at synth.
   */
  readonly destinationKey: string;
  /**
   * The CodeDeploy bundle type of the artifact, replacing the targets' own.
   *
   * @default - each deploying target's configured `bundleType`
   */
  readonly bundleType?: PipelineBundleType;
  /**
   * The action's run order in its stage.
   *
   * @default 1
   */
  readonly runOrder?: number;
  /**
   * The namespace of the action's output variables (`#{<namespace>.TargetCount}` …).
   *
   * @default - a namespace CDK generates from the stage and action names
   */
  readonly variablesNamespace?: string;
}

/** The relay pieces an action is bound to (what {@link ArtifactRelay.pipelineAction} hands over). */
export interface RelayPipelineActionBinding {
  /** The relay configuration, defaults applied. */
  readonly config: RelayConfig;
  /** The action's function. */
  readonly function: IFunction;
  /** The roles of the relay's task functions, by role. */
  readonly taskRoles: Readonly<Partial<Record<PlannedRole, IRole>>>;
}

/** Values that stand for a pipeline execution id when the destination key is checked at synth. */
const SAMPLE_EXECUTION_IDS = ['00000000-0000-4000-8000-000000000000', 'ffffffff-ffff-4fff-bfff-ffffffffffff'];

/**
 * A key ARN that stands for the artifact key while core plans the grants (core reads literal ARNs
 * only; the pipeline's key ARN is usually a token), replaced by the real one afterwards.
 */
const ARTIFACT_KEY_STAND_IN = 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-artifactkey';

function concrete(value: string): string | undefined {
  return Token.isUnresolved(value) ? undefined : value;
}

/**
 * The pipeline's name when it is known at synth: given to the Pipeline (its `AWS::CodePipeline::Pipeline`
 * `Name`), or the literal name of an imported pipeline; `undefined` when CloudFormation generates it.
 */
function givenPipelineName(pipeline: IPipeline): string | undefined {
  if (!Token.isUnresolved(pipeline.pipelineName)) return pipeline.pipelineName;
  const resource = pipeline.node.defaultChild;
  if (!(resource instanceof CfnPipeline) || resource.name === undefined) return undefined;
  return concrete(resource.name);
}

function usesPlaceholder(template: string, name: (typeof KEY_PLACEHOLDERS)[number]): boolean {
  return template.includes(`{${name}}`);
}

/**
 * The relay as a CodePipeline Lambda invoke action (action-reference-Lambda in the CodePipeline User
 * Guide): relays its input artifact to the targets of one configured rule, waits for copies,
 * verification and deployments, and reports back with output variables ({@link variable}).
 * Create it with `relay.pipelineAction(…)`; add it to a stage with `stage.addAction(…)`.
 *
 * On bind it lets the pipeline invoke the function, and grants the relay's ResolveTargets, CopyObject
 * and VerifyCopy roles read on the pipeline's artifact bucket and `kms:Decrypt` on its key — in an
 * `iam.Policy` created in the pipeline's stack, so that a pipeline in another stack than the relay
 * adds no reference from the relay's stack to the pipeline's (which would close a cycle).
 */
export class RelayPipelineAction extends Action {
  protected readonly providedActionProperties: ActionProperties;
  private readonly props: RelayPipelineActionProps;
  private readonly binding: RelayPipelineActionBinding;

  /**
   * @throws ConfigInvalid when the rule does not exist or the parameters are invalid
   */
  constructor(props: RelayPipelineActionProps, binding: RelayPipelineActionBinding) {
    super();
    this.props = props;
    this.binding = binding;
    this.providedActionProperties = {
      actionName: props.actionName,
      category: ActionCategory.INVOKE,
      provider: 'Lambda',
      resource: binding.function,
      artifactBounds: { minInputs: 1, maxInputs: 1, minOutputs: 0, maxOutputs: 0 },
      inputs: [props.input],
      ...(props.runOrder === undefined ? {} : { runOrder: props.runOrder }),
      ...(props.variablesNamespace === undefined ? {} : { variablesNamespace: props.variablesNamespace }),
    };
    // The parameters and the rule now; the key once the pipeline (and its name) is known, on bind.
    this.checked(() => {
      this.userParameters(undefined, 'Stage');
      try {
        resolvePipelineTargets(binding.config, { rule: props.rule, destinationKey: props.destinationKey });
      } catch (problem) {
        if (!(problem instanceof InvalidDestinationKey)) throw problem;
      }
    });
  }

  /**
   * A reference to one of the action's output variables, for a later action's configuration:
   * `TargetCount`, `RelayExecutionArn`, `Target<n>Bucket`, `Target<n>Region`, `Target<n>Key`,
   * `Target<n>VersionId`, `Target<n>DeploymentId`, `Target<n>Status` (core/pipeline/variables.ts).
   */
  variable(variableName: string): string {
    return this.variableExpression(variableName);
  }

  protected bound(scope: Construct, stage: IStage, options: ActionBindOptions): ActionConfig {
    const pipeline = givenPipelineName(stage.pipeline);
    this.checkDestinationKey(pipeline);
    // The action role invokes the function (CodePipeline acts as it). Unlike LambdaInvokeAction it gets
    // no read on the artifact bucket: that grant exists only for a function that uses the job's
    // artifactCredentials (aws-cdk #3303), and the relay reads artifacts with its own task roles.
    options.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.binding.function.functionArn],
      }),
    );
    this.grantArtifactReads(scope, options.bucket);
    return {
      configuration: {
        FunctionName: this.binding.function.functionName,
        UserParameters: this.userParameters(pipeline, stage.stageName),
      },
    };
  }

  /** The `UserParameters` JSON (core's `relayUserParameters`: strict, with the execution id variable). */
  private userParameters(pipeline: string | undefined, stageName: string): string {
    return relayUserParameters({
      rule: this.props.rule,
      destinationKey: this.props.destinationKey,
      ...(this.props.bundleType === undefined ? {} : { bundleType: this.props.bundleType }),
      // A generated pipeline name cannot be put into the pipeline's own configuration (a circular
      // reference); the job event carries no pipeline context, so {pipeline} then has no value.
      ...(pipeline === undefined ? {} : { pipeline }),
      stage: stageName,
      actionName: this.props.actionName,
    });
  }

  /**
   * Fails synth when the destination key cannot be rendered, or renders to a key the rule does not
   * relay — for any pipeline execution id (two very different ones are tried).
   */
  private checkDestinationKey(pipeline: string | undefined): void {
    const template = this.props.destinationKey;
    if (pipeline === undefined && usesPlaceholder(template, 'pipeline')) {
      throw new ConfigInvalid(this.label(), [
        `destinationKey ${JSON.stringify(template)} uses {pipeline}, but the pipeline's name is generated at deploy time: give the Pipeline a pipelineName, or drop {pipeline} from the key`,
      ]);
    }
    this.checked(() => {
      for (const pipelineExecutionId of SAMPLE_EXECUTION_IDS) {
        const values: KeyValues = {
          ...(pipeline === undefined ? {} : { pipeline }),
          pipelineExecutionId,
          actionName: this.props.actionName,
        };
        resolvePipelineTargets(this.binding.config, {
          rule: this.props.rule,
          destinationKey: renderDestinationKey(template, values),
          bundleType: this.props.bundleType,
        });
      }
    });
  }

  /** Runs `check`, turning the relay's own errors into a synth error naming this action. */
  private checked(check: () => void): void {
    try {
      check();
    } catch (problem) {
      if (!(problem instanceof RelayError) || problem instanceof ConfigInvalid) throw problem;
      throw new ConfigInvalid(this.label(), [problem.message], { cause: problem });
    }
  }

  private label(): string {
    return `relay.pipelineAction(${JSON.stringify(this.props.actionName)})`;
  }

  /**
   * Grants the relay's task roles what `planPipelineArtifactPermissions` plans for the artifact bucket
   * (its whole bucket: CodePipeline derives the artifact folder from the pipeline name but does not
   * document how — API Reference, ArtifactStore), one policy per role, created in the pipeline's stack.
   */
  private grantArtifactReads(scope: Construct, bucket: IBucket): void {
    const key: IKey | undefined = bucket.encryptionKey;
    const keyArn = key === undefined ? undefined : (concrete(key.keyArn) ?? ARTIFACT_KEY_STAND_IN);
    const plan = planPipelineArtifactPermissions({
      bucket: bucket.bucketName,
      region: bucket.env.region,
      // Without a key the store uses S3's default key (ArtifactStore.encryptionKey): core then grants
      // the region's keys, narrowed to S3 requests for this bucket.
      ...(keyArn === undefined ? {} : { kmsKeyArn: keyArn }),
    });
    for (const [role, statements] of Object.entries(plan) as [PlannedRole, readonly PlannedStatement[]][]) {
      const taskRole = this.binding.taskRoles[role];
      if (taskRole === undefined) throw new Error(`internal: the relay has no ${role} role`);
      const rendered = statements.map((statement) => withArtifactKey(statement, key));
      const policy = new Policy(scope, `Relay${FUNCTION_SETTINGS[role].id}ArtifactReads`, {
        statements: rendered.map((statement) => PolicyStatement.fromJson(policyStatementOf(statement))),
      });
      policy.attachToRole(taskRole);
      acknowledgeArtifactWildcards(policy, rendered);
    }
  }
}

/** The statement with the stand-in key ARN replaced by the pipeline key's real (token) ARN. */
function withArtifactKey(statement: PlannedStatement, key: IKey | undefined): PlannedStatement {
  if (key === undefined || !statement.resources.includes(ARTIFACT_KEY_STAND_IN)) return statement;
  return {
    ...statement,
    resources: statement.resources.map((resource) =>
      resource === ARTIFACT_KEY_STAND_IN ? key.keyArn : resource,
    ),
  };
}

function acknowledgeArtifactWildcards(scope: IConstruct, statements: readonly PlannedStatement[]): void {
  for (const statement of statements) {
    if (statement.wildcardReason !== undefined) {
      acknowledgeWildcardResources(scope, statement.resources, statement.wildcardReason);
    }
  }
}
