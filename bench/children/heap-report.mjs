// Preloaded into `relay local` by a bench case (`node --expose-gc --import <this file> bin/relay.mjs local …`): on
// SIGUSR2 it runs full garbage collections (until V8's committed heap stops shrinking) and prints `memory <n> <process.memoryUsage() as JSON>` on stdout (n
// counts the reports) — what the stack still holds, as opposed to garbage not yet collected; bench/lib/child.ts
// `memoryAfterGc` sends the signal and reads the line. Plain JavaScript, so it loads before bin/relay.mjs
// registers tsx; until signalled it does nothing. Besides `process.memoryUsage()` it reports the resident set's
// two parts from /proc/self/status (Linux): `rssAnon`, memory the process allocated, and `rssFile`, pages of files
// it maps (LevelDB maps the local S3's index files) — page cache the kernel may take back at any time.
import { readFileSync } from 'node:fs';

function residentParts() {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rssAnon: kib('RssAnon') * 1024, rssFile: kib('RssFile') * 1024 };
  } catch {
    return {};
  }
}

/**
 * Full GCs until the heap V8 has committed stops shrinking (at most 5): after one, V8 still keeps the room it
 * sized for the work of the moment (measured: 140 MiB committed for 49 MiB in use mid-backfill), and gives it
 * back over the next ones — so one collection compares V8's sizing at two moments, not what the stack holds.
 */
function collect() {
  let committed = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5 && globalThis.gc; i++) {
    globalThis.gc();
    const now = process.memoryUsage().heapTotal;
    if (now >= committed) break;
    committed = now;
  }
}

let reports = 0;
process.on('SIGUSR2', () => {
  collect();
  reports += 1;
  process.stdout.write(
    `memory ${reports} ${JSON.stringify({ ...process.memoryUsage(), ...residentParts() })}\n`,
  );
});
