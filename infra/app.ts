/**
 * The CDK app entry (`cdk.json`: `npx tsx infra/app.ts`): the relay stack for `relay.config.json`
 * (`-c config=path` for another file; the example configuration when there is none), in
 * `AWS_REGION`/`CDK_DEFAULT_REGION` (else the sources' region) and `CDK_DEFAULT_ACCOUNT`.
 */
import { ConfigInvalid } from '../core/errors.ts';
import { createRelayApp } from './relay-app.ts';

try {
  createRelayApp().app.synth();
} catch (err) {
  if (!(err instanceof ConfigInvalid)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 1;
}
