/**
 * The relay as a CodePipeline Lambda invoke action, the pure part: the job event, the action's
 * `UserParameters`, the destination key template, the relay execution's name, the output variables
 * and the messages — CodePipeline's documented limits applied (limits.ts).
 */
export * from './destination-key.ts';
export * from './job.ts';
export * from './limits.ts';
export * from './messages.ts';
export * from './run.ts';
export * from './user-parameters.ts';
export * from './variables.ts';
