/** Persistence of the local CodeDeploy: its state in one JSON file (local/json-state-store.ts). */
import { JsonStateStore } from '../json-state-store.ts';
import type { CodeDeployState } from './model.ts';

export { CorruptStateError } from '../json-state-store.ts';

/** The local CodeDeploy's state store. */
export class StateStore extends JsonStateStore<CodeDeployState> {
  constructor(dir: string) {
    super(dir, {
      service: 'CodeDeploy',
      empty: () => ({ applications: [], deploymentGroups: [], deployments: [] }),
      isState: (value): value is CodeDeployState => {
        if (value === null || typeof value !== 'object') return false;
        const v = value as Record<string, unknown>;
        return (
          Array.isArray(v.applications) && Array.isArray(v.deploymentGroups) && Array.isArray(v.deployments)
        );
      },
    });
  }
}
