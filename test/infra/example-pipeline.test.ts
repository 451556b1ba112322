import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PIPELINE_EXECUTION_ID_VARIABLE } from '../../core/pipeline/user-parameters.ts';
import { createPipelineExampleApp, type PipelineExampleApp } from '../../examples/pipeline/example-app.ts';
import { cdkJson, ROOT, TEST_ACCOUNT } from './helpers/synth.ts';
import { logicalIdOf } from './helpers/template.ts';

const EXAMPLE = join(ROOT, 'examples', 'pipeline');

type Template = {
  readonly Resources: Record<
    string,
    { Type: string; Properties: Record<string, unknown>; DependsOn?: string | string[] }
  >;
};

function nagFindings(root: IConstruct): { id: string; path: string }[] {
  const report = new AwsSolutionsChecks(root).validateScope(root);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => ({
      id: violation.ruleName,
      path: resource.constructPath ?? '',
    })),
  );
}

let example: PipelineExampleApp;
let assembly: CloudAssembly;
let pipelineTemplate: Template;
let relayTemplate: Template;

beforeAll(() => {
  example = createPipelineExampleApp({
    account: TEST_ACCOUNT,
    outdir: mkdtempSync(join(tmpdir(), 'relay-example-pipeline-')),
    context: { 'aws:cdk:bundling-stacks': [], alarmEmail: 'ops@example.com' },
  });
  // The app carries cdk-nag as a validation plugin: synth throws on any unacknowledged finding.
  assembly = example.app.synth();
  pipelineTemplate = assembly.getStackArtifact(example.pipelineStack.artifactId).template as Template;
  relayTemplate = assembly.getStackArtifact(example.relayStack.artifactId).template as Template;
});

function stages(): { Name: string; Actions: Record<string, unknown>[] }[] {
  const pipeline = Object.values(pipelineTemplate.Resources).find(
    (r) => r.Type === 'AWS::CodePipeline::Pipeline',
  );
  return (pipeline?.Properties.Stages ?? []) as { Name: string; Actions: Record<string, unknown>[] }[];
}

describe('the example pipeline app', () => {
  it('synthesizes both stacks with no cdk-nag finding left unacknowledged', () => {
    // Act
    const findings = nagFindings(example.app);

    // Assert
    expect(findings).toEqual([]);
    expect(assembly.stacks.map((stack) => stack.stackName).sort()).toEqual([
      'ArtifactRelayPipelineExample-Pipeline',
      'ArtifactRelayPipelineExample-Relay',
    ]);
  });

  it('deploys the pipeline stack after the relay stack, never the other way round', () => {
    // Assert
    expect(example.pipelineStack.dependencies).toEqual([example.relayStack]);
    expect(example.relayStack.dependencies).toEqual([]);
  });

  it('runs S3 source → CodeBuild → the relay, relaying the build output', () => {
    // Act
    const [source, build, relay] = stages();

    // Assert
    expect(stages().map((stage) => stage.Name)).toEqual(['Source', 'Build', 'Relay']);
    expect(source?.Actions[0]?.ActionTypeId).toMatchObject({ Category: 'Source', Provider: 'S3' });
    expect(build?.Actions[0]?.ActionTypeId).toMatchObject({ Category: 'Build', Provider: 'CodeBuild' });
    expect(relay?.Actions[0]?.ActionTypeId).toMatchObject({ Category: 'Invoke', Provider: 'Lambda' });
    expect(relay?.Actions[0]?.InputArtifacts).toEqual(build?.Actions[0]?.OutputArtifacts);
  });

  it('names each replica after the pipeline execution', () => {
    // Act
    const configuration = stages()[2]?.Actions[0]?.Configuration as { UserParameters: string };
    const parameters = JSON.parse(configuration.UserParameters) as Record<string, string>;

    // Assert
    expect(parameters.destinationKey).toContain('{pipelineExecutionId}');
    expect(parameters.pipelineExecutionId).toBe(PIPELINE_EXECUTION_ID_VARIABLE);
    expect(parameters.rule).toBe('web-bundles');
  });

  it('keeps the artifacts under the pipeline’s own KMS key, which the relay copy role may decrypt', () => {
    // Arrange
    const key = example.pipelineStack.pipeline.artifactBucket.encryptionKey!;
    const keyArn = { 'Fn::GetAtt': [logicalIdOf(example.pipelineStack, key), 'Arn'] };

    // Act
    const store = Object.values(pipelineTemplate.Resources).find(
      (r) => r.Type === 'AWS::CodePipeline::Pipeline',
    )?.Properties.ArtifactStore as { EncryptionKey?: { Id: unknown } };
    const decrypting = Object.values(pipelineTemplate.Resources).filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(resource.Properties.PolicyDocument).includes(JSON.stringify(keyArn)) &&
        JSON.stringify(resource.Properties.Roles).includes('CopyObjectRole'),
    );

    // Assert
    expect(store.EncryptionKey?.Id).toEqual(keyArn);
    expect(decrypting).toHaveLength(1);
  });

  it('creates the versioned source bucket the relay configuration names before the relay uses it', () => {
    // Arrange
    const [source] = example.relay.config.sources;
    const bucket = Object.entries(relayTemplate.Resources).find(([, r]) => r.Type === 'AWS::S3::Bucket');
    const notifications = Object.values(relayTemplate.Resources).find(
      (r) => r.Type === 'Custom::S3BucketNotifications',
    );

    // Assert
    expect(bucket?.[1].Properties).toMatchObject({
      BucketName: source?.bucket,
      VersioningConfiguration: { Status: 'Enabled' },
    });
    expect([notifications?.DependsOn ?? []].flat()).toContain(bucket?.[0]);
  });
});

describe('examples/pipeline from the command line', () => {
  it('runs the app with tsx, with notices, telemetry and version reporting off', () => {
    // Act
    const json = JSON.parse(readFileSync(join(EXAMPLE, 'cdk.json'), 'utf8'));

    // Assert
    expect(json.app).toBe('npx tsx main.ts');
    expect(json.notices).toBe(false);
    expect(json.versionReporting).toBe(false);
    expect(json.context['cli-telemetry']).toBe(false);
  });

  it('synthesizes offline, without credentials', () => {
    // Arrange
    const outdir = mkdtempSync(join(tmpdir(), 'relay-example-cli-'));

    // Act
    const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(EXAMPLE, 'main.ts')], {
      cwd: EXAMPLE,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? tmpdir(),
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({
          ...cdkJson().context,
          'aws:cdk:bundling-stacks': [],
          alarmEmail: 'ops@example.com',
        }),
      },
    });

    // Assert
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(join(outdir, 'ArtifactRelayPipelineExample-Relay.template.json'))).toBe(true);
    expect(existsSync(join(outdir, 'ArtifactRelayPipelineExample-Pipeline.template.json'))).toBe(true);
  });
});
