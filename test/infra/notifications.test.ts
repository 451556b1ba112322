import { beforeAll, describe, expect, it } from 'vitest';
import {
  asCloudFormationSends,
  findPython,
  type HandlerRun,
  runNotificationsHandler,
} from './helpers/notifications-handler.ts';
import { type SynthResult, synthRelayApp } from './helpers/synth.ts';
import { logicalIdOf, resourcesOfType, type TemplateResource } from './helpers/template.ts';

const BUCKET = 'build-artifacts-oregon';
const STACK_ID = 'arn:aws:cloudformation:us-west-2:111122223333:stack/ArtifactRelay/1f2e3d4c';

/** What another tool configured on the bucket before the relay was deployed. */
const EXISTING = {
  LambdaFunctionConfigurations: [
    {
      Id: 'index-new-builds',
      LambdaFunctionArn: 'arn:aws:lambda:us-west-2:111122223333:function:indexer',
      Events: ['s3:ObjectCreated:*'],
      Filter: { Key: { FilterRules: [{ Name: 'Prefix', Value: 'logs/' }] } },
    },
  ],
  QueueConfigurations: [
    {
      Id: 'audit-deletions',
      QueueArn: 'arn:aws:sqs:us-west-2:111122223333:audit',
      Events: ['s3:ObjectRemoved:*'],
    },
  ],
  TopicConfigurations: [],
};

/** `config` with every notification's Id emptied, as the handler's Update path leaves them. */
function withoutIds(config: typeof EXISTING): typeof EXISTING {
  return {
    LambdaFunctionConfigurations: config.LambdaFunctionConfigurations.map((n) => ({ ...n, Id: '' })),
    QueueConfigurations: config.QueueConfigurations.map((n) => ({ ...n, Id: '' })),
    TopicConfigurations: [],
  };
}

let result: SynthResult;
let notifications: TemplateResource;
let handlerCode: string;

beforeAll(() => {
  result = synthRelayApp();
  notifications = resourcesOfType(result, 'Custom::S3BucketNotifications')[0]![1];
  const handlerId = (notifications.Properties.ServiceToken as { 'Fn::GetAtt': [string, string] })[
    'Fn::GetAtt'
  ][0];
  handlerCode = (result.json.Resources[handlerId]!.Properties.Code as { ZipFile: string }).ZipFile;
});

describe('the imported source bucket', () => {
  it('is switched to EventBridge by a custom resource that treats the bucket as unmanaged', () => {
    // Assert
    expect(resourcesOfType(result, 'Custom::S3BucketNotifications')).toHaveLength(1);
    expect(notifications.Properties).toMatchObject({
      BucketName: BUCKET,
      NotificationConfiguration: { EventBridgeConfiguration: {} },
      Managed: false,
    });
    // The only bucket the stack creates is the backfill's own results bucket, never a source.
    expect(resourcesOfType(result, 'AWS::S3::Bucket').map(([id]) => id)).toEqual([
      logicalIdOf(result.stack, result.stack.relay.backfill!.resultsBucket),
    ]);
  });

  it("is handled by code that reads the bucket's configuration before writing it", () => {
    // Assert
    expect(handlerCode).toContain('get_bucket_notification_configuration');
    expect(handlerCode).toContain('def handle_unmanaged');
  });
});

// CI installs Debian's awscli (a Python program) and sets RELAY_REQUIRE_AWS_CLI, so python3 is there
// and these must run; a developer machine without python3 skips them.
const python = findPython();
const pythonRequired = process.env.RELAY_REQUIRE_AWS_CLI === '1';

describe.skipIf(python === undefined && !pythonRequired)(
  'the notifications handler, run as deployed against a bucket with notifications',
  () => {
    function run(event: Record<string, unknown>, existing: Record<string, unknown>): HandlerRun {
      if (python === undefined) throw new Error('python3 is required to run the notifications handler');
      return runNotificationsHandler(python, handlerCode, event, { [BUCKET]: existing });
    }

    function request(type: 'Create' | 'Update' | 'Delete'): Record<string, unknown> {
      const properties = asCloudFormationSends({ ...notifications.Properties, ServiceToken: 'arn:token' });
      return {
        RequestType: type,
        ResourceProperties: properties,
        ...(type === 'Update'
          ? { OldResourceProperties: properties, PhysicalResourceId: 'Notifications' }
          : {}),
        ...(type === 'Delete' ? { PhysicalResourceId: 'Notifications' } : {}),
        StackId: STACK_ID,
        RequestId: 'request-1',
        LogicalResourceId: 'Notifications',
        ResponseURL: 'https://cloudformation-custom-resource-response.example/response',
      };
    }

    it('adds EventBridge on create and keeps the Lambda and queue notifications it found', () => {
      // Act
      const outcome = run(request('Create'), EXISTING);

      // Assert
      expect(outcome.responses.map((r) => r.Status)).toEqual(['SUCCESS']);
      expect(outcome.puts).toHaveLength(1);
      expect(outcome.puts[0]!.Bucket).toBe(BUCKET);
      expect(outcome.puts[0]!.NotificationConfiguration).toEqual({
        ...EXISTING,
        EventBridgeConfiguration: {},
      });
    });

    it('keeps them on update, though aws-cdk-lib blanks their Ids (S3 then assigns new ones)', () => {
      // Act
      const outcome = run(request('Update'), { ...EXISTING, EventBridgeConfiguration: {} });

      // Assert
      expect(outcome.responses.map((r) => r.Status)).toEqual(['SUCCESS']);
      expect(outcome.puts[0]!.NotificationConfiguration).toEqual({
        ...withoutIds(EXISTING),
        EventBridgeConfiguration: {},
      });
    });

    it('keeps them, and EventBridge delivery, when the stack is deleted', () => {
      // Act
      const outcome = run(request('Delete'), { ...EXISTING, EventBridgeConfiguration: {} });

      // Assert
      expect(outcome.responses.map((r) => r.Status)).toEqual(['SUCCESS']);
      expect(outcome.puts[0]!.NotificationConfiguration).toEqual({
        ...EXISTING,
        EventBridgeConfiguration: {},
      });
    });
  },
);
