import { CfnOutput, Stack, Token } from 'aws-cdk-lib';
import type { ArtifactRelay } from './artifact-relay.ts';
import { consoleDomain } from './relay-defaults.ts';

/**
 * The relay's stack outputs: the state machine (ARN and console URL), the dead-letter queue, and
 * the two roles a cross-account target's bucket policy and KMS key policy must allow.
 */
export function addRelayOutputs(relay: ArtifactRelay): void {
  const { region } = Stack.of(relay);
  const arn = relay.stateMachine.stateMachineArn;
  const domain = consoleDomain(Token.isUnresolved(region) ? undefined : region);
  new CfnOutput(relay, 'StateMachineArn', { description: 'The relay state machine', value: arn });
  new CfnOutput(relay, 'StateMachineConsoleUrl', {
    description: 'The relay state machine in the Step Functions console (executions, redrive)',
    value: `https://${region}.${domain}/states/home?region=${region}#/statemachines/view/${arn}`,
  });
  new CfnOutput(relay, 'DeadLetterQueueUrl', {
    description: 'Events EventBridge could not start an execution for',
    value: relay.deadLetterQueue.queueUrl,
  });
  new CfnOutput(relay, 'CopyRoleArn', {
    description: 'The role that writes replicas (allow it in cross-account target bucket and key policies)',
    value: relay.functions['copy-object'].role?.roleArn ?? '',
  });
  new CfnOutput(relay, 'VerifyRoleArn', {
    description: 'The role that reads replicas to verify them (allow it in cross-account target policies)',
    value: relay.functions['verify-copy'].role?.roleArn ?? '',
  });
}
