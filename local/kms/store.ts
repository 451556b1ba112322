/** Persistence of the local KMS: its keys and aliases in one JSON file (local/json-state-store.ts). */
import { JsonStateStore } from '../json-state-store.ts';
import type { KmsState } from './model.ts';

/** The local KMS's state store. */
export class KmsStore extends JsonStateStore<KmsState> {
  constructor(dir: string) {
    super(dir, {
      service: 'KMS',
      empty: () => ({ keys: [], aliases: [] }),
      isState: (value): value is KmsState => {
        if (value === null || typeof value !== 'object') return false;
        const v = value as Record<string, unknown>;
        return Array.isArray(v.keys) && Array.isArray(v.aliases);
      },
    });
  }
}
