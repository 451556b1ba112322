/**
 * A console over a local stack whose executions were written by hand (seed-executions.ts): the stack
 * starts on the seeded data directory and loads them, the console reads it through the SDK. For the
 * tests of the list at scale and of executions whose output the console does not read.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SFNClient } from '@aws-sdk/client-sfn';
import { parseStateMachineArn } from '../../../cli/aws/arn.ts';
import { type ConsoleServer, startConsoleServer } from '../../../console/server/server.ts';
import { type LocalStack, startLocalStack } from '../../../local/index.ts';
import { TEST_CREDENTIALS } from '../../helpers/local-stack.ts';
import { type SeedExecution, type SeedMachine, seedExecutions } from './seed-executions.ts';

export interface SeededConsole {
  readonly server: ConsoleServer;
  readonly stack: LocalStack;
  readonly stateMachineArn: string;
  /** The ARN of the seeded execution called `name`. */
  executionArn(name: string): string;
  dispose(): Promise<void>;
}

/** Seeds `executions` of `machine` in a fresh data directory, starts a stack on it and a console beside it. */
export async function startSeededConsole(
  machine: SeedMachine,
  executions: Iterable<SeedExecution>,
): Promise<SeededConsole> {
  const dataDir = await mkdtemp(join(tmpdir(), 'relay-console-seeded-'));
  const stateMachineArn = await seedExecutions(dataDir, machine, executions);
  const parsed = parseStateMachineArn(stateMachineArn);
  if (parsed === undefined) throw new Error(`not a state machine ARN: ${stateMachineArn}`);
  const stack = await startLocalStack({ port: 0, dataDir });
  const sfn = new SFNClient({
    endpoint: stack.endpoint,
    region: machine.region,
    credentials: TEST_CREDENTIALS,
  });
  const unused = (what: string) => (): never => {
    throw new Error(`these executions need no ${what}`);
  };
  const server = await startConsoleServer({
    backend: {
      sfnFor: () => sfn,
      s3For: unused('S3'),
      codeDeployFor: unused('CodeDeploy'),
      machine: async () => parsed,
      config: async () => unused('relay configuration')(),
    },
    port: 0,
    endpoint: stack.endpoint,
    isLocal: true,
  });
  const prefix = stateMachineArn.replace(':stateMachine:', ':execution:');
  return {
    server,
    stack,
    stateMachineArn,
    executionArn: (name) => `${prefix}:${name}`,
    async dispose() {
      await server.close();
      sfn.destroy();
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
