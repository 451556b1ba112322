import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createLambdaHandler } from '../shared/lambda-handler.ts';
import { metrics, taskLog } from '../shared/powertools.ts';
import { defaultS3ClientFor } from '../shared/s3-default.ts';
import { createVerifyCopyHandler } from './index.ts';

/** The Verify Lambda: clients at module scope. */
export const handler = createLambdaHandler(
  'verify-copy',
  createVerifyCopyHandler({ s3ClientFor: defaultS3ClientFor, log: taskLog }),
  {
    recordResult: (result) => metrics.addMetric(`VerifiedBy.${result.verifiedBy}`, MetricUnit.Count, 1),
  },
);
