/**
 * Evaluates a Map state's `ItemSelector` (or legacy `Parameters`) for one item with the library's own
 * payload-template engine, with `$$.Map.Item.Index` and `$$.Map.Item.Value` in the Context Object.
 */
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import type { AslScope, JsonValue } from './library.ts';
import { asLibraryDefinition } from './library.ts';

const SELECT_STATE = 'Select';

/** The input of iteration `index`: `selector` applied to the Map's effective input. */
export async function selectItem(
  selector: unknown,
  mapInput: JsonValue,
  index: number,
  item: JsonValue,
  context: Record<string, unknown>,
): Promise<JsonValue> {
  const scope: AslScope = {
    StartAt: SELECT_STATE,
    States: { [SELECT_STATE]: { Type: 'Pass', Parameters: selector, End: true } },
  };
  const machine = new StateMachine(asLibraryDefinition(scope), { validationOptions: { noValidate: true } });
  const run = machine.run(mapInput, {
    context: { ...context, Map: { Item: { Index: index, Value: item } } },
  });
  try {
    return await run.result;
  } catch (error) {
    throw error instanceof ExecutionError ? error.cause : error;
  }
}
