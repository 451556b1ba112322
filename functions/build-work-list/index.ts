import { buildWorkListInputSchema, type WorkList } from '../../core/backfill.ts';
import { parseTaskInput } from '../shared/parse-input.ts';
import type { TaskHandler } from '../shared/task.ts';
import { type BuildWorkListDeps, buildWorkList } from './build.ts';

export {
  type BuildWorkListDeps,
  DEFAULT_HEAD_CONCURRENCY,
  DEFAULT_LISTING_PAGE_SIZE,
  DEFAULT_WORK_LIST_BUDGET_MS,
  WORK_LIST_TIME_MARGIN_MS,
} from './build.ts';

/**
 * The backfill's BuildWorkList task (issue #15) with injected clients and configuration, callable
 * in-process (the local stack) or wrapped for Lambda (`handler.ts`). Its input is what the backfill
 * definition passes — `{ state: <the execution state: the BackfillRequest, and after the first call its
 * workList>, backfillId: <the execution name> }` (core/backfill.ts `buildWorkListInputSchema`); its
 * answer, the execution's `$.workList`, says whether the JSONL work list is complete and where it is.
 */
export function createBuildWorkListHandler(deps: BuildWorkListDeps): TaskHandler<WorkList> {
  return async (input, options = {}) => {
    const parsed = parseTaskInput(buildWorkListInputSchema, input, 'BuildWorkList');
    return buildWorkList(parsed, deps, options);
  };
}
