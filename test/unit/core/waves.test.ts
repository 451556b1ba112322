import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../core/config/parse.ts';
import { deploymentWaveCount, laterWaves, waveOf } from '../../../core/waves.ts';

const deploy = (wave?: number) => ({
  application: 'web',
  deploymentGroup: 'prod',
  bundleType: 'zip' as const,
  waitTimeoutSeconds: 3600,
  ...(wave === undefined ? {} : { wave }),
});

describe('deployment waves', () => {
  it('puts a target without a wave in wave 1, and counts the configuration highest wave', () => {
    // Arrange
    const config = parseConfig(
      {
        sources: [
          {
            bucket: 'build-artifacts',
            region: 'us-west-2',
            rules: [
              {
                name: 'all',
                targets: [
                  { bucket: 'artifacts-seoul', region: 'ap-northeast-2', deploy: deploy() },
                  { bucket: 'artifacts-frankfurt', region: 'eu-central-1', deploy: deploy(3) },
                ],
              },
            ],
          },
        ],
      },
      'waves.json',
    );

    // Act
    const count = deploymentWaveCount(config);

    // Assert
    expect(count).toBe(3);
    expect(waveOf({ deploy: deploy() })).toBe(1);
    expect(waveOf({})).toBe(1);
  });

  it('lists each later wave deploying targets with their index, an empty list for a wave nobody is in', () => {
    // Arrange
    const targets: Array<{ deploy?: ReturnType<typeof deploy> }> = [
      { deploy: deploy(2) },
      {},
      { deploy: deploy() },
      { deploy: deploy(2) },
    ];

    // Act
    const waves = laterWaves(targets, 3);

    // Assert
    expect(waves.map((wave) => wave.map((item) => item.index))).toEqual([[0, 3], []]);
    expect(laterWaves(targets, 1)).toEqual([]);
  });
});
