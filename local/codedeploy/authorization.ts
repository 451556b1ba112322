/**
 * What IAM authorizes for a CodeDeploy request: the action(s) and the resource ARN of each, from the
 * operation, its input and (for deployment IDs and a group's default configuration) what the service
 * knows. Pure: the hook that evaluates them against the caller's policies is authorizer.ts.
 *
 * Written from the Service Authorization Reference, "Actions, resources, and condition keys for AWS
 * CodeDeploy" (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodedeploy.html),
 * which names the resource type each action is evaluated on, and the CodeDeploy User Guide's
 * "CodeDeploy permissions reference"
 * (https://docs.aws.amazon.com/codedeploy/latest/userguide/auth-and-access-control-permissions-reference.html),
 * which gives the ARN formats and the footnotes:
 *
 * - Applications — CreateApplication, GetApplication, DeleteApplication: `codedeploy:<Operation>` on
 *   `arn:<partition>:codedeploy:<region>:<account>:application:<application>`; BatchGetApplications on
 *   each named application; ListDeploymentGroups on the application (the Reference's resource type).
 * - Deployment groups — CreateDeploymentGroup, GetDeploymentGroup, DeleteDeploymentGroup:
 *   `…:deploymentgroup:<application>/<group>`.
 * - CreateDeployment: `codedeploy:CreateDeployment` on the group; and, as the permissions reference's
 *   footnote requires, `codedeploy:GetDeploymentConfig` on `…:deploymentconfig:<name>` of the
 *   configuration the deployment uses (the one named, else the group's), and
 *   `codedeploy:GetApplicationRevision` **or** `codedeploy:RegisterApplicationRevision` on the
 *   application (either one suffices).
 * - GetDeployment, BatchGetDeployments: on the group of each deployment (looked up by ID). An ID that
 *   names no deployment has no group to evaluate; the operation answers DeploymentDoesNotExistException
 *   (GetDeployment) or leaves it out (BatchGetDeployments).
 * - ListDeployments: on the group when the request names one; listing every deployment of the region is
 *   not resource-scoped (the permissions reference's footnote) and is evaluated on `*`.
 * - ListApplications, StopDeployment: the Reference lists no resource type (the permissions reference
 *   gives an ARN, but "if there is no value for this column, you must specify all resources ("*")"), so
 *   they are evaluated on `*`.
 *
 * The region is the one the request was signed for (CodeDeploy is regional), the account the stack's.
 * Names enter the ARN as they are (core/permissions/arns.ts with `literal`). IAM is evaluated on the ARN
 * before the resource is looked up: a request on a group that does not exist is denied unless its ARN
 * is allowed, and only then answered DeploymentGroupDoesNotExistException. Condition keys
 * (`aws:ResourceTag/…`) are not set: the local CodeDeploy keeps no tags.
 */
import {
  codeDeployApplicationArn,
  codeDeployConfigArn,
  codeDeployGroupArn,
} from '../../core/permissions/arns.ts';

/** One action on one resource that IAM must allow. */
export interface CodeDeployPermission {
  readonly action: string;
  readonly resource: string;
}

/** What a request needs allowed: any one of `anyOf` (mostly a single permission). */
export interface CodeDeployRequirement {
  readonly anyOf: readonly CodeDeployPermission[];
}

/** The application and group a deployment belongs to. */
export interface DeploymentPlace {
  readonly applicationName: string;
  readonly deploymentGroupName: string;
}

/** What the mapping reads of a request and of the service's state. */
export interface CodeDeployAuthorizationInput {
  /** The operation (the part of `X-Amz-Target` after the dot). */
  readonly operation: string;
  readonly input: Readonly<Record<string, unknown>>;
  /** The region the request was signed for. */
  readonly region: string;
  /** The account owning the resources (the stack's). */
  readonly account: string;
  /** The application and group of a deployment of this region; `undefined` when there is none. */
  readonly deploymentOf: (deploymentId: string) => DeploymentPlace | undefined;
  /** The configuration a deployment group of this region uses; `undefined` when there is no such group. */
  readonly groupConfigOf: (application: string, group: string) => string | undefined;
}

type Mapping = (request: CodeDeployAuthorizationInput) => readonly CodeDeployRequirement[] | undefined;

const LITERAL = { literal: true } as const;

function name(input: Readonly<Record<string, unknown>>, member: string): string | undefined {
  const value = input[member];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function strings(input: Readonly<Record<string, unknown>>, member: string): string[] | undefined {
  const value = input[member];
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.every((v): v is string => typeof v === 'string') ? value : undefined;
}

function one(action: string, resource: string): CodeDeployRequirement {
  return { anyOf: [{ action, resource }] };
}

function applicationArn(request: CodeDeployAuthorizationInput, application: string): string {
  return codeDeployApplicationArn(request.region, request.account, application, LITERAL);
}

function groupArn(request: CodeDeployAuthorizationInput, application: string, group: string): string {
  return codeDeployGroupArn(request.region, request.account, application, group, LITERAL);
}

/** `codedeploy:<operation>` on the named application. */
function onApplication(request: CodeDeployAuthorizationInput): CodeDeployRequirement[] | undefined {
  const application = name(request.input, 'applicationName');
  if (application === undefined) return undefined;
  return [one(`codedeploy:${request.operation}`, applicationArn(request, application))];
}

/** `codedeploy:<operation>` on the named deployment group. */
function onGroup(request: CodeDeployAuthorizationInput): CodeDeployRequirement[] | undefined {
  const application = name(request.input, 'applicationName');
  const group = name(request.input, 'deploymentGroupName');
  if (application === undefined || group === undefined) return undefined;
  return [one(`codedeploy:${request.operation}`, groupArn(request, application, group))];
}

/** `codedeploy:<operation>` on every resource (an action without resource-level permissions). */
function onAll(request: CodeDeployAuthorizationInput): CodeDeployRequirement[] {
  return [one(`codedeploy:${request.operation}`, '*')];
}

/** `codedeploy:<operation>` on the group of each named deployment that exists. */
function onDeploymentGroups(
  request: CodeDeployAuthorizationInput,
  ids: readonly string[],
): CodeDeployRequirement[] {
  const resources = new Set<string>();
  for (const id of ids) {
    const place = request.deploymentOf(id);
    if (place !== undefined)
      resources.add(groupArn(request, place.applicationName, place.deploymentGroupName));
  }
  return [...resources].map((resource) => one(`codedeploy:${request.operation}`, resource));
}

function createDeployment(request: CodeDeployAuthorizationInput): CodeDeployRequirement[] | undefined {
  const application = name(request.input, 'applicationName');
  const group = name(request.input, 'deploymentGroupName');
  if (application === undefined || group === undefined) return undefined;
  const config = name(request.input, 'deploymentConfigName') ?? request.groupConfigOf(application, group);
  const app = applicationArn(request, application);
  return [
    one('codedeploy:CreateDeployment', groupArn(request, application, group)),
    // A group that does not exist has no configuration to name; the operation answers
    // DeploymentGroupDoesNotExistException once CreateDeployment on its ARN is allowed.
    ...(config === undefined
      ? []
      : [
          one(
            'codedeploy:GetDeploymentConfig',
            codeDeployConfigArn(request.region, request.account, config, LITERAL),
          ),
        ]),
    {
      anyOf: [
        { action: 'codedeploy:GetApplicationRevision', resource: app },
        { action: 'codedeploy:RegisterApplicationRevision', resource: app },
      ],
    },
  ];
}

/**
 * Every operation the local CodeDeploy serves (service.ts), mapped. `undefined` from a mapping: the
 * request lacks a name it needs, so it names no resource; the operation answers its validation error.
 */
export const CODEDEPLOY_AUTHORIZATION: Readonly<Record<string, Mapping>> = {
  CreateApplication: onApplication,
  GetApplication: onApplication,
  DeleteApplication: onApplication,
  BatchGetApplications: (request) => {
    const names = strings(request.input, 'applicationNames');
    if (names === undefined) return undefined;
    const resources = new Set(names.map((application) => applicationArn(request, application)));
    return [...resources].map((resource) => one('codedeploy:BatchGetApplications', resource));
  },
  ListApplications: onAll,
  CreateDeploymentGroup: onGroup,
  GetDeploymentGroup: onGroup,
  DeleteDeploymentGroup: onGroup,
  ListDeploymentGroups: onApplication,
  CreateDeployment: createDeployment,
  GetDeployment: (request) => {
    const id = name(request.input, 'deploymentId');
    return id === undefined ? undefined : onDeploymentGroups(request, [id]);
  },
  BatchGetDeployments: (request) => {
    const ids = strings(request.input, 'deploymentIds');
    return ids === undefined ? undefined : onDeploymentGroups(request, ids);
  },
  ListDeployments: (request) => {
    const application = name(request.input, 'applicationName');
    const group = name(request.input, 'deploymentGroupName');
    if (application === undefined || group === undefined) return onAll(request);
    return [one('codedeploy:ListDeployments', groupArn(request, application, group))];
  },
  StopDeployment: onAll,
};

/**
 * The requirements of a CodeDeploy request, in the order they are evaluated; `undefined` when the
 * request names no resource (see {@link CODEDEPLOY_AUTHORIZATION}). An operation without a mapping
 * needs `codedeploy:<operation>` on `*`, which a policy grants only on purpose.
 */
export function codeDeployAuthorization(
  request: CodeDeployAuthorizationInput,
): readonly CodeDeployRequirement[] | undefined {
  const mapping = Object.hasOwn(CODEDEPLOY_AUTHORIZATION, request.operation)
    ? CODEDEPLOY_AUTHORIZATION[request.operation]
    : undefined;
  return mapping === undefined ? onAll(request) : mapping(request);
}
