/**
 * The example's CDK app entry (`cdk.json` in this folder: `npx tsx main.ts`).
 */
import { ConfigInvalid } from '../../core/errors.ts';
import { createPipelineExampleApp } from './example-app.ts';

try {
  createPipelineExampleApp().app.synth();
} catch (err) {
  if (!(err instanceof ConfigInvalid)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 1;
}
