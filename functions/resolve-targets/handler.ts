import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { cachedConfigLoader } from '../shared/config.ts';
import { createLambdaHandler } from '../shared/lambda-handler.ts';
import { metrics, taskLog } from '../shared/powertools.ts';
import { defaultS3ClientFor } from '../shared/s3-default.ts';
import { createResolveRequestHandler } from './index.ts';

/**
 * The ResolveTargets Lambda (relays and deletes): configuration from `RELAY_CONFIG` (or the bundled
 * file), clients at module scope.
 */
export const handler = createLambdaHandler(
  'resolve-targets',
  createResolveRequestHandler({
    s3ClientFor: defaultS3ClientFor,
    loadConfig: cachedConfigLoader(),
    log: taskLog,
  }),
  {
    recordResult: (result) => {
      metrics.addMetric('TargetsResolved', MetricUnit.Count, result.targets.length);
      if (result.reason !== undefined)
        metrics.addMetric(`NothingToRelay.${result.reason}`, MetricUnit.Count, 1);
    },
  },
);
