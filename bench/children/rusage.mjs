// Preloaded into a `relay` CLI process a bench case runs (`node --import <this file> bin/relay.mjs …`): when the
// process exits it writes its peak resident set size in bytes (getrusage's ru_maxrss, which /proc cannot give
// once the process is gone) and the CPU time it used in milliseconds, as JSON `{"maxRss":…,"cpuMs":…}`, to the
// file RELAY_BENCH_RUSAGE_FILE names. Plain JavaScript, so it loads before bin/relay.mjs registers tsx.
import { writeFileSync } from 'node:fs';

const file = process.env.RELAY_BENCH_RUSAGE_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const cpuMs = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000);
    writeFileSync(file, JSON.stringify({ maxRss: usage.maxRSS * 1024, cpuMs }));
  });
}
