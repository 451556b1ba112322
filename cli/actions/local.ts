/**
 * `relay local`: the local stack in the foreground, with the relay deployed on it from the
 * configuration (buckets and deployment groups created), so `aws --endpoint-url … s3 cp` into a
 * source bucket starts a real execution. Ctrl-C stops it cleanly.
 */

import { randomBytes } from 'node:crypto';
import { startLocalConsole } from '../../console/server/local-console.ts';
import type { ConsoleServer } from '../../console/server/server.ts';
import type { RelayConfig } from '../../core/config/schema.ts';
import { PLANNED_ROLES } from '../../core/permissions/plan.ts';
import { deployBackfill, localResultsBucket } from '../../local/backfill.ts';
import type { FaultRule } from '../../local/faults.ts';
import { type KeyPair, type LocalStack, startLocalStack } from '../../local/index.ts';
import { DEFAULT_STATE_MACHINE_NAME, deployRelay } from '../../local/relay.ts';
import {
  createLocalNotifyHandler,
  createLocalTaskHandlers,
  localRoleArn,
} from '../../local/relay-handlers.ts';
import { type ConfigChoice, findConfig, loadConfigChoice } from '../config-file.ts';
import { CliError } from '../errors.ts';
import { untilInterrupted } from '../interrupted.ts';
import { readFaultsFile } from '../local-relay/faults-file.ts';
import {
  createBucket,
  type OtherAccounts,
  otherAccountsOf,
  provisionConfig,
} from '../local-relay/provision.ts';
import { resolveUserCredentials } from '../local-relay/user-credentials.ts';
import { type DeployedInfo, renderLocalBanner } from '../render/local.ts';

export interface LocalFlags {
  readonly port: number;
  readonly dataDir: string;
  readonly quiet?: boolean;
  readonly config?: string;
  /** `--no-relay` sets it false. */
  readonly relay: boolean;
  readonly faults?: string;
  readonly timeScale: number;
  /** `--allow-host`: Host names answered besides the built-in ones. */
  readonly allowHost?: readonly string[];
  /** `--strict-auth`: verify signatures, accepting the user's own AWS credentials as administrator. */
  readonly strictAuth?: boolean;
  /** `--no-console` sets it false. */
  readonly console: boolean;
  /** `--console-port`; by default 4567 (a free port when that is taken, or when `--port 0`). */
  readonly consolePort?: number;
}

async function deploy(
  stack: LocalStack,
  config: RelayConfig,
  choice: ConfigChoice,
  administrator: KeyPair | undefined,
): Promise<DeployedInfo> {
  const provisioned = await provisionConfig(
    stack.endpoint,
    config,
    stack.accountId,
    administrator,
    otherAccounts(stack, config),
  );
  const relay = await deployRelay(stack, {
    config,
    handlers: createLocalTaskHandlers(stack, config, { asRoles: true }),
    // The relay's own events (Target Failed, Deployment Finished, …) on the local bridge.
    notify: createLocalNotifyHandler(stack, config.sources[0]?.region ?? 'us-east-1'),
  });
  // The backfill beside it (`relay replay --distributed`), with its results bucket in the relay's region.
  const resultsBucket = localResultsBucket(DEFAULT_STATE_MACHINE_NAME, stack.accountId);
  await createBucket(stack.endpoint, resultsBucket, relay.region, administrator ?? undefined);
  await deployBackfill(stack, { config, relay, relayName: DEFAULT_STATE_MACHINE_NAME, resultsBucket });
  return { config, choice, provisioned, stateMachineArn: relay.stateMachineArn };
}

/**
 * Administrators for the other accounts the configuration names (a cross-account target's bucket and key),
 * registered with the stack under fresh key pairs, and the relay's local role ARNs to grant there.
 */
function otherAccounts(stack: LocalStack, config: RelayConfig): OtherAccounts {
  const administrators = new Map<string, KeyPair>();
  for (const account of otherAccountsOf(config, stack.accountId)) {
    const keyPair = {
      accessKeyId: `relay-local-admin-${account}`,
      secretAccessKey: randomBytes(30).toString('base64'),
    };
    stack.principals.registerAdministrator({ ...keyPair, account });
    administrators.set(account, keyPair);
  }
  return {
    credentialsFor: (account) => {
      const keyPair = administrators.get(account);
      if (keyPair === undefined) throw new Error(`no administrator registered for account ${account}`);
      return keyPair;
    },
    roleArns: Object.fromEntries(PLANNED_ROLES.map((role) => [role, localRoleArn(stack.accountId, role)])),
  };
}

/**
 * The console beside the stack, reading it through its endpoint. Its UI is built on the first page load,
 * so a stack nobody looks at pays nothing for it. With `--strict-auth` it signs with your own credentials,
 * the administrator that stack accepts.
 */
async function startConsole(
  stack: LocalStack,
  deployed: DeployedInfo | undefined,
  administrator: KeyPair | undefined,
  flags: LocalFlags,
): Promise<ConsoleServer> {
  const port = flags.consolePort ?? (flags.port === 0 ? 0 : undefined);
  return startLocalConsole({
    endpoint: stack.endpoint,
    stateMachineArn: deployed?.stateMachineArn,
    // The configuration the relay was deployed from, for the replicas and deployments views.
    configPath: deployed?.choice.path,
    port,
    credentials: administrator,
    prebuild: false,
  }).catch((err: unknown) => {
    throw new CliError(err instanceof Error ? err.message : String(err));
  });
}

/** Waits for Ctrl-C, then stops the console and the stack. */
async function untilSignal(stack: LocalStack, consoleServer: ConsoleServer | undefined): Promise<void> {
  await untilInterrupted();
  process.stdout.write('Stopping the local stack…\n');
  await Promise.all([consoleServer?.close(), stack.stop()]).catch((err: unknown) => {
    process.stderr.write(`error while stopping: ${err instanceof Error ? err.message : String(err)}\n`);
  });
}

export async function runLocal(flags: LocalFlags): Promise<void> {
  if (flags.dataDir.trim() === '') throw new CliError('--data-dir must not be empty');
  const choice = flags.relay ? findConfig(flags.config, { allowExample: true }) : undefined;
  const config = choice === undefined ? undefined : await loadConfigChoice(choice);
  const faults: FaultRule[] = flags.faults === undefined ? [] : await readFaultsFile(flags.faults);
  const administrator = flags.strictAuth === true ? await resolveUserCredentials() : undefined;
  // One line per request once the stack is ready; the setup's own requests are not logged.
  let ready = false;
  const log = (line: string): void => {
    if (ready) process.stdout.write(`${line}\n`);
  };
  const stack = await startLocalStack({
    port: flags.port,
    dataDir: flags.dataDir,
    timeScale: flags.timeScale,
    ...(flags.allowHost ? { allowHosts: flags.allowHost } : {}),
    ...(administrator ? { auth: { verifySignatures: true, keyPairs: [administrator] } } : {}),
    ...(flags.quiet ? {} : { log }),
    // Executions left running by a stop or a crash continue once the relay's handlers are registered.
    deferResume: true,
  });
  let deployed: DeployedInfo | undefined;
  let consoleServer: ConsoleServer | undefined;
  try {
    if (config !== undefined && choice !== undefined) {
      deployed = await deploy(stack, config, choice, administrator);
    }
    // Armed after provisioning, so a rule cannot break the creation of the buckets it targets.
    for (const rule of faults) stack.faults.add(rule);
    await stack.resumeExecutions();
    consoleServer = flags.console ? await startConsole(stack, deployed, administrator, flags) : undefined;
  } catch (err) {
    await stack.stop();
    throw err;
  }
  process.stdout.write(
    renderLocalBanner({
      endpoint: stack.endpoint,
      dataDir: flags.dataDir,
      deployed,
      faults,
      faultsFile: flags.faults,
      timeScale: flags.timeScale,
      allowHosts: flags.allowHost ?? [],
      strictAuthKeyId: administrator?.accessKeyId,
      consoleUrl: consoleServer?.url,
    }),
  );
  ready = true;
  await untilSignal(stack, consoleServer);
}
