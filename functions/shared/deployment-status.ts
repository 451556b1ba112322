/** CodeDeploy deployment statuses as the tasks read them: the rules live in core/deployment/status.ts. */
export {
  deploymentFailure,
  deploymentStatusOf,
  isFailedStatus,
  REDRIVE_ADVICE,
} from '../../core/deployment/status.ts';
