/**
 * The task functions running in-process against the local stack with real SDK clients — the way
 * the local state machine runs them — plus a few helpers to drive one target through them.
 *
 * Each function signs as its own role, as on AWS, holding the identity policy the permission plan
 * gives it for the configurations the test resolved so far (each `resolve(config, …)` adds that
 * configuration's statements), so every request of theirs is evaluated; the test's own clients
 * (`s3(region)`, `codeDeploy(region)`) act as the account administrator.
 */
import { randomBytes } from 'node:crypto';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { parseConfig } from '../../../core/config/parse.ts';
import type { RelayConfig, RelayConfigInput } from '../../../core/config/schema.ts';
import { PLANNED_ROLES, type PlannedRole, planPermissions } from '../../../core/permissions/plan.ts';
import { policyDocumentOf } from '../../../core/permissions/policy-document.ts';
import type {
  CopyResult,
  DeploymentState,
  ResolveTargetsOutput,
  TaskInput,
  VerifyResult,
} from '../../../core/workflow.ts';
import { createCheckDeploymentHandler } from '../../../functions/check-deployment/index.ts';
import { createCopyObjectHandler } from '../../../functions/copy-object/index.ts';
import { createResolveTargetsHandler } from '../../../functions/resolve-targets/index.ts';
import { createStartDeploymentHandler } from '../../../functions/start-deployment/index.ts';
import { createVerifyCopyHandler } from '../../../functions/verify-copy/index.ts';
import { localRoleArn } from '../../../local/relay-handlers.ts';
import { startTestStack, TEST_AUTH, type TestStack } from '../../helpers/local-stack.ts';

/** Copy calls a test allows before it calls a copy endless. */
const MAX_COPY_CALLS = 50;

export interface RelayHarness {
  readonly stack: TestStack;
  s3(region: string): S3Client;
  codeDeploy(region: string): CodeDeployClient;
  /** Creates a bucket in `region`, versioned when asked. */
  bucket(name: string, region: string, options?: { versioned?: boolean }): Promise<void>;
  resolve(config: RelayConfig, input: unknown): Promise<ResolveTargetsOutput>;
  copy(input: TaskInput, options?: { partConcurrency?: number }): Promise<CopyResult>;
  verify(input: TaskInput): Promise<VerifyResult>;
  startDeployment(input: TaskInput): Promise<DeploymentState>;
  checkDeployment(input: TaskInput): Promise<DeploymentState>;
  /** Copies until the copy is no longer `copying`; returns every result in order. */
  copyToEnd(input: TaskInput, options?: { partConcurrency?: number }): Promise<CopyResult[]>;
  dispose(): Promise<void>;
}

/** A configuration with one source and the given targets (one rule, any key). */
export function relayConfig(
  source: { bucket: string; region: string },
  targets: RelayConfigInput['sources'][number]['rules'][number]['targets'],
  defaults: RelayConfigInput['defaults'] = {},
): RelayConfig {
  return parseConfig({ sources: [{ ...source, rules: [{ name: 'all', targets }] }], defaults }, 'test');
}

/** The per-target input of the first target of a resolution. */
export function firstTargetInput(resolved: ResolveTargetsOutput, index = 0): TaskInput {
  const target = resolved.targets[index];
  if (resolved.source === undefined || target === undefined) {
    throw new Error(`nothing resolved: ${resolved.reason ?? 'no reason'} ${resolved.detail ?? ''}`);
  }
  return { source: resolved.source, settings: resolved.settings, target };
}

export async function startRelayHarness(): Promise<RelayHarness> {
  const stack = await startTestStack({ timeScale: 0.001, auth: TEST_AUTH });
  const s3Clients = new Map<string, S3Client>();
  const codeDeployClients = new Map<string, CodeDeployClient>();
  const s3 = (region: string): S3Client => {
    let client = s3Clients.get(region);
    if (client === undefined) {
      client = stack.s3Client(region);
      s3Clients.set(region, client);
    }
    return client;
  };
  const codeDeploy = (region: string): CodeDeployClient => {
    let client = codeDeployClients.get(region);
    if (client === undefined) {
      client = stack.codeDeployClient(region);
      codeDeployClients.set(region, client);
    }
    return client;
  };
  const roles = taskRoles(stack);
  const resolveClients = roles.s3('resolve-targets');
  const verify = createVerifyCopyHandler({ s3ClientFor: roles.s3('verify-copy') });
  const startDeployment = createStartDeploymentHandler({
    codeDeployClientFor: roles.codeDeploy('start-deployment'),
    s3ClientFor: roles.s3('start-deployment'),
  });
  const checkDeployment = createCheckDeploymentHandler({
    codeDeployClientFor: roles.codeDeploy('check-deployment'),
  });
  const copyClients = roles.s3('copy-object');
  const copy = (input: TaskInput, options: { partConcurrency?: number } = {}) =>
    createCopyObjectHandler({ s3ClientFor: copyClients, ...options })(input);

  return {
    stack,
    s3,
    codeDeploy,
    async bucket(name, region, options = {}) {
      await s3(region).send(
        new CreateBucketCommand({
          Bucket: name,
          ...(region === 'us-east-1'
            ? {}
            : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
        }),
      );
      if (options.versioned === true) {
        await s3(region).send(
          new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }),
        );
      }
    },
    resolve: (config, input) => {
      roles.allow(config);
      return createResolveTargetsHandler({
        s3ClientFor: resolveClients,
        loadConfig: async () => config,
      })(input);
    },
    copy,
    verify: (input) => verify(input),
    startDeployment: (input) => startDeployment(input),
    checkDeployment: (input) => checkDeployment(input),
    async copyToEnd(input, options = {}) {
      const results: CopyResult[] = [];
      let state: TaskInput = input;
      for (let call = 0; call < MAX_COPY_CALLS; call++) {
        const result = await copy(state, options);
        results.push(result);
        if (result.status !== 'copying') return results;
        state = { ...state, copy: result };
      }
      throw new Error(`the copy was still copying after ${MAX_COPY_CALLS} calls`);
    },
    dispose: async () => {
      roles.destroy();
      await stack.dispose();
    },
  };
}

/**
 * The five task roles, registered with the stack under key pairs of their own; `allow(config)` adds the
 * statements the plan gives each role for `config` to what it holds.
 */
function taskRoles(stack: TestStack) {
  const keys = Object.fromEntries(
    PLANNED_ROLES.map((role) => [
      role,
      { accessKeyId: `fn-${role}`, secretAccessKey: randomBytes(24).toString('base64') },
    ]),
  ) as Record<PlannedRole, { accessKeyId: string; secretAccessKey: string }>;
  const allowed: RelayConfig[] = [];
  const register = (): void => {
    for (const role of PLANNED_ROLES) {
      stack.principals.register({
        ...keys[role],
        arn: localRoleArn(stack.accountId, role),
        account: stack.accountId,
        policies: allowed.map((config) => policyDocumentOf(planPermissions(config, stack.accountId)[role])),
      });
    }
  };
  register();
  const clients: Array<{ destroy(): void }> = [];
  const cached = <C extends { destroy(): void }>(create: (region: string) => C) => {
    const byRegion = new Map<string, C>();
    return (region: string): C => {
      let client = byRegion.get(region);
      if (client === undefined) {
        client = create(region);
        byRegion.set(region, client);
        clients.push(client);
      }
      return client;
    };
  };
  const settings = (role: PlannedRole, region: string) => ({
    endpoint: stack.endpoint,
    region,
    credentials: keys[role],
  });
  return {
    allow(config: RelayConfig): void {
      if (!allowed.includes(config)) allowed.push(config);
      register();
    },
    s3: (role: PlannedRole) =>
      cached((region) => new S3Client({ ...settings(role, region), forcePathStyle: true })),
    codeDeploy: (role: PlannedRole) => cached((region) => new CodeDeployClient(settings(role, region))),
    destroy(): void {
      for (const client of clients) client.destroy();
    },
  };
}
