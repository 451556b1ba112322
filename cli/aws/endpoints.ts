/** Where `npx relay local` listens by default (LOCAL_DEFAULTS in local/index.ts). */
export const DEFAULT_LOCAL_ENDPOINT = 'http://127.0.0.1:4566';
