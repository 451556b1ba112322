import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DEFAULT_RESULTS_PREFIX } from '../../core/backfill.ts';
import { BACKFILL_RESULTS_BUCKET_ENV } from '../../core/runtime-contract.ts';
import { cachedConfigLoader } from '../shared/config.ts';
import { createLambdaHandler } from '../shared/lambda-handler.ts';
import { metrics, taskLog } from '../shared/powertools.ts';
import { defaultS3ClientFor } from '../shared/s3-default.ts';
import { createBuildWorkListHandler } from './index.ts';

/**
 * The BuildWorkList Lambda of the backfill: configuration as ResolveTargets reads it (`RELAY_CONFIG`, or
 * the bundled file), clients at module scope, the work list written in the Lambda's own region (the
 * backfill state machine's, whose Distributed Map reads it). One metric per count once a list is complete.
 */
export const handler = createLambdaHandler(
  'build-work-list',
  createBuildWorkListHandler({
    s3ClientFor: defaultS3ClientFor,
    loadConfig: cachedConfigLoader(),
    resultsRegion: process.env.AWS_REGION ?? 'us-east-1',
    // The backfill's own results bucket (infra/backfill.ts), for a request that names none.
    ...(process.env[BACKFILL_RESULTS_BUCKET_ENV]
      ? {
          defaultResults: {
            bucket: process.env[BACKFILL_RESULTS_BUCKET_ENV],
            prefix: DEFAULT_RESULTS_PREFIX,
          },
        }
      : {}),
    log: taskLog,
  }),
  {
    recordResult: (result) => {
      if (!result.done) return;
      metrics.addMetric('BackfillObjectsListed', MetricUnit.Count, result.counts.listed);
      metrics.addMetric('BackfillObjectsQueued', MetricUnit.Count, result.counts.queued);
      metrics.addMetric('BackfillObjectsInSync', MetricUnit.Count, result.counts.inSync);
      metrics.addMetric('BackfillBytesQueued', MetricUnit.Bytes, result.counts.queuedBytes);
    },
  },
);
