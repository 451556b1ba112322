/**
 * The CodeDeploy errors the local service answers with: each builds an {@link AwsJsonError} whose code is
 * the exception shape name of the CodeDeploy API, so SDK clients raise their modelled exception classes.
 */
import { AwsJsonError } from '../protocol/json.ts';

function error(code: string, message: string): AwsJsonError {
  return new AwsJsonError(code, message);
}

export const applicationNameRequired = (): AwsJsonError =>
  error('ApplicationNameRequiredException', 'Application name must be specified');
export const invalidApplicationName = (name: string): AwsJsonError =>
  error(
    'InvalidApplicationNameException',
    `Application name '${name}' is invalid: it must have 1 to 100 characters`,
  );
export const applicationAlreadyExists = (name: string): AwsJsonError =>
  error('ApplicationAlreadyExistsException', `Application '${name}' already exists`);
export const applicationDoesNotExist = (name: string): AwsJsonError =>
  error('ApplicationDoesNotExistException', `No application found for name: ${name}`);
export const invalidComputePlatform = (value: string): AwsJsonError =>
  error(
    'InvalidComputePlatformException',
    `The computePlatform '${value}' is invalid. The computePlatform should be Lambda, Server, or ECS.`,
  );

export const deploymentGroupNameRequired = (): AwsJsonError =>
  error('DeploymentGroupNameRequiredException', 'Deployment Group name must be specified');
export const invalidDeploymentGroupName = (name: string): AwsJsonError =>
  error(
    'InvalidDeploymentGroupNameException',
    `Deployment group name '${name}' is invalid: it must have 1 to 100 characters`,
  );
export const deploymentGroupAlreadyExists = (application: string, name: string): AwsJsonError =>
  error(
    'DeploymentGroupAlreadyExistsException',
    `Deployment Group '${name}' already exists for application '${application}'`,
  );
export const deploymentGroupDoesNotExist = (name: string): AwsJsonError =>
  error('DeploymentGroupDoesNotExistException', `No Deployment Group found for name: ${name}`);
export const roleRequired = (): AwsJsonError =>
  error('RoleRequiredException', 'Service role ARN must be specified (serviceRoleArn)');

export const deploymentConfigDoesNotExist = (name: string): AwsJsonError =>
  error('DeploymentConfigDoesNotExistException', `No deployment configuration found for name: ${name}`);
export const invalidDeploymentConfigName = (name: string, platform: string): AwsJsonError =>
  error(
    'InvalidDeploymentConfigNameException',
    `Deployment configuration '${name}' cannot be used with the ${platform} compute platform`,
  );

export const revisionRequired = (): AwsJsonError =>
  error('RevisionRequiredException', 'RevisionLocation must be specified');
export const invalidRevision = (message: string): AwsJsonError => error('InvalidRevisionException', message);
export const revisionDoesNotExist = (message: string): AwsJsonError =>
  error('RevisionDoesNotExistException', message);
export const deploymentLimitExceeded = (group: string, active: string): AwsJsonError =>
  error(
    'DeploymentLimitExceededException',
    `The Deployment Group '${group}' already has an active Deployment '${active}'`,
  );

export const deploymentIdRequired = (): AwsJsonError =>
  error('DeploymentIdRequiredException', 'Deployment ID must be specified');
export const invalidDeploymentId = (id: string): AwsJsonError =>
  error('InvalidDeploymentIdException', `Deployment ID '${id}' is not a valid deployment ID`);
export const deploymentDoesNotExist = (id: string): AwsJsonError =>
  error('DeploymentDoesNotExistException', `Deployment ${id} does not exist`);
export const deploymentAlreadyCompleted = (id: string): AwsJsonError =>
  error('DeploymentAlreadyCompletedException', `Deployment ${id} has already completed`);
export const batchLimitExceeded = (limit: number): AwsJsonError =>
  error(
    'BatchLimitExceededException',
    `The maximum number of names or IDs allowed for this request (${limit}) was exceeded`,
  );

export const invalidDeploymentStatus = (value: string): AwsJsonError =>
  error('InvalidDeploymentStatusException', `Deployment status '${value}' is not valid`);
export const invalidTimeRange = (message: string): AwsJsonError =>
  error('InvalidTimeRangeException', message);
export const invalidNextToken = (): AwsJsonError =>
  error('InvalidNextTokenException', 'The next token was specified in an invalid format');
export const invalidInput = (message: string): AwsJsonError => error('InvalidInputException', message);

/** Raised by the bundle readers when a revision's bytes are not a usable bundle of their stated type. */
export class InvalidBundleError extends Error {
  override readonly name = 'InvalidBundleError';
}
