import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../core/config/parse.ts';
import { approvalWaves, deploymentWaveCount, laterWaves, waveOf } from '../../../core/waves.ts';

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

describe('approvals of deployment waves', () => {
  const config = (waves: unknown, targetWaves: number[] = [1, 2, 3]) => ({
    sources: [
      {
        bucket: 'build-artifacts',
        region: 'us-west-2',
        rules: [
          {
            name: 'all',
            targets: targetWaves.map((wave, i) => ({
              bucket: `artifacts-${i}`,
              region: 'eu-central-1',
              deploy: { ...deploy(wave), deploymentGroup: `prod-${i}` },
            })),
          },
        ],
      },
    ],
    ...(waves === undefined ? {} : { waves }),
  });
  const problemsOf = (input: unknown): string[] => {
    try {
      parseConfig(input, 'waves.json');
      return [];
    } catch (error) {
      return (error as { problems: string[] }).problems;
    }
  };

  it('lists the waves that require an approval, in order, with a one-day timeout by default', () => {
    // Arrange
    const parsed = parseConfig(
      config({ '3': { approval: { timeoutSeconds: 600 } }, '2': { approval: {} } }),
      'waves.json',
    );

    // Act
    const approvals = approvalWaves(parsed);

    // Assert
    expect(approvals).toEqual([
      { wave: 2, timeoutSeconds: 86_400 },
      { wave: 3, timeoutSeconds: 600 },
    ]);
    expect(approvalWaves(parseConfig(config(undefined), 'waves.json'))).toEqual([]);
  });

  it('refuses an approval of wave 1 and says to move the targets to wave 2', () => {
    // Act
    const problems = problemsOf(config({ '1': { approval: {} } }));

    // Assert
    expect(problems).toEqual([
      expect.stringMatching(
        /^waves\["1"\]: .*cannot wait for an approval — move the targets that need one to "wave": 2/,
      ),
    ]);
  });

  it('refuses settings for a wave no deploying target is in', () => {
    // Act
    const problems = problemsOf(config({ '4': { approval: {} } }));

    // Assert
    expect(problems).toEqual([
      expect.stringMatching(
        /^waves\["4"\]: no deploying target is in wave 4, .*one of the waves in use: 2, 3/,
      ),
    ]);
  });

  it('refuses an approval timeout under a minute or over 30 days', () => {
    // Act
    const short = problemsOf(config({ '2': { approval: { timeoutSeconds: 30 } } }));
    const long = problemsOf(config({ '2': { approval: { timeoutSeconds: 31 * 86_400 } } }));

    // Assert
    expect(short).toEqual([expect.stringContaining('waves["2"].approval.timeoutSeconds')]);
    expect(long).toEqual([expect.stringContaining('waves["2"].approval.timeoutSeconds')]);
  });
});
