import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createLambdaHandler } from '../shared/lambda-handler.ts';
import { metrics } from '../shared/powertools.ts';
import { defaultS3ClientFor } from '../shared/s3-default.ts';
import { createDeleteReplicaHandler } from './index.ts';

/** The DeleteReplica Lambda: clients at module scope; one metric per result status. */
export const handler = createLambdaHandler(
  'delete-replica',
  createDeleteReplicaHandler({ s3ClientFor: defaultS3ClientFor }),
  {
    recordResult: (result) => {
      metrics.addMetric(`ReplicaDeletes.${result.status}`, MetricUnit.Count, 1);
    },
  },
);
