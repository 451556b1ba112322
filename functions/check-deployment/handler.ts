import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { defaultCodeDeployClientFor } from '../shared/codedeploy-default.ts';
import { createLambdaHandler } from '../shared/lambda-handler.ts';
import { metrics } from '../shared/powertools.ts';
import { createCheckDeploymentHandler } from './index.ts';

/** The CheckDeployment Lambda: clients at module scope. */
export const handler = createLambdaHandler(
  'check-deployment',
  createCheckDeploymentHandler({ codeDeployClientFor: defaultCodeDeployClientFor }),
  {
    recordResult: (result) => {
      if (result.done) metrics.addMetric('DeploymentsSucceeded', MetricUnit.Count, 1);
    },
  },
);
