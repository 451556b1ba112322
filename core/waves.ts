/**
 * Deployment waves (issue #12, docs/waves.md): copies and verification run for every target at once,
 * deployments wave by wave. Wave 1 (a target's `deploy.wave` omitted or 1) deploys in the first pass as
 * ever; each later wave is one inline Map state after the second pass, over the items ResolveTargets
 * lists for it here. The number of those Map states is fixed when the definition is built — the
 * configuration's highest wave — so both come from the same configuration.
 */
import type { RelayConfig, TargetConfig } from './config/schema.ts';

/** A target's deployment wave: 1 when it names none (or does not deploy). */
export function waveOf(target: Pick<TargetConfig, 'deploy'>): number {
  return target.deploy?.wave ?? 1;
}

/** The highest deployment wave a configuration uses (1 when no target names one). */
export function deploymentWaveCount(config: RelayConfig): number {
  let highest = 1;
  for (const source of config.sources) {
    for (const rule of source.rules) {
      for (const target of rule.targets) highest = Math.max(highest, waveOf(target));
    }
  }
  return highest;
}

/** One item of a later wave's Map: the target and its position in ResolveTargets' `targets`. */
export interface WaveItem<T> {
  readonly target: T;
  readonly index: number;
}

/**
 * The items of waves 2 … `waveCount`, one list per wave (empty when no target of this object is in it):
 * the `deployWaves` ResolveTargets returns, which the definition's `DeployWave<n>` Maps iterate by
 * position (`$.deployWaves[n-2]`). Only deploying targets are listed.
 */
export function laterWaves<T extends Pick<TargetConfig, 'deploy'>>(
  targets: readonly T[],
  waveCount: number,
): WaveItem<T>[][] {
  const waves: WaveItem<T>[][] = Array.from({ length: Math.max(0, waveCount - 1) }, () => []);
  targets.forEach((target, index) => {
    const wave = waveOf(target);
    if (target.deploy !== undefined && wave > 1) waves[wave - 2]?.push({ target, index });
  });
  return waves;
}

/** A wave that waits for an approval before it deploys: how long it waits, in seconds. */
export interface WaveApproval {
  readonly wave: number;
  readonly timeoutSeconds: number;
}

/**
 * The waves of a configuration that require an approval (`waves.<n>.approval`), by wave number in
 * ascending order. Every one is a wave from 2 to {@link deploymentWaveCount} (the schema refuses wave 1, the
 * consistency rules a wave no target deploys in).
 */
export function approvalWaves(config: Pick<RelayConfig, 'waves'>): WaveApproval[] {
  return Object.entries(config.waves ?? {})
    .flatMap(([key, settings]) =>
      settings.approval === undefined
        ? []
        : [{ wave: Number(key), timeoutSeconds: settings.approval.timeoutSeconds }],
    )
    .sort((a, b) => a.wave - b.wave);
}
