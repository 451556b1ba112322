import type { $ZodError } from 'zod/v4/core';

/**
 * Zod issues as one sentence per problem, each naming its field (`prefix.path`) — what the pipeline
 * action reports to CodePipeline and logs.
 */
export function describeIssues(error: $ZodError, prefix: string): string {
  return error.issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.');
      if (issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined) {
        return `${path} is missing`;
      }
      if (issue.code === 'unrecognized_keys') {
        return `${path} has unknown member(s) ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}`;
      }
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}
