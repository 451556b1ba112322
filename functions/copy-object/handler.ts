import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createLambdaHandler } from '../shared/lambda-handler.ts';
import { metrics, taskLog } from '../shared/powertools.ts';
import { defaultS3ClientFor } from '../shared/s3-default.ts';
import { createCopyObjectHandler } from './index.ts';

/** The Copy Lambda: clients at module scope, the time budget from the Lambda context. */
export const handler = createLambdaHandler(
  'copy-object',
  createCopyObjectHandler({ s3ClientFor: defaultS3ClientFor, log: taskLog }),
  {
    recordResult: (result) => {
      metrics.addMetric(`Copy.${result.status}`, MetricUnit.Count, 1);
      if (result.status === 'copied') metrics.addMetric('BytesCopied', MetricUnit.Bytes, result.bytes);
    },
  },
);
