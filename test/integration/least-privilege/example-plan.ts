/** The permission plan of the example configuration (examples/relay.config.json), for statements per role. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseConfig } from '../../../core/config/parse.ts';
import { type PermissionPlan, planPermissions } from '../../../core/permissions/plan.ts';

/** The account the example's plan names (the example's own key account). */
const EXAMPLE_ACCOUNT = '000000000000';

export async function examplePlan(): Promise<PermissionPlan> {
  const path = join(import.meta.dirname, '..', '..', '..', 'examples', 'relay.config.json');
  const config = parseConfig(JSON.parse(await readFile(path, 'utf8')) as unknown, path);
  return planPermissions(config, EXAMPLE_ACCOUNT);
}
