#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node
// The `relay` command: runs the TypeScript CLI through tsx, so no build step is needed.
// The shebang runs it with MALLOC_ARENA_MAX=2: with glibc's default (up to eight malloc arenas per core), memory a
// long-running `relay local` frees after its executions stays in its RSS; with two it stays flat (`npm run bench`,
// case history-memory). `node bin/relay.mjs …` runs without it.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
