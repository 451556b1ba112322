/**
 * What a lookup in a LevelDB index leaves behind outside V8 (issue #15: `relay local` stays flat through a
 * 100,000-item backfill, whose every S3 request looks a key's versions up). Reads two-version keys the way the
 * local S3's index did (`.all()`, which asks classic-level for 1,000 entries a call) and the way it does
 * ({@link readSmallRange}, 16 at a time), each in a process of its own (the allocator's state is per process),
 * with `MALLOC_ARENA_MAX=2` as `relay local` runs; prints each process's resident set after full GCs and the
 * time the lookups took.
 *
 * ```
 * node --import tsx bench/lib/index-lookup-memory.ts [lookups=200000]
 * ```
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ClassicLevel } from 'classic-level';
import { readSmallRange } from '../../local/leveldb.ts';
import { memoryAfterFullGc } from './gc.ts';
import { round } from './stats.ts';
import { MIB } from './units.ts';

const KEYS = 1_000;
const VERSIONS_PER_KEY = 2;
const RECORD_BYTES = 300;
const IN_FLIGHT = 8;
const MODES = ['all', 'small-reads'] as const;
type Mode = (typeof MODES)[number];

/** One mode, in this process: prints `{ mode, before, after, ms }` as JSON. */
async function measure(mode: Mode, lookups: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'relay-lookup-memory-'));
  const db = new ClassicLevel<string, string>(dir);
  try {
    await db.open();
    const record = 'x'.repeat(RECORD_BYTES);
    await db.batch(
      Array.from({ length: KEYS * VERSIONS_PER_KEY }, (_, i) => ({
        type: 'put' as const,
        key: `k${String(i % KEYS).padStart(5, '0')}/${Math.floor(i / KEYS)}`,
        value: record,
      })),
    );
    const before = (await memoryAfterFullGc()).rss;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async (_, lane) => {
        for (let i = lane; i < lookups; i += IN_FLIGHT) {
          const prefix = `k${String(i % KEYS).padStart(5, '0')}/`;
          const range = { gte: prefix, lt: `${prefix}\xff` };
          const found =
            mode === 'all' ? await db.values(range).all() : await readSmallRange(db.values(range));
          if (found.length !== VERSIONS_PER_KEY) throw new Error(`${prefix}: ${found.length} versions read`);
        }
      }),
    );
    const ms = performance.now() - started;
    const after = (await memoryAfterFullGc()).rss;
    process.stdout.write(`${JSON.stringify({ mode, before, after, ms })}\n`);
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [lookupsText = '200000', mode] = process.argv.slice(2);
  const lookups = Number(lookupsText);
  if (!Number.isSafeInteger(lookups) || lookups < 1)
    throw new Error(`not a number of lookups: ${lookupsText}`);
  if (mode !== undefined) {
    if (!MODES.includes(mode as Mode)) throw new Error(`not a mode: ${mode} (${MODES.join(', ')})`);
    await measure(mode as Mode, lookups);
    return;
  }
  const self = fileURLToPath(import.meta.url);
  for (const each of MODES) {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', self, String(lookups), each],
      { env: { ...process.env, MALLOC_ARENA_MAX: '2' } },
    );
    const r = JSON.parse(stdout) as { mode: Mode; before: number; after: number; ms: number };
    console.log(
      `${r.mode.padEnd(12)} ${lookups} lookups in ${round(r.ms / 1000, 1)} s; resident after full GCs ${round(r.before / MIB, 1)} → ${round(r.after / MIB, 1)} MiB (+${round((r.after - r.before) / MIB, 1)})`,
    );
  }
}

await main();
