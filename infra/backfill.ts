import { ArnFormat, CfnOutput, Duration, Names, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Grant, type IGrantable, Policy, PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { BACKFILL_RESULTS_OUTPUT, BACKFILL_STATE_MACHINE_OUTPUT } from '../core/backfill.ts';
import type { RelayConfig } from '../core/config/schema.ts';
import { LIST_BUCKET_ACTION, RESULTS_OBJECTS_REASON } from '../core/permissions/actions.ts';
import { planBuildWorkListPermissions } from '../core/permissions/backfill.ts';
import { ROLE_ARN_ENV } from '../core/permissions/denied-grant.ts';
import type { PlannedStatement } from '../core/permissions/plan.ts';
import { BACKFILL_RESULTS_BUCKET_ENV, CONFIG_ENV } from '../core/runtime-contract.ts';
import {
  BACKFILL_MAP_LABEL,
  BACKFILL_STATES,
  type BackfillPlaceholder,
  buildBackfillDefinition,
} from '../state-machine/backfill.ts';
import type { FunctionSettings } from './function-settings.ts';
import { acknowledge, acknowledgeWildcardResources, NAG_REASONS } from './nag.ts';
import type { FunctionLogLevel } from './props.ts';
import { executionsArnOf, relayFunction } from './relay-function.ts';
import { bundledConfigHooks, configDelivery } from './task-functions.ts';

/**
 * The backfill workflow on AWS (issue #15, state-machine/backfill.ts): the work-list builder
 * (functions/build-work-list), the results bucket its work lists and the Distributed Map's results go to,
 * and the Standard state machine that relays the existing objects of a source prefix — one relay
 * execution per object that needs it — with exactly the IAM each needs.
 */

/** The work-list builder's timeout: its Task state's `TimeoutSeconds`, so the Lambda never outlives the Task. */
function buildWorkListTimeoutSeconds(): number {
  const state = buildBackfillDefinition().States[BACKFILL_STATES.buildWorkList];
  if (state?.Type !== 'Task' || state.TimeoutSeconds === undefined) {
    throw new Error(
      `the backfill definition's ${BACKFILL_STATES.buildWorkList} must be a Task with TimeoutSeconds`,
    );
  }
  return state.TimeoutSeconds;
}

/**
 * Sizing of the work-list builder. It lists a page at a time, HEADs destination keys with bounded
 * concurrency and buffers at most one 5 MiB part of the work list, so 512 MB is plenty; it works to a time
 * budget and is called again, so its timeout is its Task's.
 */
export const BUILD_WORK_LIST_FUNCTION_SETTINGS: FunctionSettings = {
  id: 'BuildWorkList',
  description:
    'artifact-relay: list a source prefix and write the objects a backfill relays (the work list, JSONL)',
  memoryMb: 512,
  timeoutSeconds: buildWorkListTimeoutSeconds(),
};

/** How long work lists and map-run results stay in the results bucket unless told otherwise. */
export const DEFAULT_BACKFILL_RESULTS_EXPIRATION = Duration.days(30);

/** A multipart upload nobody completed (an abandoned work list or result file) is aborted after this. */
export const BACKFILL_ABORT_INCOMPLETE_UPLOADS_AFTER = Duration.days(1);

/** The backfill state machine is named after the relay's, with this suffix, when the relay has a name. */
export const BACKFILL_STATE_MACHINE_NAME_SUFFIX = '-backfill';

/**
 * What the Distributed Map does in the results bucket with the state machine's role: its ItemReader
 * reads the work list (s3:GetObject); its ResultWriter writes the manifest and result files, in multipart
 * uploads it may list and abort (the statement aws-cdk-lib's `ResultWriter` grants).
 */
export const DISTRIBUTED_MAP_S3_ACTIONS = [
  's3:GetObject',
  's3:PutObject',
  's3:ListMultipartUploadParts',
  's3:AbortMultipartUpload',
] as const;

/**
 * The EventBridge rule Step Functions manages in the account to learn when a `.sync` child execution ends
 * (Step Functions Developer Guide, "IAM policies for AWS Step Functions", synchronous StartExecution).
 */
export const SYNC_EXECUTION_RULE = 'StepFunctionsGetEventsForStepFunctionsExecutionRule';

/** What `.sync` needs on {@link SYNC_EXECUTION_RULE}. */
export const SYNC_EXECUTION_RULE_ACTIONS = [
  'events:PutTargets',
  'events:PutRule',
  'events:DescribeRule',
] as const;

/** Why the relay's executions are granted by pattern. */
export const RELAY_EXECUTIONS_REASON =
  "Each backfill item starts a relay execution named by Step Functions and waits for it (startExecution.sync:2), which describes and, when the item is stopped, stops it: DescribeExecution and StopExecution are granted on the executions of the relay's own state machine only.";

/** Why the backfill's own executions and its map run's children are granted by pattern. */
export const OWN_EXECUTIONS_REASON =
  'A Distributed Map runs each item as a child execution of its own state machine, named by Step Functions at run time: the state machine may start, describe and stop executions of itself and redrive the children of its RelayObjects map run — nothing of any other state machine.';

/** Properties of {@link RelayBackfill}. */
export interface RelayBackfillProps {
  /** The validated configuration (the builder routes by its rules, and is granted by them). */
  readonly config: RelayConfig;
  /** The relay state machine each item is relayed by. */
  readonly relayStateMachine: StateMachine;
  readonly serviceName: string;
  readonly metricsNamespace: string;
  /** The builder's Powertools log level. */
  readonly functionLogLevel: FunctionLogLevel;
  /** What the state machine logs (as the relay's). */
  readonly logLevel: LogLevel;
  readonly logRetention: RetentionDays;
  /** Of the log groups and of the results bucket. */
  readonly removalPolicy: RemovalPolicy;
  /** How long work lists and results are kept (whole days). @default 30 days */
  readonly resultsExpiration?: Duration | undefined;
  /** @default - a name CloudFormation generates */
  readonly stateMachineName?: string | undefined;
}

function expirationDays(expiration: Duration): number {
  const days = expiration.toDays({ integral: false });
  if (!Number.isInteger(days) || days < 1) {
    throw new Error(
      `backfillResultsExpiration is ${expiration.toHumanString()}: S3 lifecycle rules expire objects after whole days, so give at least Duration.days(1) in whole days`,
    );
  }
  return days;
}

/**
 * The backfill workflow (construct ids `BuildWorkList`, `Results`, `Logs`, `StateMachine`,
 * `DistributedMapPolicy`): the work-list builder, a private results bucket (SSE-S3, TLS only, no public
 * access, objects expiring after `resultsExpiration`, incomplete uploads aborted after a day), and a
 * Standard state machine whose Distributed Map starts one relay execution per work-list line and waits
 * for it — logged and traced like the relay's.
 */
export class RelayBackfill extends Construct {
  /** The work-list builder. */
  readonly function: NodejsFunction;
  /** Its role. */
  readonly functionRole: Role;
  /** The planned statements its role holds. */
  readonly permissions: readonly PlannedStatement[];
  /** Where work lists and map-run results are written (pass it as the request's `results.bucket`). */
  readonly resultsBucket: Bucket;
  /** The backfill state machine. */
  readonly stateMachine: StateMachine;
  /** Its execution log group. */
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: RelayBackfillProps) {
    super(scope, id);
    const days = expirationDays(props.resultsExpiration ?? DEFAULT_BACKFILL_RESULTS_EXPIRATION);

    this.resultsBucket = new Bucket(this, 'Results', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.removalPolicy,
      lifecycleRules: [
        {
          id: 'ExpireBackfillResults',
          expiration: Duration.days(days),
          abortIncompleteMultipartUploadAfter: BACKFILL_ABORT_INCOMPLETE_UPLOADS_AFTER,
        },
      ],
    });
    acknowledge(
      this.resultsBucket,
      'AwsSolutions-S1',
      `The results bucket holds only what the backfill writes for itself (work lists and map-run results, expiring after ${days} days), read and written by the backfill's own roles; every backfill execution's history records what it read and wrote. Server access logs would need a further bucket for little insight; add them with your own logging bucket if your policy requires.`,
    );

    this.permissions = planBuildWorkListPermissions(props.config, {
      resultsBucketArn: this.resultsBucket.bucketArn,
    });
    const delivery = configDelivery(props.config);
    const built = relayFunction(new Construct(this, BUILD_WORK_LIST_FUNCTION_SETTINGS.id), {
      serviceName: props.serviceName,
      metricsNamespace: props.metricsNamespace,
      logLevel: props.functionLogLevel,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      handlerFolder: 'build-work-list',
      settings: BUILD_WORK_LIST_FUNCTION_SETTINGS,
      roleDescription:
        'artifact-relay build-work-list: list the configured sources, HEAD the configured destination keys, write work lists to the backfill results bucket',
      planned: this.permissions,
      // The configuration reaches the builder as it reaches ResolveTargets; the role names itself in
      // the advice for a grant a cross-account target lacks (core/permissions/denied-grant.ts).
      environment: (role) => ({
        [ROLE_ARN_ENV]: role.roleArn,
        // A backfill that names no results location writes into the results bucket below.
        [BACKFILL_RESULTS_BUCKET_ENV]: this.resultsBucket.bucketName,
        ...(delivery.kind === 'environment' ? { [CONFIG_ENV]: delivery.json } : {}),
      }),
      bundling: delivery.kind === 'bundled' ? { commandHooks: bundledConfigHooks(delivery.json) } : {},
    });
    this.function = built.fn;
    this.functionRole = built.role;

    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const substitutions: Record<BackfillPlaceholder, string> = {
      BuildWorkListFunctionArn: this.function.functionArn,
      RelayStateMachineArn: props.relayStateMachine.stateMachineArn,
      // The service integrations' ARNs name the stack's partition (aws-cn, aws-us-gov as well as aws).
      Partition: Stack.of(this).partition,
    };
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      ...(props.stateMachineName === undefined ? {} : { stateMachineName: props.stateMachineName }),
      definitionBody: DefinitionBody.fromString(JSON.stringify(buildBackfillDefinition())),
      definitionSubstitutions: substitutions,
      logs: { destination: this.logGroup, level: props.logLevel, includeExecutionData: false },
      tracingEnabled: true,
    });
    this.grantStateMachine(props.relayStateMachine);
    acknowledge(
      this.stateMachine,
      'AwsSolutions-IAM5[Resource::*]',
      `${NAG_REASONS.xray} ${NAG_REASONS.logDelivery}`,
    );
    if (props.logLevel !== LogLevel.ALL)
      acknowledge(this.stateMachine, 'AwsSolutions-SF1', NAG_REASONS.sfnLogLevel);
  }

  /** The ARN pattern of the children of this backfill's map runs: `…:execution:<name>/RelayObjects:*`. */
  mapRunExecutionsArn(): string {
    return Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.stateMachine.stateMachineName}/${BACKFILL_MAP_LABEL}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /** The ARN pattern of this backfill's map runs: `…:mapRun:<name>/RelayObjects:*`. */
  mapRunsArn(): string {
    return Stack.of(this).formatArn({
      service: 'states',
      resource: 'mapRun',
      resourceName: `${this.stateMachine.stateMachineName}/${BACKFILL_MAP_LABEL}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  private grantStateMachine(relay: StateMachine): void {
    const stack = Stack.of(this);
    const machine = this.stateMachine;
    const results = `${this.resultsBucket.bucketArn}/*`;
    const relayExecutions = executionsArnOf(this, relay);
    const syncRule = stack.formatArn({
      service: 'events',
      resource: 'rule',
      resourceName: SYNC_EXECUTION_RULE,
    });
    const statements = [
      // BuildWorkList is a direct Lambda Task.
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }),
      // Each item starts one relay execution (startExecution.sync:2) — of the relay, no other state machine.
      new PolicyStatement({ actions: ['states:StartExecution'], resources: [relay.stateMachineArn] }),
      // …and waits for it, stopping it when the item is stopped.
      new PolicyStatement({
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [relayExecutions],
      }),
      // `.sync` learns of the relay execution's end through Step Functions' managed EventBridge rule.
      new PolicyStatement({ actions: [...SYNC_EXECUTION_RULE_ACTIONS], resources: [syncRule] }),
      // The Distributed Map reads the work list (ItemReader) and writes its results (ResultWriter).
      new PolicyStatement({ actions: [...DISTRIBUTED_MAP_S3_ACTIONS], resources: [results] }),
    ];
    for (const statement of statements) machine.addToRolePolicy(statement);
    acknowledgeWildcardResources(machine, [relayExecutions], RELAY_EXECUTIONS_REASON);
    acknowledgeWildcardResources(machine, [results], RESULTS_OBJECTS_REASON);

    // The Distributed Map runs its items as child executions of this very state machine. These statements
    // name the state machine's own ARN, so they live in a policy of their own: in the role's default policy
    // they would make the state machine depend on itself.
    const ownExecutions = executionsArnOf(this, machine);
    const children = this.mapRunExecutionsArn();
    const policy = new Policy(this, 'DistributedMapPolicy', {
      statements: [
        // Start the map run's child executions.
        new PolicyStatement({ actions: ['states:StartExecution'], resources: [machine.stateMachineArn] }),
        // Watch and stop them.
        new PolicyStatement({
          actions: ['states:DescribeExecution', 'states:StopExecution'],
          resources: [ownExecutions],
        }),
        // Redriving a backfill execution redrives its map run: the children that failed.
        new PolicyStatement({ actions: ['states:RedriveExecution'], resources: [children] }),
      ],
    });
    machine.role.attachInlinePolicy(policy);
    acknowledgeWildcardResources(policy, [ownExecutions, children], OWN_EXECUTIONS_REASON);
  }

  /**
   * Lets `grantee` run backfills (`relay replay --distributed`, `relay backfill status`): start backfill
   * executions, describe and redrive them (and describe their items' child executions), list and describe
   * their map runs, and read the results bucket (work lists, manifests, result files).
   */
  grantOperate(grantee: IGrantable): Grant {
    const executions = executionsArnOf(this, this.stateMachine);
    return Grant.addToPrincipal({
      grantee,
      actions: ['states:StartExecution'],
      resourceArns: [this.stateMachine.stateMachineArn],
    })
      .combine(
        Grant.addToPrincipal({
          grantee,
          actions: ['states:DescribeExecution', 'states:RedriveExecution', 'states:ListMapRuns'],
          resourceArns: [executions],
        }),
      )
      .combine(
        Grant.addToPrincipal({
          grantee,
          actions: ['states:DescribeExecution'],
          resourceArns: [this.mapRunExecutionsArn()],
        }),
      )
      .combine(
        Grant.addToPrincipal({
          grantee,
          actions: ['states:DescribeMapRun'],
          resourceArns: [this.mapRunsArn()],
        }),
      )
      .combine(
        Grant.addToPrincipal({
          grantee,
          actions: ['s3:GetObject'],
          resourceArns: [`${this.resultsBucket.bucketArn}/*`],
        }),
      )
      .combine(
        Grant.addToPrincipal({
          grantee,
          actions: [LIST_BUCKET_ACTION],
          resourceArns: [this.resultsBucket.bucketArn],
        }),
      );
  }
}

/** The backfill's stack outputs, beside the relay's (same scope): its state machine and results bucket. */
export function addBackfillOutputs(scope: Construct, backfill: RelayBackfill): void {
  new CfnOutput(scope, BACKFILL_STATE_MACHINE_OUTPUT, {
    description: 'The backfill state machine (relay the existing objects of a source prefix)',
    value: backfill.stateMachine.stateMachineArn,
  });
  new CfnOutput(scope, BACKFILL_RESULTS_OUTPUT, {
    description: "The bucket of the backfill's work lists and results (a backfill request's results.bucket)",
    value: backfill.resultsBucket.bucketName,
  });
}
