import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { describe, expect, it } from 'vitest';
import { resolveConfigPath, resolveRegion } from '../../infra/relay-app.ts';
import { buildRelayApp, cdkJson, EXAMPLE_CONFIG, ROOT } from './helpers/synth.ts';

describe('the configuration file the app reads', () => {
  it('is the one -c config=path names, relative to the working folder', () => {
    // Act
    const chosen = resolveConfigPath('configs/prod.json', '/srv/relay-project', () => false);

    // Assert
    expect(chosen).toEqual({ path: '/srv/relay-project/configs/prod.json', fallback: false });
  });

  it('is relay.config.json when there is one', () => {
    // Act
    const chosen = resolveConfigPath(
      undefined,
      '/srv/relay-project',
      (path) => path === '/srv/relay-project/relay.config.json',
    );

    // Assert
    expect(chosen).toEqual({ path: '/srv/relay-project/relay.config.json', fallback: false });
  });

  it("is the repository's example in a fresh clone, which the app then says", () => {
    // Act
    const chosen = resolveConfigPath(undefined, '/srv/relay-project', () => false);
    const built = buildRelayApp();

    // Assert
    expect(chosen).toEqual({ path: EXAMPLE_CONFIG, fallback: true });
    expect(built.notices).toEqual([
      expect.stringContaining('synthesizing examples/relay.config.json instead'),
    ]);
  });

  it('is used as given by -c config=path, without a notice', () => {
    // Act
    const built = buildRelayApp({ config: EXAMPLE_CONFIG });

    // Assert
    expect(built.notices).toEqual([]);
  });
});

describe('the stack environment', () => {
  it('takes AWS_REGION first', () => {
    // Act / Assert
    expect(resolveRegion({ AWS_REGION: 'eu-west-1', CDK_DEFAULT_REGION: 'us-east-1' }, ['us-west-2'])).toBe(
      'eu-west-1',
    );
  });

  it("prefers the sources' region to CDK_DEFAULT_REGION, which the CLI defaults to us-east-1", () => {
    // Act / Assert
    expect(resolveRegion({ CDK_DEFAULT_REGION: 'us-east-1' }, ['us-west-2', 'us-west-2'])).toBe('us-west-2');
  });

  it('falls back to CDK_DEFAULT_REGION when the sources disagree (synth then explains why that fails)', () => {
    // Act / Assert
    expect(resolveRegion({ CDK_DEFAULT_REGION: 'us-east-1' }, ['us-west-2', 'eu-west-1'])).toBe('us-east-1');
  });

  it('names the state machine as the relay CLI expects, unless -c stateMachineName says otherwise', () => {
    // Act
    const named = (context: Record<string, unknown>) =>
      buildRelayApp({ context }).stack.relay.stateMachine.node.defaultChild as CfnStateMachine;

    // Assert
    expect(named({}).stateMachineName).toBe('artifact-relay');
    expect(named({ stateMachineName: 'relay-prod' }).stateMachineName).toBe('relay-prod');
  });

  it('takes the account from CDK_DEFAULT_ACCOUNT', () => {
    // Act
    const built = buildRelayApp({ env: { CDK_DEFAULT_ACCOUNT: '444455556666' } });

    // Assert
    expect(built.stack.account).toBe('444455556666');
    expect(built.stack.region).toBe('us-west-2');
  });
});

describe('cdk.json', () => {
  it('runs the app with tsx, with notices, telemetry and version reporting off', () => {
    // Act
    const json = cdkJson();

    // Assert
    expect(json.app).toBe('npx tsx infra/app.ts');
    expect(json.notices).toBe(false);
    expect(json.versionReporting).toBe(false);
    expect(json.context['cli-telemetry']).toBe(false);
  });

  it('sets every feature flag aws-cdk-lib currently recommends', () => {
    // Act
    const { context } = cdkJson();

    // Assert
    expect(context).toMatchObject(CURRENTLY_RECOMMENDED_FLAGS);
  });
});

describe('infra/app.ts', () => {
  function runApp(extraContext: Record<string, unknown>): {
    status: number | null;
    stderr: string;
    outdir: string;
  } {
    const outdir = mkdtempSync(join(tmpdir(), 'relay-app-out-'));
    const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'infra', 'app.ts')], {
      cwd: mkdtempSync(join(tmpdir(), 'relay-app-cwd-')),
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? tmpdir(),
        CDK_OUTDIR: outdir,
        CDK_DEFAULT_REGION: 'us-east-1',
        CDK_CONTEXT_JSON: JSON.stringify({
          ...cdkJson().context,
          'aws:cdk:bundling-stacks': [],
          ...extraContext,
        }),
      },
    });
    return { status: run.status, stderr: run.stderr, outdir };
  }

  it('synthesizes the stack offline, without credentials', () => {
    // Act
    const run = runApp({});

    // Assert
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(join(run.outdir, 'ArtifactRelay.template.json'))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(run.outdir, 'manifest.json'), 'utf8'));
    expect(manifest.artifacts.ArtifactRelay.environment).toBe('aws://unknown-account/us-west-2');
  });

  it('exits 1 with the problems, not a stack trace, when the configuration is invalid', () => {
    // Arrange
    const config = join(mkdtempSync(join(tmpdir(), 'relay-app-bad-')), 'relay.config.json');
    writeFileSync(config, JSON.stringify({ sources: [] }));

    // Act
    const run = runApp({ config });

    // Assert
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`Invalid relay configuration in ${config}`);
    expect(run.stderr).not.toContain('    at ');
  });
});
