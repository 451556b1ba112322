/** `relay config validate [FILE]` and `relay config schema`. */
import type { Command } from 'commander';
import { addJsonOption } from '../common-options.ts';

export function registerConfigCommand(program: Command): void {
  const config = program
    .command('config')
    .summary('validate a configuration, print its JSON Schema')
    .description('Check a relay configuration, or print its JSON Schema (for editors)');
  addJsonOption(
    config
      .command('validate')
      .description('Validate a configuration file and list every problem (path, value, what is allowed)')
      .argument('[file]', 'the file (default: relay.config.json, .yaml or .yml here)'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx relay config validate\n  $ npx relay config validate examples/relay.config.json',
    )
    .action(async (file: string | undefined, flags: { json?: boolean }) =>
      (await import('../actions/config.ts')).runConfigValidate(file, flags),
    );
  config
    .command('schema')
    .description('Print the JSON Schema of relay.config.json')
    .addHelpText('after', '\nExample:\n  $ npx relay config schema > relay.schema.json')
    .action(async () => (await import('../actions/config.ts')).runConfigSchema());
}
