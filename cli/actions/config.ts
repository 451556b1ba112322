/** `relay config validate` and `relay config schema`. */
import { renderRelayJsonSchema } from '../../core/config/json-schema.ts';
import { ConfigInvalid } from '../../core/errors.ts';
import type { JsonFlag } from '../common-options.ts';
import { CONFIG_FILE_NAMES, findConfig, loadConfigChoice } from '../config-file.ts';
import { CliError, EXIT_CODES } from '../errors.ts';
import { plural } from '../output/format.ts';
import { createOutput } from '../output/output.ts';
import { describeConfig } from '../render/config.ts';

export async function runConfigValidate(file: string | undefined, flags: JsonFlag): Promise<void> {
  const out = createOutput(flags);
  const found = findConfig(file, { allowExample: false });
  if (found === undefined) {
    throw new CliError(
      `no ${CONFIG_FILE_NAMES.join(', ')} here — name the file: relay config validate FILE`,
      EXIT_CODES.usage,
    );
  }
  try {
    const config = await loadConfigChoice(found);
    const rules = config.sources.flatMap((s) => s.rules);
    const targets = rules.flatMap((r) => r.targets);
    out.document({
      file: found.display,
      valid: true,
      sources: config.sources.length,
      rules: rules.length,
      targets: targets.length,
      problems: [],
    });
    out.line(
      `${out.style.green('✓')} ${found.display} is valid: ${plural(config.sources.length, 'source')}, ${plural(rules.length, 'rule')}, ${plural(targets.length, 'target')}.`,
    );
    out.line(describeConfig(config).join('\n'));
  } catch (err) {
    if (!(err instanceof ConfigInvalid) || !flags.json) throw err;
    out.document({ file: found.display, valid: false, problems: err.problems });
    process.exitCode = EXIT_CODES.failure;
  }
}

export async function runConfigSchema(): Promise<void> {
  process.stdout.write(renderRelayJsonSchema());
}
