import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigInvalid } from '../../core/errors.ts';
import { buildRelayApp, EXAMPLE_CONFIG } from './helpers/synth.ts';

type Json = Record<string, unknown>;
type Target = Json & { bucket: string; region: string };

/** The example configuration, changed by `edit`, written to a temporary file. */
function configFile(
  edit: (config: { sources: [Json & { rules: (Json & { targets: Target[] })[] }] }) => void,
): string {
  const config = JSON.parse(readFileSync(EXAMPLE_CONFIG, 'utf8'));
  delete config.$schema;
  edit(config);
  const path = join(mkdtempSync(join(tmpdir(), 'relay-config-')), 'relay.config.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

/** The ConfigInvalid that building the app with `path` throws. */
function synthError(path: string, env: NodeJS.ProcessEnv = {}): ConfigInvalid {
  try {
    buildRelayApp({ config: path, env });
  } catch (err) {
    if (err instanceof ConfigInvalid) return err;
    throw err;
  }
  throw new Error('synth succeeded');
}

describe('a configuration mistake fails synth with the problem and the target named', () => {
  it('a KMS key in another region than its target', () => {
    // Arrange
    const path = configFile((c) => {
      c.sources[0].rules[0]!.targets[0]!.encryption = {
        type: 'aws:kms',
        kmsKeyArn: 'arn:aws:kms:eu-central-1:000000000000:key/5d2f7c1e-8a4b-4e39-9c61-0b7a3e2d4f18',
      };
    });

    // Act
    const error = synthError(path);

    // Assert
    expect(error.problems).toEqual([
      expect.stringMatching(
        /^sources\[0\]\.rules\[0\]\.targets\[0\]\.encryption\.kmsKeyArn: the KMS key is in eu-central-1 but the target is in ap-northeast-2.*\[target artifacts-seoul in ap-northeast-2\]$/,
      ),
    ]);
    expect(error.message).toContain(path);
  });

  it('a deployment group whose revision bucket is configured in another region', () => {
    // Arrange
    const path = configFile((c) => {
      c.sources[0].rules.push({
        name: 'mobile-bundles',
        prefix: 'mobile/',
        targets: [
          {
            bucket: 'artifacts-seoul',
            region: 'eu-west-1',
            deploy: { application: 'mobile', deploymentGroup: 'mobile-prod', bundleType: 'zip' },
          },
        ],
      });
    });

    // Act
    const error = synthError(path);

    // Assert
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^sources\[0\]\.rules\[1\]\.targets\[0\]\.region: /);
    expect(error.problems[0]).toContain('the deployment group mobile-prod (application mobile)');
    expect(error.problems[0]).toContain(
      "CodeDeploy only reads a revision from a bucket in the deployment group's region",
    );
    expect(error.problems[0]).toContain('[target artifacts-seoul in eu-west-1]');
  });

  it('the same target twice', () => {
    // Arrange
    const path = configFile((c) => {
      const targets = c.sources[0].rules[0]!.targets;
      targets.push({ ...targets[1]! });
    });

    // Act
    const error = synthError(path);

    // Assert
    expect(error.problems).toEqual([
      expect.stringMatching(
        /^sources\[0\]\.rules\[0\]\.targets\[2\]: duplicates targets\[1\] of this rule.*\[target artifacts-frankfurt in eu-central-1\]$/,
      ),
    ]);
  });

  it('sources in another region than the stack', () => {
    // Act
    const error = synthError(EXAMPLE_CONFIG, { AWS_REGION: 'eu-west-1' });

    // Assert
    expect(error.problems).toEqual([
      expect.stringContaining(
        "sources[0].region: the source bucket build-artifacts-oregon is in us-west-2 but the relay is deployed to eu-west-1; S3 sends its EventBridge events only to the event bus of the bucket's own region",
      ),
    ]);
  });

  it('a source bucket owned by another account than the stack', () => {
    // Arrange
    const path = configFile((c) => {
      c.sources[0].account = '444455556666';
    });

    // Act
    const error = synthError(path);

    // Assert
    expect(error.problems).toEqual([
      expect.stringContaining(
        'sources[0].account: the source bucket build-artifacts-oregon belongs to account 444455556666 but the relay is deployed to 111122223333',
      ),
    ]);
  });

  it('every problem at once, not only the first', () => {
    // Arrange
    const path = configFile((c) => {
      const targets = c.sources[0].rules[0]!.targets;
      targets[0]!.encryption = { type: 'aws:kms', kmsKeyArn: 'arn:aws:kms:us-east-1:000000000000:key/abc' };
      targets.push({ ...targets[1]! });
    });

    // Act
    const error = synthError(path);

    // Assert
    expect(error.problems).toHaveLength(2);
  });

  it('a verify mode the target encryption can never satisfy', () => {
    // Arrange
    const path = configFile((c) => {
      (c as Json).defaults = { verify: 'etag' };
    });

    // Act
    const error = synthError(path);

    // Assert
    expect(error.problems).toEqual([
      expect.stringMatching(
        /^sources\[0\]\.rules\[0\]\.targets\[0\]: defaults\.verify is "etag" but this target is encrypted with SSE-KMS.*\[target artifacts-seoul in ap-northeast-2\]$/,
      ),
    ]);
  });

  it('a region AWS does not have, with a did-you-mean', () => {
    // Arrange
    const path = configFile((c) => {
      c.sources[0].rules[0]!.targets[1]!.region = 'eu-centrl-1';
    });

    // Act
    const error = synthError(path);

    // Assert
    expect(error.problems).toEqual([
      expect.stringMatching(
        /^sources\[0\]\.rules\[0\]\.targets\[1\]\.region: is not an AWS region \(did you mean "eu-central-1"\?\)/,
      ),
    ]);
  });

  it('a configuration file nested 2,000 levels deep, naming the file', () => {
    // Arrange
    const path = join(mkdtempSync(join(tmpdir(), 'relay-config-')), 'relay.config.yaml');
    writeFileSync(path, `sources: ${'{a: '.repeat(2000)}1${'}'.repeat(2000)}\n`);

    // Act
    const error = synthError(path);

    // Assert
    expect(error.message).toContain(path);
    expect(error.problems).toEqual([
      expect.stringContaining('(root): the configuration is nested more than 32 levels deep'),
    ]);
  });

  it('a configuration file that does not exist', () => {
    // Act
    const error = synthError('/nonexistent/relay.config.json');

    // Assert
    expect(error.problems).toEqual(['(root): the file cannot be read (ENOENT)']);
  });
});
