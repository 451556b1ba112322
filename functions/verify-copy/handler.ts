import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createLambdaHandler } from '../shared/lambda-handler.ts';
import { defaultS3ClientFor, metrics, taskLog } from '../shared/powertools.ts';
import { createVerifyCopyHandler } from './index.ts';

/** The Verify Lambda: clients at module scope. */
export const handler = createLambdaHandler(
  'verify-copy',
  createVerifyCopyHandler({ s3ClientFor: defaultS3ClientFor, log: taskLog }),
  {
    recordResult: (result) => metrics.addMetric(`VerifiedBy.${result.verifiedBy}`, MetricUnit.Count, 1),
  },
);
