/**
 * The Deployments view: per region of the configured deploying targets, the CodeDeploy deployments of
 * their application and deployment group, one page at a time — ListDeployments (one call, its
 * `nextToken` handed on) and BatchGetDeployments for that page's ids, at most 25 ids a call (CodeDeploy
 * API reference, ListDeployments and BatchGetDeployments). Never more than one page per group per request.
 */
import {
  BatchGetDeploymentsCommand,
  type CodeDeployClient,
  type DeploymentInfo,
  ListDeploymentsCommand,
} from '@aws-sdk/client-codedeploy';
import { translateError } from '../../cli/aws/translate-error.ts';
import { mapConcurrently } from '../../cli/concurrency.ts';
import type { RelayConfig } from '../../core/config/schema.ts';
import type { DeploymentGroupPage, DeploymentsView, DeploymentView } from '../api-types.ts';
import type { ConsoleBackend } from './api.ts';
import { NotFoundError } from './errors.ts';
import { configOf, optional, required } from './query.ts';

/** BatchGetDeployments takes at most 25 deployment ids. */
export const BATCH_GET_LIMIT = 25;
/** Groups read at once for the overview. */
const GROUP_CONCURRENCY = 4;

export interface DeploymentGroupRef {
  readonly region: string;
  readonly application: string;
  readonly deploymentGroup: string;
}

/** Every distinct (region, application, deployment group) a configured target deploys to, in config order. */
export function deployingGroups(config: RelayConfig): DeploymentGroupRef[] {
  const found = new Map<string, DeploymentGroupRef>();
  for (const source of config.sources) {
    for (const rule of source.rules) {
      for (const target of rule.targets) {
        if (target.deploy === undefined) continue;
        const ref = {
          region: target.region,
          application: target.deploy.application,
          deploymentGroup: target.deploy.deploymentGroup,
        };
        found.set(`${ref.region}\u0000${ref.application}\u0000${ref.deploymentGroup}`, ref);
      }
    }
  }
  return [...found.values()];
}

function deploymentView(info: DeploymentInfo): DeploymentView {
  const s3 = info.revision?.s3Location;
  return {
    deploymentId: info.deploymentId ?? '',
    status: info.status ?? 'Unknown',
    createTime: info.createTime?.toISOString() ?? null,
    completeTime: info.completeTime?.toISOString() ?? null,
    creator: info.creator ?? null,
    description: info.description ?? null,
    revision:
      s3 === undefined
        ? null
        : {
            bucket: s3.bucket ?? null,
            key: s3.key ?? null,
            bundleType: s3.bundleType ?? null,
            version: s3.version ?? null,
            eTag: s3.eTag ?? null,
          },
    errorMessage: info.errorInformation?.message ?? null,
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** One page of a group's deployments, newest first within the page. */
export async function deploymentPage(
  codeDeploy: CodeDeployClient,
  group: DeploymentGroupRef,
  nextToken: string | undefined,
): Promise<{ deployments: DeploymentView[]; nextToken: string | null }> {
  const page = await codeDeploy.send(
    new ListDeploymentsCommand({
      applicationName: group.application,
      deploymentGroupName: group.deploymentGroup,
      ...(nextToken === undefined ? {} : { nextToken }),
    }),
  );
  const ids = page.deployments ?? [];
  const batches = await Promise.all(
    chunks(ids, BATCH_GET_LIMIT).map((deploymentIds) =>
      codeDeploy.send(new BatchGetDeploymentsCommand({ deploymentIds })),
    ),
  );
  const deployments = batches
    .flatMap((batch) => batch.deploymentsInfo ?? [])
    .map(deploymentView)
    .sort((a, b) => (b.createTime ?? '').localeCompare(a.createTime ?? ''));
  return { deployments, nextToken: page.nextToken ?? null };
}

async function groupPage(
  backend: ConsoleBackend,
  group: DeploymentGroupRef,
  nextToken: string | undefined,
): Promise<DeploymentGroupPage> {
  try {
    const page = await deploymentPage(backend.codeDeployFor(group.region), group, nextToken);
    return { ...group, ...page, error: null };
  } catch (err) {
    const name = err instanceof Error ? err.name : 'Error';
    return {
      ...group,
      deployments: [],
      nextToken: null,
      error: { error: name, message: translateError(err).message },
    };
  }
}

/** GET /api/deployments — the first page of every configured group (a group that fails says why). */
export async function deploymentsOverview(backend: ConsoleBackend): Promise<DeploymentsView> {
  const groups = deployingGroups(await configOf(backend));
  return {
    groups: await mapConcurrently(groups, GROUP_CONCURRENCY, (group) => groupPage(backend, group, undefined)),
  };
}

/** GET /api/deployments/group?region=&application=&deploymentGroup=&next= — one page of one configured group. */
export async function deploymentGroupPage(
  backend: ConsoleBackend,
  query: URLSearchParams,
): Promise<DeploymentGroupPage> {
  const asked = {
    region: required(query, 'region'),
    application: required(query, 'application'),
    deploymentGroup: required(query, 'deploymentGroup'),
  };
  const group = deployingGroups(await configOf(backend)).find(
    (g) =>
      g.region === asked.region &&
      g.application === asked.application &&
      g.deploymentGroup === asked.deploymentGroup,
  );
  if (group === undefined) {
    throw new NotFoundError(
      `no configured target deploys to ${asked.application}/${asked.deploymentGroup} in ${asked.region}`,
    );
  }
  return groupPage(backend, group, optional(query, 'next'));
}
