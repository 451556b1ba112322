import type { RelayConfigInput } from '../../../../core/config/schema.ts';

/** A fresh, valid configuration (the shape of examples/relay.config.json) for tests to vary. */
export function validConfig(): RelayConfigInput {
  return {
    sources: [
      {
        bucket: 'build-artifacts-oregon',
        region: 'us-west-2',
        rules: [
          {
            name: 'web-bundles',
            prefix: 'build_artifacts/',
            suffix: '.zip',
            targets: [
              {
                bucket: 'artifacts-seoul',
                region: 'ap-northeast-2',
                encryption: {
                  type: 'aws:kms',
                  kmsKeyArn:
                    'arn:aws:kms:ap-northeast-2:000000000000:key/5d2f7c1e-8a4b-4e39-9c61-0b7a3e2d4f18',
                },
                deploy: { application: 'web', deploymentGroup: 'web-prod', bundleType: 'zip' },
              },
              { bucket: 'artifacts-frankfurt', region: 'eu-central-1', keyPrefix: 'releases/' },
            ],
          },
        ],
      },
    ],
  };
}
