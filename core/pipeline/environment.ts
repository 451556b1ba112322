/**
 * The pipeline action function's environment contract, shared by the function that reads it
 * (functions/pipeline-action/env.ts) and the CDK construct that sets it (infra/pipeline-action.ts).
 */

/** The environment variable holding the relay state machine's ARN (the action starts executions of it). */
export const RELAY_STATE_MACHINE_ARN_ENV = 'RELAY_STATE_MACHINE_ARN';
