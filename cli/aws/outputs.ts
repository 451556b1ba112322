/**
 * Stack outputs as CDK keys them: a CfnOutput's id after the path of the construct that made it and before
 * its hash (`new CfnOutput(relay, 'BackfillResultsBucket')` in the construct `Relay` is
 * `RelayBackfillResultsBucket1A2B3C4D`; at the stack's top level it is the id alone).
 */
import type { Output } from '@aws-sdk/client-cloudformation';

/** Whether `outputKey` is the key CDK gives an output of id `id`. */
export function isOutputKeyOf(outputKey: string | undefined, id: string): boolean {
  return new RegExp(`(^|[a-z0-9])${id}([0-9A-F]{8})?$`).test(outputKey ?? '');
}

/** The value of the output of id `id` among `outputs`. */
export function outputValue(outputs: readonly Output[] | undefined, id: string): string | undefined {
  return outputs?.find((output) => isOutputKeyOf(output.OutputKey, id))?.OutputValue;
}
