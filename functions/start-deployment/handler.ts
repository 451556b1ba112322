import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { defaultCodeDeployClientFor } from '../shared/codedeploy-default.ts';
import { createLambdaHandler } from '../shared/lambda-handler.ts';
import { metrics, taskLog } from '../shared/powertools.ts';
import { defaultS3ClientFor } from '../shared/s3-default.ts';
import { createStartDeploymentHandler } from './index.ts';

/** The StartDeployment Lambda: clients at module scope. */
export const handler = createLambdaHandler(
  'start-deployment',
  createStartDeploymentHandler({
    codeDeployClientFor: defaultCodeDeployClientFor,
    s3ClientFor: defaultS3ClientFor,
    log: taskLog,
  }),
  { recordResult: () => metrics.addMetric('DeploymentsStarted', MetricUnit.Count, 1) },
);
