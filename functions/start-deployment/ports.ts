import {
  type CodeDeployClient,
  CreateDeploymentCommand,
  GetDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import type { TargetConfig } from '../../core/config/schema.ts';
import { revisionLocationOf } from '../../core/deployment/find.ts';
import type { DeploymentPorts, DeploymentsPort } from '../../core/deployment/ports.ts';
import { ledgerKey } from '../../core/deployment-ledger.ts';
import { UnexpectedAwsError } from '../../core/errors.ts';
import type { Replica } from '../../core/workflow.ts';
import { awsCall, sendOptions } from '../shared/aws-call.ts';
import type { CodeDeployClientFor, S3ClientFor } from '../shared/clients.ts';
import type { TaskLog } from '../shared/log.ts';
import { findDeploymentOfRevision } from './find-deployment.ts';
import { readLedger, writeLedger } from './ledger-store.ts';
import { headReplica } from './replica-current.ts';

/**
 * The StartDeployment task's adapters for the deployment logic's ports (core/deployment/ports.ts),
 * over the task's injected S3 and CodeDeploy clients in the target's region: the ledger
 * (ledger-store.ts), the replica's HEAD (replica-current.ts), and CodeDeploy's ListDeployments /
 * BatchGetDeployments, CreateDeployment and GetDeployment (CodeDeploy API reference).
 */

/** What the adapters are built from. */
export interface TaskPortsDeps {
  readonly codeDeployClientFor: CodeDeployClientFor;
  readonly s3ClientFor: S3ClientFor;
  readonly log?: TaskLog;
}

function codeDeployPort(
  client: CodeDeployClient,
  group: string,
  signal: AbortSignal | undefined,
): DeploymentsPort {
  return {
    async find(deploy, revision, statuses, now) {
      const found = await findDeploymentOfRevision(client, deploy, revision, now, signal, statuses);
      if (found?.deploymentId === undefined) return undefined;
      return { id: found.deploymentId, status: found.status };
    },
    async create(request) {
      const response = await awsCall(
        () =>
          client.send(
            new CreateDeploymentCommand({
              applicationName: request.application,
              deploymentGroupName: request.deploymentGroup,
              revision: revisionLocationOf(request.revision),
              ...(request.deploymentConfigName === undefined
                ? {}
                : { deploymentConfigName: request.deploymentConfigName }),
              description: request.description,
            }),
            sendOptions(signal),
          ),
        { operation: 'codedeploy:CreateDeployment', side: 'target', target: group },
      );
      if (response.deploymentId === undefined) {
        throw new UnexpectedAwsError('codedeploy:CreateDeployment returned no deployment id', {
          operation: 'codedeploy:CreateDeployment',
        });
      }
      return response.deploymentId;
    },
    async get(id) {
      const response = await awsCall(
        () => client.send(new GetDeploymentCommand({ deploymentId: id }), sendOptions(signal)),
        { operation: 'codedeploy:GetDeployment', side: 'target', target: group },
      );
      const info = response.deploymentInfo;
      if (info === undefined) return undefined;
      return {
        id,
        status: info.status,
        errorCode: info.errorInformation?.code,
        errorMessage: info.errorInformation?.message,
      };
    },
  };
}

/** The ports of one deployment of `replica` to `target`'s group, in `target`'s region. */
export function taskDeploymentPorts(
  deps: TaskPortsDeps,
  target: Pick<TargetConfig, 'region' | 'account' | 'encryption'> & {
    readonly deploy: { readonly application: string; readonly deploymentGroup: string };
  },
  replica: Replica,
  signal: AbortSignal | undefined,
): DeploymentPorts {
  const s3 = () => deps.s3ClientFor(target.region);
  const location = {
    bucket: replica.bucket,
    key: ledgerKey(target.deploy.application, target.deploy.deploymentGroup),
    target,
  };
  const group = `${target.deploy.application}/${target.deploy.deploymentGroup}@${target.region}`;
  return {
    ledger: {
      read: () => readLedger(s3(), location, signal),
      write: (record, expected) => writeLedger(s3(), location, record, expected, signal),
    },
    replica: { head: () => headReplica(s3(), replica, target.account, signal) },
    deployments: codeDeployPort(deps.codeDeployClientFor(target.region), group, signal),
    ...(deps.log === undefined ? {} : { log: deps.log }),
  };
}
