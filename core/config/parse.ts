import { ConfigInvalid } from '../errors.ts';
import { buildEventPattern, EVENT_PATTERN_MAX_CHARS } from '../event-pattern.ts';
import { consistencyProblems } from './consistency.ts';
import { depthProblem } from './limits.ts';
import { type ConfigProblem, formatPath, problemsFromZod, renderProblem, sortProblems } from './problems.ts';
import { type RelayConfig, relayConfigSchema } from './schema.ts';

function eventPatternProblems(config: RelayConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  config.sources.forEach((source, index) => {
    const size = JSON.stringify(buildEventPattern(source)).length;
    if (size > EVENT_PATTERN_MAX_CHARS) {
      problems.push({
        path: formatPath(['sources', index, 'rules']),
        message: `the rules' prefixes and suffixes make an EventBridge pattern of ${size} characters`,
        showGot: false,
        allowed: `at most ${EVENT_PATTERN_MAX_CHARS} characters: fewer or shorter prefixes/suffixes`,
      });
    }
  });
  return problems;
}

/**
 * Validates a configuration value (already read from JSON or YAML) and applies its defaults.
 *
 * @param value the parsed file content
 * @param sourceName where it came from, for the error message (a path or a label)
 * @throws ConfigInvalid listing every problem, one `path: what is wrong (got X; allowed: …)` line
 *   each — or only the nesting, when the value is nested too deeply to be walked at all
 */
export function parseConfig(value: unknown, sourceName: string): RelayConfig {
  const deep = depthProblem(value);
  if (deep !== undefined) throw new ConfigInvalid(sourceName, [renderProblem(deep)]);
  const result = relayConfigSchema.safeParse(value, { reportInput: true });
  const problems = [
    ...(result.success ? [] : problemsFromZod(result.error, relayConfigSchema, value)),
    ...consistencyProblems(value),
  ];
  if (result.success && problems.length === 0) problems.push(...eventPatternProblems(result.data));
  if (problems.length > 0 || !result.success) {
    const lines = [...new Set(sortProblems(problems, value).map(renderProblem))];
    throw new ConfigInvalid(sourceName, lines, result.success ? {} : { cause: result.error });
  }
  return result.data;
}
