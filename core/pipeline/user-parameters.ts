import * as z from 'zod/mini';
import type { $ZodError } from 'zod/v4/core';
import { BUNDLE_TYPES } from '../config/schema.ts';
import { InvalidInput } from '../errors.ts';
import { describeIssues } from './issues.ts';
import { MAX_CONFIGURATION_FIELD_LENGTH } from './limits.ts';
import '../schema-locale.ts';

/**
 * The relay action's `UserParameters`: a JSON object (CodePipeline resolves `#{…}` variables in it
 * before the Lambda sees it). Strict, so a misspelt member fails the stage with its name instead of
 * being ignored.
 *
 * ```json
 * { "rule": "web-bundles", "destinationKey": "releases/{pipeline}/{pipelineExecutionId}.zip",
 *   "bundleType": "zip", "pipelineExecutionId": "#{codepipeline.PipelineExecutionId}" }
 * ```
 */

/** What each member is for: the hint an error about it carries. */
export const USER_PARAMETER_HINTS = {
  rule: 'the name of a rule in the relay configuration; its targets receive the artifact',
  destinationKey:
    'the key every replica gets: a fixed key, or a template with {pipeline}, {pipelineExecutionId} and {actionName}',
  bundleType: `the CodeDeploy bundle type of the artifact, one of ${BUNDLE_TYPES.join(', ')} (replaces the targets' own)`,
  region: "the artifact store's region (default: the action function's own region)",
  artifact: 'the name of the input artifact to relay (needed only when the action has several)',
  pipeline: 'the pipeline name, for {pipeline} (the CDK action sets it)',
  pipelineExecutionId:
    'the pipeline execution id, "#{codepipeline.PipelineExecutionId}" (names the relay so a retried stage continues it)',
  stage: 'the stage name (the CDK action sets it)',
  actionName: 'the action name, for {actionName} (the CDK action sets it)',
} as const;

const nonEmpty = z.string().check(z.minLength(1));

/** The `UserParameters` object. */
export const userParametersSchema = z.strictObject({
  rule: nonEmpty,
  destinationKey: nonEmpty,
  bundleType: z.optional(z.enum(BUNDLE_TYPES)),
  region: z.optional(nonEmpty),
  artifact: z.optional(nonEmpty),
  pipeline: z.optional(nonEmpty),
  pipelineExecutionId: z.optional(nonEmpty),
  stage: z.optional(nonEmpty),
  actionName: z.optional(nonEmpty),
});

/** The action's parsed `UserParameters`. */
export type UserParameters = z.infer<typeof userParametersSchema>;

function hintsFor(error: $ZodError): string {
  const fields = new Set<string>();
  for (const issue of error.issues) {
    const field = issue.path[0];
    if (typeof field === 'string' && field in USER_PARAMETER_HINTS) fields.add(field);
  }
  return [...fields]
    .map((field) => `"${field}" is ${USER_PARAMETER_HINTS[field as keyof typeof USER_PARAMETER_HINTS]}`)
    .join('; ');
}

/**
 * Reads the action's `UserParameters`.
 *
 * @throws InvalidInput naming the missing or wrong member and what it should hold
 */
export function parseUserParameters(raw: string | undefined): UserParameters {
  const allowed = Object.keys(USER_PARAMETER_HINTS).join(', ');
  if (raw === undefined || raw.trim() === '') {
    throw new InvalidInput(
      `The action has no UserParameters: set them to a JSON object with "rule" (${USER_PARAMETER_HINTS.rule}) and "destinationKey" (${USER_PARAMETER_HINTS.destinationKey})`,
    );
  }
  if (raw.length > MAX_CONFIGURATION_FIELD_LENGTH) {
    throw new InvalidInput(
      `UserParameters is ${raw.length} characters long; CodePipeline allows ${MAX_CONFIGURATION_FIELD_LENGTH} per configuration field — shorten the destinationKey template or drop optional members`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (cause) {
    throw new InvalidInput(
      `UserParameters is not JSON (${cause instanceof Error ? cause.message : String(cause)}): write a JSON object such as {"rule":"web-bundles","destinationKey":"releases/app.zip"}`,
      { cause },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInput(
      `UserParameters must be a JSON object with "rule" and "destinationKey", got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`,
    );
  }
  const parsed = userParametersSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    const hints = hintsFor(parsed.error);
    throw new InvalidInput(
      `UserParameters is invalid: ${describeIssues(parsed.error, 'UserParameters')}${hints === '' ? '' : ` (${hints})`}. Allowed members: ${allowed}`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

/** CodePipeline's reference to the running pipeline execution's id, resolved before the action runs. */
export const PIPELINE_EXECUTION_ID_VARIABLE = '#{codepipeline.PipelineExecutionId}';

/**
 * The `UserParameters` string of a relay action: `params` as compact JSON, with `pipelineExecutionId`
 * defaulting to {@link PIPELINE_EXECUTION_ID_VARIABLE} so that the relay is named after the run (what
 * an action class in infra/ and the local pipeline both write).
 *
 * @throws InvalidInput when the parameters are invalid or longer than a configuration field may be
 */
export function relayUserParameters(params: UserParameters): string {
  const text = JSON.stringify({ pipelineExecutionId: PIPELINE_EXECUTION_ID_VARIABLE, ...params });
  parseUserParameters(text);
  return text;
}
