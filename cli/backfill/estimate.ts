/**
 * What a backfill will cost, before it starts (issue #15): objects, bytes, state transitions and their
 * price, Lambda invocations and data transfer, from the same per-artifact model as the README's cost table
 * (4 + 3 × targets transitions per relay without deployments) plus the backfill's own one transition per
 * object (its child workflow's single state). List prices of us-east-1; the README says which.
 */

/** $ per 1,000 Standard state transitions. */
const TRANSITION_PRICE = 0.025 / 1000;
/** $ per Lambda request. */
const LAMBDA_REQUEST_PRICE = 0.2 / 1_000_000;
/** $ per GB of inter-region data transfer (most regions). */
const TRANSFER_PRICE_PER_GB = 0.02;

export interface BackfillEstimate {
  readonly objects: number;
  readonly bytes: number;
  /** Targets each object goes to (the most any of them has). */
  readonly targets: number;
  readonly transitions: number;
  readonly lambdaInvocations: number;
  /** $: transitions + Lambda requests + inter-region transfer (Lambda duration not included). */
  readonly stepFunctionsCost: number;
  readonly lambdaRequestCost: number;
  readonly transferCost: number;
}

/** The estimate for `objects` objects of `bytes` in all, each relayed to `targets` targets, without deploying. */
export function estimateBackfill(objects: number, bytes: number, targets: number): BackfillEstimate {
  const transitions = objects * (1 + 4 + 3 * targets) + 4;
  const lambdaInvocations = objects * (1 + 2 * targets) + 1;
  return {
    objects,
    bytes,
    targets,
    transitions,
    lambdaInvocations,
    stepFunctionsCost: transitions * TRANSITION_PRICE,
    lambdaRequestCost: lambdaInvocations * LAMBDA_REQUEST_PRICE,
    transferCost: ((bytes * targets) / 1024 ** 3) * TRANSFER_PRICE_PER_GB,
  };
}
