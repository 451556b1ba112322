/**
 * `relay console`: the web console on loopback — executions, the state graph, per-target results,
 * Redrive, Stop, Relay again, an object's replicas and the CodeDeploy deployments.
 */
import type { Command } from 'commander';
import { addMachineOptions } from '../common-options.ts';
import { parsePort } from '../options.ts';

/** The console's default port (DEFAULT_CONSOLE_PORT in console/server/server.ts). */
const DEFAULT_PORT = 4567;

export function registerConsoleCommand(program: Command): void {
  const command = program
    .command('console')
    .summary('the web console: executions, state graph, per-target results, redrive, replicas, deployments')
    .description(
      "Serve the relay's web console on 127.0.0.1: executions (live), each one's state graph, per-target results and history; Redrive, Stop and Relay again; an object's replicas (as relay status says) and the CodeDeploy deployments of the configured targets. Actions use your own credentials; --config names the configuration Replicas, Relay again and Deployments read",
    )
    .option('--port <port>', `the console's port (0 picks a free one)`, parsePort, DEFAULT_PORT);
  addMachineOptions(command)
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx relay console --local\n  $ npx relay console --port 8080 --region us-west-2 --profile ops',
    )
    .action(async (flags) => (await import('../actions/console.ts')).runConsole(flags));
}
