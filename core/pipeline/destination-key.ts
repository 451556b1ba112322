import { InvalidInput } from '../errors.ts';
import { MAX_KEY_BYTES, utf8Length } from '../s3-limits.ts';

/**
 * The destination key template of the relay action: a fixed key, or one with `{pipeline}`,
 * `{pipelineExecutionId}` and `{actionName}` placeholders, filled from the pipeline run. (CodePipeline's
 * own `#{namespace.variable}` references are resolved by CodePipeline before the action sees them.)
 */

/** The placeholders a template may use. */
export const KEY_PLACEHOLDERS = ['pipeline', 'pipelineExecutionId', 'actionName'] as const;

/** A placeholder's name. */
export type KeyPlaceholder = (typeof KEY_PLACEHOLDERS)[number];

/** The values of the placeholders, as far as the run knows them. */
export type KeyValues = Readonly<Partial<Record<KeyPlaceholder, string>>>;

/** Where a placeholder's value comes from, for the error when it is unknown. */
const SOURCES: Readonly<Record<KeyPlaceholder, string>> = {
  pipeline: 'add "pipeline" (the pipeline name) to UserParameters',
  pipelineExecutionId: 'add "pipelineExecutionId": "#{codepipeline.PipelineExecutionId}" to UserParameters',
  actionName: 'add "actionName" (this action\'s name) to UserParameters',
};

const PLACEHOLDER = /\{([^{}]*)\}/g;

function isPlaceholder(name: string): name is KeyPlaceholder {
  return (KEY_PLACEHOLDERS as readonly string[]).includes(name);
}

/**
 * The key `template` names for this run.
 *
 * @throws InvalidInput for an unknown placeholder, one whose value the run does not know (naming
 *   what to add), an unbalanced brace, or a key that is empty or longer than S3 allows
 */
export function renderDestinationKey(template: string, values: KeyValues): string {
  const key = template.replace(PLACEHOLDER, (_match, name: string) => {
    if (!isPlaceholder(name)) {
      throw new InvalidInput(
        `destinationKey ${JSON.stringify(template)} uses the unknown placeholder {${name}}; the placeholders are ${KEY_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`,
      );
    }
    const value = values[name];
    if (value === undefined) {
      throw new InvalidInput(
        `destinationKey ${JSON.stringify(template)} uses {${name}}, which this job does not tell: ${SOURCES[name]}`,
      );
    }
    return value;
  });
  if (key.includes('{') || key.includes('}')) {
    throw new InvalidInput(
      `destinationKey ${JSON.stringify(template)} has an unbalanced brace; write placeholders as {pipeline}, {pipelineExecutionId} or {actionName}`,
    );
  }
  if (key === '') throw new InvalidInput('destinationKey renders to an empty key');
  const bytes = utf8Length(key);
  if (bytes > MAX_KEY_BYTES) {
    throw new InvalidInput(
      `destinationKey renders to a key of ${bytes} bytes; S3 keys are at most ${MAX_KEY_BYTES} bytes — shorten the template`,
    );
  }
  return key;
}
