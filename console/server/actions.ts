/**
 * The console's Stop, Relay again, Approve and Reject, with the operator's own credentials (the CLI's
 * connection).
 *
 * - Stop: StopExecution on a RUNNING execution, with neither `error` nor `cause`, so an execution whose
 *   data is KMS-encrypted can be stopped without KMS permissions (Step Functions API reference,
 *   StopExecution).
 * - Relay again: the replay of one S3 URL, exactly as `relay replay s3://bucket/key` starts it
 *   (cli/replay/: the object's current version, the plain `{bucket, key, versionId}` request, the
 *   deterministic execution name, so a version already relayed starts nothing).
 * - Approve / Reject: the deployment wave's approval the execution waits on, answered as `relay
 *   approve|reject` answers it (cli/executions/approval.ts: SendTaskSuccess, or SendTaskFailure with
 *   `Relay.ApprovalRejected`), recorded as the operator running the console (`user@host`, as `relay
 *   approve` without `--as`). The task token is read from the history on the server and never sent out.
 */
import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { CliError } from '../../cli/errors.ts';
import { answerApproval } from '../../cli/executions/approval.ts';
import { type ListedObject, listObjects } from '../../cli/replay/list-objects.ts';
import { replayItem, startReplay } from '../../cli/replay/start.ts';
import type { ApprovalDecision } from '../../core/approvals.ts';
import { findSource, resolveTargets } from '../../core/routing.ts';
import type { ApprovalAnswerView, RelayAgainAnswer, StopAnswer } from '../api-types.ts';
import { type ConsoleBackend, describeNamed } from './api.ts';
import { type DecisionRequest, decisionView, readDecisionBody } from './approvals.ts';
import { ApprovalConflictError, BadRequestError, NotFoundError } from './errors.ts';
import { configOf, required } from './query.ts';

/** Allowance for the clock difference between this machine and Step Functions (as `relay replay`). */
const CLOCK_SLACK_MS = 1000;

/** POST /api/executions/:arn/stop — StopExecution, or why it is not stopped. */
export async function stopExecution(backend: ConsoleBackend, arn: string): Promise<StopAnswer> {
  const { sfn, details } = await describeNamed(backend, arn);
  const skipped = (reason: string): StopAnswer => ({
    executionArn: details.executionArn,
    action: 'skipped',
    reason,
    stopDate: null,
  });
  if (details.status !== 'RUNNING') return skipped(`not running (it is ${details.status})`);
  const stopped = await sfn.send(new StopExecutionCommand({ executionArn: details.executionArn }));
  return {
    executionArn: details.executionArn,
    action: 'stopped',
    reason: null,
    stopDate: (stopped.stopDate ?? new Date()).toISOString(),
  };
}

/** POST /api/relay-again?bucket=&key= — the replay of one object: its current version, started once. */
export async function relayAgain(backend: ConsoleBackend, query: URLSearchParams): Promise<RelayAgainAnswer> {
  const bucket = required(query, 'bucket');
  const key = required(query, 'key');
  const config = await configOf(backend);
  const source = findSource(config, bucket);
  if (source === undefined) {
    throw new BadRequestError(
      `s3://${bucket} is not a source bucket in the relay configuration, so the relay would send nothing from it`,
    );
  }
  if (resolveTargets(config, { bucket, key }).targets.length === 0) {
    throw new BadRequestError(`the relay configuration sends s3://${bucket}/${key} nowhere`);
  }
  const startedAfter = new Date(Date.now() - CLOCK_SLACK_MS);
  // Keys under the prefix `key` are listed in order, the key itself first: only the first one counts.
  let object: ListedObject | undefined;
  for await (const listed of listObjects(backend.s3For(source.region), bucket, key)) {
    object = listed.key === key ? listed : undefined;
    break;
  }
  if (object === undefined) throw new NotFoundError(`s3://${bucket}/${key} does not exist (or is deleted)`);
  const machine = await backend.machine();
  const item = replayItem(bucket, object);
  await startReplay(backend.sfnFor(machine.region), machine, bucket, object, item, {
    dryRun: false,
    startedAfter,
  });
  return {
    bucket,
    key,
    versionId: item.versionId ?? null,
    status: item.status === 'would-start' ? 'failed' : item.status,
    executionArn: item.executionArn ?? null,
    detail: item.detail ?? null,
  };
}

/**
 * POST /api/executions/:arn/approve and …/reject: answers the approval the execution waits on, recorded
 * as `by`. A {@link CliError} from answerApproval (nothing pending, another wave, the wait just ended)
 * becomes 409 with its message.
 */
export async function decideApproval(
  backend: ConsoleBackend,
  arn: string,
  decision: ApprovalDecision['decision'],
  request: DecisionRequest,
  by: string,
): Promise<ApprovalAnswerView> {
  const body = readDecisionBody(decision, request);
  const { sfn, details } = await describeNamed(backend, arn);
  try {
    const outcome = await answerApproval(sfn, details, {
      decision,
      by,
      comment: body.comment,
      wave: body.wave,
    });
    return {
      executionArn: outcome.executionArn,
      name: outcome.name,
      wave: outcome.wave,
      decision: decisionView(outcome.decision),
    };
  } catch (err) {
    if (err instanceof CliError) throw new ApprovalConflictError(err.message);
    throw err;
  }
}
