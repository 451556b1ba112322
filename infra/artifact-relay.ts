import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Metric, type MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import type { Rule } from 'aws-cdk-lib/aws-events';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { FilterPattern, type ILogGroup, MetricFilter, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { LogLevel, type StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { RelayConfig } from '../core/config/schema.ts';
import { ConfigInvalid } from '../core/errors.ts';
import { type PermissionPlan, planPermissions } from '../core/permissions/plan.ts';
import { approvalWaves, deploymentWaveCount } from '../core/waves.ts';
import { DEFAULT_COPY_TIME_BUDGET_SECONDS } from '../core/workflow.ts';
import type { TaskRole } from '../state-machine/placeholders.ts';
import { alarmTopic, parseAlarmNotifications } from './alarm-notifications.ts';
import { addBackfillOutputs, BACKFILL_STATE_MACHINE_NAME_SUFFIX, RelayBackfill } from './backfill.ts';
import { nameTargets, readRelayConfig } from './config-input.ts';
import { type DeploymentEnvironment, deploymentProblems } from './deployment-checks.ts';
import { maxFullCopyBudgetSeconds, PIPELINE_ACTION_FUNCTION_SETTINGS } from './function-settings.ts';
import {
  RelayPipelineAction,
  type RelayPipelineActionProps,
  RelayPipelineFunction,
} from './pipeline-action.ts';
import type { ArtifactRelayProps, FunctionLogLevel } from './props.ts';
import { RelayAlarms } from './relay-alarms.ts';
import {
  DEFAULT_METRICS_NAMESPACE,
  DEFAULT_SERVICE_NAME,
  defaultExecutionTimeout,
  TARGETS_FAILED_METRIC,
} from './relay-defaults.ts';
import { NOTIFIER_FUNCTION_SETTINGS, RelayNotifier } from './relay-notifier.ts';
import { addRelayOutputs } from './relay-outputs.ts';
import { RelayStateMachine } from './relay-state-machine.ts';
import { SourceTriggers } from './source-triggers.ts';
import { TaskFunctions } from './task-functions.ts';

function concrete(value: string): string | undefined {
  return Token.isUnresolved(value) ? undefined : value;
}

/**
 * artifact-relay in an AWS account: the Step Functions workflow that copies each new build
 * artifact of the configured source buckets to the buckets of other regions, verifies every
 * replica and optionally deploys it with CodeDeploy — with its five task Lambdas, the EventBridge
 * rules on the (existing) source buckets, least-privilege IAM computed from the configuration,
 * logs, tracing and alarms.
 *
 * Deploy it to the region of its source buckets (S3 sends EventBridge events to that region's
 * bus); a configuration or environment mistake fails synth with every problem listed.
 */
export class ArtifactRelay extends Construct {
  /** The validated configuration, defaults applied. */
  readonly config: RelayConfig;
  /** The Standard state machine running the relay. */
  readonly stateMachine: StateMachine;
  /** The task functions by role (the `functions/` folder names). */
  readonly functions: Readonly<Record<TaskRole, NodejsFunction>>;
  /** Where EventBridge puts events it could not start an execution for. */
  readonly deadLetterQueue: Queue;
  /** The EventBridge rules, one per source, in configuration order. */
  readonly rules: readonly Rule[];
  /** The alarms (executions failed/timed out, dead-letter queue, each function's errors). */
  readonly alarms: readonly Alarm[];
  /** The SNS topic the alarms notify, or `undefined` when they notify nobody. */
  readonly alarmTopic: ITopic | undefined;
  /** The IAM each task function was given. */
  readonly permissions: PermissionPlan;
  /** The state machine's execution log group. */
  readonly logGroup: ILogGroup;
  /** The backfill workflow, or `undefined` when `props.backfill` is false. */
  readonly backfill: RelayBackfill | undefined;

  private readonly metricsNamespace: string;
  private readonly serviceName: string;
  private readonly logLevel: LogLevel;
  private readonly functionLogLevel: FunctionLogLevel;
  private readonly logRetention: RetentionDays;
  private readonly removalPolicy: RemovalPolicy;
  private pipelineFunction: RelayPipelineFunction | undefined;
  private notifier: RelayNotifier | undefined;

  constructor(scope: Construct, id: string, props: ArtifactRelayProps) {
    super(scope, id);
    const { config, sourceName } = readRelayConfig(props.config);
    const stack = Stack.of(this);
    const env: DeploymentEnvironment = { region: concrete(stack.region), account: concrete(stack.account) };
    const problems = nameTargets(config, deploymentProblems(config, env));
    if (problems.length > 0) throw new ConfigInvalid(sourceName, problems);
    this.warnAboutEnvironment(env, config);

    this.config = config;
    this.serviceName = props.serviceName ?? DEFAULT_SERVICE_NAME;
    this.metricsNamespace = props.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE;
    this.logLevel = props.logLevel ?? LogLevel.ERROR;
    const logRetention = props.logRetention ?? RetentionDays.THREE_MONTHS;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.functionLogLevel = props.functionLogLevel ?? 'INFO';
    this.logRetention = logRetention;
    this.removalPolicy = removalPolicy;
    this.permissions = planPermissions(config, stack.account);

    const functions = new TaskFunctions(this, 'Functions', {
      config,
      permissions: this.permissions,
      serviceName: this.serviceName,
      metricsNamespace: this.metricsNamespace,
      logLevel: this.functionLogLevel,
      logRetention,
      removalPolicy,
    });
    this.functions = functions.byRole;

    const machine = new RelayStateMachine(this, 'Workflow', {
      functions: this.functions,
      maxConcurrency: config.defaults.maxConcurrency,
      deploymentWaves: deploymentWaveCount(config),
      approvals: approvalWaves(config),
      timeout: props.executionTimeout ?? defaultExecutionTimeout(config),
      logLevel: this.logLevel,
      logRetention,
      removalPolicy,
      stateMachineName: props.stateMachineName,
    });
    this.stateMachine = machine.stateMachine;
    this.logGroup = machine.logGroup;
    if (this.logLevel === LogLevel.ERROR || this.logLevel === LogLevel.ALL) {
      new MetricFilter(this, 'TargetsFailedFilter', {
        logGroup: machine.logGroup,
        // The second pass has no Catch: each of its failed iterations is a target that failed twice.
        filterPattern: FilterPattern.stringValue('$.type', '=', 'MapIterationFailed'),
        metricNamespace: this.metricsNamespace,
        metricName: TARGETS_FAILED_METRIC,
        metricValue: '1',
      });
    }

    const triggers = new SourceTriggers(this, 'Sources', {
      sources: config.sources,
      stateMachine: this.stateMachine,
      removalPolicy,
    });
    this.deadLetterQueue = triggers.deadLetterQueue;
    this.rules = triggers.rules;

    this.alarmTopic = alarmTopic(this, {
      topic: props.alarmTopic,
      notifications:
        props.alarmNotifications === undefined
          ? undefined
          : {
              value: parseAlarmNotifications(props.alarmNotifications, 'props.alarmNotifications'),
              sourceName: 'props.alarmNotifications',
            },
      configured: config.alarms === undefined ? undefined : { value: config.alarms, sourceName },
    });
    this.alarms = new RelayAlarms(this, 'Alarms', {
      stateMachine: this.stateMachine,
      deadLetterQueue: this.deadLetterQueue,
      functions: this.functions,
      functionErrorsThreshold: props.functionErrorsThreshold ?? 1,
      topic: this.alarmTopic,
    }).alarms;

    this.backfill =
      (props.backfill ?? true)
        ? new RelayBackfill(this, 'Backfill', {
            config,
            relayStateMachine: this.stateMachine,
            serviceName: this.serviceName,
            metricsNamespace: this.metricsNamespace,
            functionLogLevel: this.functionLogLevel,
            logLevel: this.logLevel,
            logRetention,
            removalPolicy,
            resultsExpiration: props.backfillResultsExpiration,
            stateMachineName:
              props.backfillStateMachineName ??
              (props.stateMachineName === undefined
                ? undefined
                : `${props.stateMachineName}${BACKFILL_STATE_MACHINE_NAME_SUFFIX}`),
          })
        : undefined;

    if (props.outputs ?? true) {
      addRelayOutputs(this);
      if (this.backfill !== undefined) addBackfillOutputs(this, this.backfill);
    }
  }

  private warnAboutEnvironment(env: DeploymentEnvironment, config: RelayConfig): void {
    if (env.region === undefined) {
      Annotations.of(this).addWarningV2(
        'artifact-relay:region-unknown',
        `The stack has no region: deploy it to ${config.sources[0]?.region ?? 'the sources\u2019 region'}, the region of the source buckets (S3 sends EventBridge events only to the bus of the bucket's region).`,
      );
    }
    const budget = config.defaults.copyTimeBudgetSeconds ?? DEFAULT_COPY_TIME_BUDGET_SECONDS;
    if (budget > maxFullCopyBudgetSeconds()) {
      Annotations.of(this).addWarningV2(
        'artifact-relay:copy-budget',
        `defaults.copyTimeBudgetSeconds is ${budget} s, but the copy function must hand back before its timeout: each copy invocation works for at most ${maxFullCopyBudgetSeconds()} s.`,
      );
    }
  }

  /**
   * A CodePipeline action that relays its input artifact (the build output) to the targets of
   * `props.rule` and reports back to the pipeline: add it to your pipeline's stage with
   * `stage.addAction(relay.pipelineAction({ … }))`. The first call creates the action's Lambda
   * ({@link pipelineActionFunction}); every action of every pipeline shares it.
   *
   * @throws ConfigInvalid when the rule does not exist or the parameters are invalid (and, when the
   *   action is added to a stage, when the destination key is not one the rule relays)
   */
  pipelineAction(props: RelayPipelineActionProps): RelayPipelineAction {
    const fn = this.pipelineActionFunction();
    const taskRoles = Object.fromEntries(
      Object.entries(this.functions).flatMap(([role, task]) =>
        task.role === undefined ? [] : [[role, task.role]],
      ),
    );
    return new RelayPipelineAction(props, { config: this.config, function: fn.function, taskRoles });
  }

  /** The pipeline action's Lambda and role, created on first use. */
  pipelineActionFunction(): RelayPipelineFunction {
    this.pipelineFunction ??= new RelayPipelineFunction(this, PIPELINE_ACTION_FUNCTION_SETTINGS.id, {
      stateMachine: this.stateMachine,
      serviceName: this.serviceName,
      metricsNamespace: this.metricsNamespace,
      logLevel: this.functionLogLevel,
      logRetention: this.logRetention,
      removalPolicy: this.removalPolicy,
    });
    return this.pipelineFunction;
  }

  /**
   * Publishes the relay's own events (source `artifact-relay` on the default bus: `Target Failed`,
   * `Target Superseded`, `Target Held`, `Deployment Finished` — core/relay-events.ts) for operators to
   * route with their own rules. The first call creates the notifier (its function, role and the rule on
   * the state machine's status changes); later calls return it.
   */
  publishRelayEvents(): RelayNotifier {
    this.notifier ??= new RelayNotifier(this, NOTIFIER_FUNCTION_SETTINGS.id, {
      stateMachine: this.stateMachine,
      serviceName: this.serviceName,
      metricsNamespace: this.metricsNamespace,
      logLevel: this.functionLogLevel,
      logRetention: this.logRetention,
      removalPolicy: this.removalPolicy,
    });
    return this.notifier;
  }

  /** Lets `grantee` start relay executions (replaying an object by hand, as `relay replay` does). */
  grantStartExecution(grantee: IGrantable): Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  /**
   * Lets `grantee` describe the state machine, list its executions and read their history
   * (`relay executions`/`show`) — this state machine's only, unlike `StateMachine.grantRead`.
   */
  grantRead(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['states:DescribeStateMachine', 'states:ListExecutions'],
      resourceArns: [this.stateMachine.stateMachineArn],
    }).combine(
      this.stateMachine.grantExecution(
        grantee,
        'states:DescribeExecution',
        'states:DescribeStateMachineForExecution',
        'states:GetExecutionHistory',
      ),
    );
  }

  /**
   * Lets `grantee` run backfills (`relay replay --distributed`, `relay backfill status`): start, describe
   * and redrive backfill executions, list and describe their map runs, and read the results bucket.
   *
   * @throws Error when the relay was built with `backfill: false`
   */
  grantBackfill(grantee: IGrantable): Grant {
    if (this.backfill === undefined) {
      throw new Error(
        'grantBackfill: this relay has no backfill workflow (props.backfill is false); remove `backfill: false` to deploy it',
      );
    }
    return this.backfill.grantOperate(grantee);
  }

  /** Lets `grantee` redrive failed executions (`relay redrive`, or the console's Redrive button). */
  grantRedriveExecution(grantee: IGrantable): Grant {
    return this.stateMachine.grantRedriveExecution(grantee);
  }

  /**
   * Lets `grantee` approve or reject a deployment wave (`relay approve|reject`, or the console):
   * SendTaskSuccess/SendTaskFailure on the state machine's task tokens. The token is read from the
   * execution's history, so the grantee also needs {@link grantRead}.
   */
  grantApprove(grantee: IGrantable): Grant {
    return this.stateMachine.grantTaskResponse(grantee);
  }

  /** Executions that failed: a target failed both passes (sum over 5 minutes by default). */
  metricExecutionsFailed(props?: MetricOptions): Metric {
    return this.stateMachine.metricFailed(props);
  }

  /** Executions that timed out (sum over 5 minutes by default). */
  metricExecutionsTimedOut(props?: MetricOptions): Metric {
    return this.stateMachine.metricTimedOut(props);
  }

  /** Executions that succeeded (sum over 5 minutes by default). */
  metricExecutionsSucceeded(props?: MetricOptions): Metric {
    return this.stateMachine.metricSucceeded(props);
  }

  /**
   * Targets that failed both passes, counted from the state machine's logs (each one a
   * `MapIterationFailed` of the second pass).
   *
   * @throws Error when the state machine log level is OFF or FATAL (those failures are not logged)
   */
  metricTargetsFailed(props?: MetricOptions): Metric {
    if (this.logLevel !== LogLevel.ERROR && this.logLevel !== LogLevel.ALL) {
      throw new Error(
        `metricTargetsFailed needs the state machine to log errors; logLevel is ${this.logLevel} (use ERROR or ALL)`,
      );
    }
    return new Metric({
      namespace: this.metricsNamespace,
      metricName: TARGETS_FAILED_METRIC,
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...props,
    });
  }

  /** Targets ResolveTargets found, the task functions' own metric (sum over 5 minutes by default). */
  metricTargetsResolved(props?: MetricOptions): Metric {
    return this.taskMetric('TargetsResolved', props);
  }

  /** Bytes the copy function copied (sum over 5 minutes by default). */
  metricBytesCopied(props?: MetricOptions): Metric {
    return this.taskMetric('BytesCopied', props);
  }

  /** Deployments StartDeployment created (sum over 5 minutes by default). */
  metricDeploymentsStarted(props?: MetricOptions): Metric {
    return this.taskMetric('DeploymentsStarted', props);
  }

  /** One of the task functions' Powertools metrics, by name (dimension `service`). */
  taskMetric(metricName: string, props?: MetricOptions): Metric {
    return new Metric({
      namespace: this.metricsNamespace,
      metricName,
      dimensionsMap: { service: this.serviceName },
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...props,
    });
  }
}
