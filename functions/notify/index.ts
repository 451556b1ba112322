import type { TaskHandler } from '../shared/task.ts';
import { type NotifyResult, notifyExecutionEnded } from './notify.ts';
import type { NotifyDeps } from './ports.ts';

export type { NotifyResult } from './notify.ts';
export type { NotifyDeps, PutEvents, PutEventsEntry } from './ports.ts';

/**
 * The notifier with injected clients, callable in-process (the local stack's bridge rule) or wrapped for
 * Lambda (`handler.ts`). Its input is Step Functions' "Execution Status Change" event.
 */
export function createNotifyHandler(deps: NotifyDeps): TaskHandler<NotifyResult> {
  return async (input, options = {}) => notifyExecutionEnded(input, deps, options.signal);
}
