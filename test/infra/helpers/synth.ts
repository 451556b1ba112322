import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { createRelayApp } from '../../../infra/relay-app.ts';
import type { ArtifactRelayStack } from '../../../infra/relay-stack.ts';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The example configuration the app falls back to in a fresh clone. */
export const EXAMPLE_CONFIG = join(ROOT, 'examples', 'relay.config.json');

/** The account the test stacks are synthesized for (so ARNs are literal). */
export const TEST_ACCOUNT = '111122223333';

/** `cdk.json` as committed. */
export function cdkJson(): { readonly context: Record<string, unknown> } & Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8'));
}

/** Options of {@link synthRelayApp}. */
export interface SynthOptions {
  /** A configuration file; default: none in `cwd`, so the app falls back to the example. */
  readonly config?: string;
  /** Bundle the functions with esbuild (slow); off uses CDK's placeholder assets. */
  readonly bundling?: boolean;
  /** Extra process environment (AWS_REGION, …). */
  readonly env?: NodeJS.ProcessEnv;
  /** Extra context (`-c key=value`). */
  readonly context?: Record<string, unknown>;
}

/** A synthesized relay app. */
export interface SynthResult {
  readonly app: App;
  readonly stack: ArtifactRelayStack;
  readonly assembly: CloudAssembly;
  readonly artifact: CloudFormationStackArtifact;
  readonly template: Template;
  /** The raw template JSON. */
  readonly json: {
    readonly Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  readonly notices: readonly string[];
}

/** The app built in-process, not yet synthesized. */
export interface BuiltApp {
  readonly app: App;
  readonly stack: ArtifactRelayStack;
  readonly notices: readonly string[];
}

/**
 * Builds the ready app (`infra/relay-app.ts`) in-process with the committed `cdk.json` context,
 * as `npx cdk synth` does — by default for the example configuration, from a folder without
 * `relay.config.json`.
 */
export function buildRelayApp(options: SynthOptions = {}): BuiltApp {
  const notices: string[] = [];
  const context = {
    ...cdkJson().context,
    ...(options.config === undefined ? {} : { config: options.config }),
    ...(options.bundling === true ? {} : { 'aws:cdk:bundling-stacks': [] }),
    ...options.context,
  };
  const { app, stack } = createRelayApp({
    context,
    env: { CDK_DEFAULT_ACCOUNT: TEST_ACCOUNT, CDK_DEFAULT_REGION: 'us-east-1', ...options.env },
    cwd: mkdtempSync(join(tmpdir(), 'relay-infra-cwd-')),
    outdir: mkdtempSync(join(tmpdir(), 'relay-infra-out-')),
    notice: (message) => notices.push(message),
  });
  return { app, stack, notices };
}

/** Builds and synthesizes the ready app (see {@link buildRelayApp}). */
export function synthRelayApp(options: SynthOptions = {}): SynthResult {
  const { app, stack, notices } = buildRelayApp(options);
  const assembly = app.synth();
  const artifact = assembly.getStackArtifact(stack.artifactId);
  const json = artifact.template as SynthResult['json'];
  return { app, stack, assembly, artifact, template: Template.fromJSON(json), json, notices };
}
