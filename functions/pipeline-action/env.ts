import { RELAY_STATE_MACHINE_ARN_ENV } from '../../core/pipeline/environment.ts';

export { RELAY_STATE_MACHINE_ARN_ENV };

/**
 * The relay state machine's ARN from {@link RELAY_STATE_MACHINE_ARN_ENV}.
 *
 * @throws Error when it is unset or not a state machine ARN
 */
export function relayStateMachineArnFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const value = env[RELAY_STATE_MACHINE_ARN_ENV]?.trim();
  if (value === undefined || value === '') {
    throw new Error(
      `${RELAY_STATE_MACHINE_ARN_ENV} is not set: give the pipeline action function the relay state machine's ARN`,
    );
  }
  if (!/^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/.test(value)) {
    throw new Error(`${RELAY_STATE_MACHINE_ARN_ENV} is ${JSON.stringify(value)}, not a state machine ARN`);
  }
  return value;
}
