import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SFNClient } from '@aws-sdk/client-sfn';
import { clientSettingsFromEnv } from '../shared/clients.ts';
import { createLambdaHandler } from '../shared/lambda-handler.ts';
import { metrics, tracer } from '../shared/powertools.ts';
import { createNotifyHandler } from './index.ts';
import { defaultPutEvents } from './put-events-default.ts';

const settings = clientSettingsFromEnv();
const sfn = tracer.captureAWSv3Client(
  new SFNClient({
    region: process.env.AWS_REGION ?? 'us-east-1',
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
  }),
);

/**
 * The notifier Lambda, the target of the rule on the relay state machine's "Execution Status Change"
 * events: clients at module scope, the Step Functions client in the function's (and the state machine's)
 * region.
 */
export const handler = createLambdaHandler(
  'notify',
  createNotifyHandler({ sfn, putEvents: defaultPutEvents }),
  {
    recordResult: (result) =>
      metrics.addMetric('RelayEventsPublished', MetricUnit.Count, result.published.length),
  },
);
