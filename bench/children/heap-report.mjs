// Preloaded into `relay local` by a bench case (`node --expose-gc --import <this file> bin/relay.mjs local …`): on
// SIGUSR2 it runs a full garbage collection and prints `memory <n> <process.memoryUsage() as JSON>` on stdout (n
// counts the reports) — what the stack still holds, as opposed to garbage not yet collected; bench/lib/child.ts
// `memoryAfterGc` sends the signal and reads the line. Plain JavaScript, so it loads before bin/relay.mjs
// registers tsx; until signalled it does nothing.
let reports = 0;
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  reports += 1;
  process.stdout.write(`memory ${reports} ${JSON.stringify(process.memoryUsage())}\n`);
});
