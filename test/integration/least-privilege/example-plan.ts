/** The permission plans of the example configuration (examples/relay.config.json), for statements per role. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseConfig } from '../../../core/config/parse.ts';
import { planBuildWorkListPermissions } from '../../../core/permissions/backfill.ts';
import {
  type PermissionPlan,
  type PlannedStatement,
  planPermissions,
} from '../../../core/permissions/plan.ts';

/** The account the example's plan names (the example's own key account). */
const EXAMPLE_ACCOUNT = '000000000000';

/** The task roles' plan and the work-list builder's, of the example configuration. */
export interface ExamplePlans {
  readonly tasks: PermissionPlan;
  /** With a results bucket standing for the one the CDK app creates. */
  readonly builder: readonly PlannedStatement[];
}

export async function examplePlans(): Promise<ExamplePlans> {
  const path = join(import.meta.dirname, '..', '..', '..', 'examples', 'relay.config.json');
  const config = parseConfig(JSON.parse(await readFile(path, 'utf8')) as unknown, path);
  return {
    tasks: planPermissions(config, EXAMPLE_ACCOUNT),
    builder: planBuildWorkListPermissions(config, { resultsBucketArn: 'arn:aws:s3:::<results-bucket>' }),
  };
}
