/** Reads `relay local --faults FILE`: JSON fault rules (one rule or an array) for the local S3. */
import { readFile } from 'node:fs/promises';
import { type FaultRule, InvalidFaultRuleError, parseFaultRules } from '../../local/faults.ts';
import { CliError } from '../errors.ts';

export async function readFaultsFile(path: string): Promise<FaultRule[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError(
      `cannot read the fault rules ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CliError(`the fault rules ${path} are not valid JSON: ${(err as Error).message}`);
  }
  try {
    return parseFaultRules(value);
  } catch (err) {
    if (err instanceof InvalidFaultRuleError) throw new CliError(`${path}: ${err.message}`);
    throw err;
  }
}
