/**
 * From items to child inputs: each item through the `ItemSelector` (with `$$.Map.Item.Index` and
 * `$$.Map.Item.Value`), then — with an `ItemBatcher` — grouped into batches shaped as Step Functions
 * shapes them: `{ "BatchInput": …, "Items": [ … ] }` (`BatchInput` only when set). Streamed to the map
 * run's `items.jsonl`; only one batch is ever held.
 */
import { DataLimitExceededError } from '../errors.ts';
import type { JsonValue } from '../library.ts';
import { selectItem } from '../selector.ts';
import { MAX_PAYLOAD_BYTES } from '../task-invoker.ts';
import type { ChildInput } from './model.ts';
import type { BatcherSettings } from './settings.ts';

export interface ItemPipeline {
  /** `ItemSelector` (or legacy `Parameters`), if any. */
  readonly selector?: unknown;
  /** The Map state's effective input (what the selector's `$` paths read). */
  readonly mapInput: JsonValue;
  /** The parent's Context Object. */
  readonly context: Record<string, unknown>;
  readonly batcher?: BatcherSettings | undefined;
}

function checkSize(input: JsonValue, what: string): void {
  const bytes = Buffer.byteLength(JSON.stringify(input));
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new DataLimitExceededError(
      `${what} is ${bytes} bytes, exceeding the maximum of ${MAX_PAYLOAD_BYTES} bytes for a child execution's input.`,
    );
  }
}

/**
 * Writes one child input per item (or batch) to `write`; resolves with how many items and children there
 * were.
 * @throws DataLimitExceededError when a child's input would exceed 256 KiB
 */
export async function writeChildInputs(
  items: AsyncIterable<JsonValue>,
  pipeline: ItemPipeline,
  write: (input: ChildInput) => Promise<void>,
): Promise<{ itemCount: number; childCount: number }> {
  let itemCount = 0;
  let childCount = 0;
  const batcher = pipeline.batcher;
  let batch: JsonValue[] = [];
  let batchBytes = 0;
  const shell = batcher?.batchInput === undefined ? {} : { BatchInput: batcher.batchInput };
  const shellBytes = Buffer.byteLength(JSON.stringify({ ...shell, Items: [] }));
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const input: JsonValue = { ...shell, Items: batch };
    checkSize(input, `Batch ${childCount}`);
    await write({ index: childCount, items: batch.length, input });
    childCount += 1;
    batch = [];
    batchBytes = 0;
  };
  for await (const item of items) {
    const selected =
      pipeline.selector === undefined
        ? item
        : await selectItem(pipeline.selector, pipeline.mapInput, itemCount, item, pipeline.context);
    itemCount += 1;
    if (!batcher) {
      checkSize(selected, `Item ${itemCount - 1}`);
      await write({ index: childCount, items: 1, input: selected });
      childCount += 1;
      continue;
    }
    const bytes = Buffer.byteLength(JSON.stringify(selected)) + 1;
    if (
      batch.length > 0 &&
      batcher.maxInputBytesPerBatch > 0 &&
      shellBytes + batchBytes + bytes > batcher.maxInputBytesPerBatch
    ) {
      await flush();
    }
    batch.push(selected);
    batchBytes += bytes;
    if (batcher.maxItemsPerBatch > 0 && batch.length >= batcher.maxItemsPerBatch) await flush();
  }
  await flush();
  return { itemCount, childCount };
}
