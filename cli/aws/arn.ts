/** Step Functions ARNs: `arn:<partition>:states:<region>:<account>:<stateMachine|execution>:<name>[:<execution>]`. */

export interface StateMachineRef {
  readonly arn: string;
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly name: string;
}

export interface ExecutionRef {
  readonly arn: string;
  readonly region: string;
  readonly stateMachineArn: string;
  readonly name: string;
}

export function parseStateMachineArn(arn: string): StateMachineRef | undefined {
  const parts = arn.split(':');
  if (parts.length !== 7 || parts[0] !== 'arn' || parts[2] !== 'states' || parts[5] !== 'stateMachine') {
    return undefined;
  }
  const [, partition, , region, account, , name] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return { arn, partition, region, account, name };
}

export function parseExecutionArn(arn: string): ExecutionRef | undefined {
  const parts = arn.split(':');
  if (parts.length !== 8 || parts[0] !== 'arn' || parts[2] !== 'states' || parts[5] !== 'execution') {
    return undefined;
  }
  const [, partition, , region, account, , machine, name] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    arn,
    region,
    name,
    stateMachineArn: `arn:${partition}:states:${region}:${account}:stateMachine:${machine}`,
  };
}

/** The ARN of the execution `name` of a state machine. */
export function executionArnOf(machine: StateMachineRef, name: string): string {
  return `arn:${machine.partition}:states:${machine.region}:${machine.account}:execution:${machine.name}:${name}`;
}

/** The Step Functions console page of an execution (AWS only). */
export function consoleUrl(executionArn: string): string | undefined {
  const parts = executionArn.split(':');
  const partition = parts[1];
  const region = parts[3];
  if (region === undefined) return undefined;
  const host =
    partition === 'aws'
      ? `${region}.console.aws.amazon.com`
      : partition === 'aws-us-gov'
        ? `console.amazonaws-us-gov.com`
        : partition === 'aws-cn'
          ? `console.amazonaws.cn`
          : undefined;
  if (host === undefined) return undefined;
  return `https://${host}/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}
