// The entry of a hashing thread (./pool.ts). Worker threads do not inherit the main thread's module hooks,
// so the thread registers tsx itself before loading the TypeScript worker, as bin/relay.mjs does.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
