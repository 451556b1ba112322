/**
 * The map from a CodeDeploy request to the IAM actions and resource ARNs AWS evaluates (Service
 * Authorization Reference for CodeDeploy, CodeDeploy permissions reference).
 */
import { describe, expect, it } from 'vitest';
import {
  CODEDEPLOY_AUTHORIZATION,
  type CodeDeployAuthorizationInput,
  codeDeployAuthorization,
  type DeploymentPlace,
} from '../../../../local/codedeploy/authorization.ts';
import { CODEDEPLOY_OPERATIONS } from '../../../../local/codedeploy/service.ts';

const ACCOUNT = '111122223333';
const REGION = 'eu-central-1';
const PREFIX = `arn:aws:codedeploy:${REGION}:${ACCOUNT}`;
const DEPLOYMENT = 'd-AAAAAAAAA';
const OTHER_DEPLOYMENT = 'd-BBBBBBBBB';

const DEPLOYMENTS: Readonly<Record<string, DeploymentPlace>> = {
  [DEPLOYMENT]: { applicationName: 'web', deploymentGroupName: 'prod' },
  [OTHER_DEPLOYMENT]: { applicationName: 'web', deploymentGroupName: 'prod' },
};

function request(
  operation: string,
  input: Record<string, unknown>,
  overrides: Partial<CodeDeployAuthorizationInput> = {},
): CodeDeployAuthorizationInput {
  return {
    operation,
    input,
    region: REGION,
    account: ACCOUNT,
    deploymentOf: (id) => DEPLOYMENTS[id],
    groupConfigOf: (application, group) =>
      application === 'web' && group === 'prod' ? 'CodeDeployDefault.OneAtATime' : undefined,
    ...overrides,
  };
}

/** The requirements as `action resource` lines, alternatives joined by ` | `. */
function lines(input: CodeDeployAuthorizationInput): string[] | undefined {
  return codeDeployAuthorization(input)?.map(({ anyOf }) =>
    anyOf.map(({ action, resource }) => `${action} ${resource}`).join(' | '),
  );
}

describe('CodeDeploy operation → IAM actions and resources', () => {
  it('maps every operation the local CodeDeploy serves', () => {
    // Arrange
    const unmapped: string[] = [];

    // Act
    for (const operation of CODEDEPLOY_OPERATIONS) {
      if (!Object.hasOwn(CODEDEPLOY_AUTHORIZATION, operation)) unmapped.push(operation);
    }

    // Assert
    expect(CODEDEPLOY_OPERATIONS.length).toBeGreaterThan(0);
    expect(unmapped).toEqual([]);
  });

  it('authorizes CreateDeployment on the group, the named configuration and the application revision', () => {
    // Arrange
    const input = {
      applicationName: 'web',
      deploymentGroupName: 'prod',
      deploymentConfigName: 'CodeDeployDefault.AllAtOnce',
    };

    // Act
    const result = lines(request('CreateDeployment', input));

    // Assert
    expect(result).toEqual([
      `codedeploy:CreateDeployment ${PREFIX}:deploymentgroup:web/prod`,
      `codedeploy:GetDeploymentConfig ${PREFIX}:deploymentconfig:CodeDeployDefault.AllAtOnce`,
      `codedeploy:GetApplicationRevision ${PREFIX}:application:web | codedeploy:RegisterApplicationRevision ${PREFIX}:application:web`,
    ]);
  });

  it("authorizes GetDeploymentConfig on the group's configuration when CreateDeployment names none", () => {
    // Act
    const result = lines(
      request('CreateDeployment', { applicationName: 'web', deploymentGroupName: 'prod' }),
    );

    // Assert
    expect(result?.[1]).toBe(
      `codedeploy:GetDeploymentConfig ${PREFIX}:deploymentconfig:CodeDeployDefault.OneAtATime`,
    );
  });

  it('evaluates CreateDeployment on the ARN of a group that does not exist, without a configuration to name', () => {
    // Act
    const result = lines(
      request('CreateDeployment', { applicationName: 'web', deploymentGroupName: 'gone' }),
    );

    // Assert
    expect(result).toEqual([
      `codedeploy:CreateDeployment ${PREFIX}:deploymentgroup:web/gone`,
      `codedeploy:GetApplicationRevision ${PREFIX}:application:web | codedeploy:RegisterApplicationRevision ${PREFIX}:application:web`,
    ]);
  });

  it("authorizes GetDeployment on the deployment's group, and nothing for an unknown deployment", () => {
    // Act
    const known = lines(request('GetDeployment', { deploymentId: DEPLOYMENT }));
    const unknown = lines(request('GetDeployment', { deploymentId: 'd-ZZZZZZZZZ' }));

    // Assert
    expect(known).toEqual([`codedeploy:GetDeployment ${PREFIX}:deploymentgroup:web/prod`]);
    expect(unknown).toEqual([]);
  });

  it('authorizes BatchGetDeployments once per group of the deployments that exist', () => {
    // Act
    const result = lines(
      request('BatchGetDeployments', { deploymentIds: [DEPLOYMENT, OTHER_DEPLOYMENT, 'd-ZZZZZZZZZ'] }),
    );

    // Assert
    expect(result).toEqual([`codedeploy:BatchGetDeployments ${PREFIX}:deploymentgroup:web/prod`]);
  });

  it('authorizes ListDeployments on the named group, and on * when listing the whole region', () => {
    // Act
    const group = lines(request('ListDeployments', { applicationName: 'web', deploymentGroupName: 'prod' }));
    const region = lines(request('ListDeployments', {}));

    // Assert
    expect(group).toEqual([`codedeploy:ListDeployments ${PREFIX}:deploymentgroup:web/prod`]);
    expect(region).toEqual(['codedeploy:ListDeployments *']);
  });

  it('authorizes the actions without resource-level permissions on *', () => {
    // Act
    const list = lines(request('ListApplications', {}));
    const stop = lines(request('StopDeployment', { deploymentId: DEPLOYMENT }));

    // Assert
    expect(list).toEqual(['codedeploy:ListApplications *']);
    expect(stop).toEqual(['codedeploy:StopDeployment *']);
  });

  it('authorizes application operations on the application and group operations on the group', () => {
    // Act
    const results = [
      lines(request('CreateApplication', { applicationName: 'web' })),
      lines(request('GetApplication', { applicationName: 'web' })),
      lines(request('DeleteApplication', { applicationName: 'web' })),
      lines(request('ListDeploymentGroups', { applicationName: 'web' })),
      lines(request('BatchGetApplications', { applicationNames: ['web', 'api', 'web'] })),
      lines(request('CreateDeploymentGroup', { applicationName: 'web', deploymentGroupName: 'prod' })),
      lines(request('GetDeploymentGroup', { applicationName: 'web', deploymentGroupName: 'prod' })),
      lines(request('DeleteDeploymentGroup', { applicationName: 'web', deploymentGroupName: 'prod' })),
    ];

    // Assert
    expect(results).toEqual([
      [`codedeploy:CreateApplication ${PREFIX}:application:web`],
      [`codedeploy:GetApplication ${PREFIX}:application:web`],
      [`codedeploy:DeleteApplication ${PREFIX}:application:web`],
      [`codedeploy:ListDeploymentGroups ${PREFIX}:application:web`],
      [
        `codedeploy:BatchGetApplications ${PREFIX}:application:web`,
        `codedeploy:BatchGetApplications ${PREFIX}:application:api`,
      ],
      [`codedeploy:CreateDeploymentGroup ${PREFIX}:deploymentgroup:web/prod`],
      [`codedeploy:GetDeploymentGroup ${PREFIX}:deploymentgroup:web/prod`],
      [`codedeploy:DeleteDeploymentGroup ${PREFIX}:deploymentgroup:web/prod`],
    ]);
  });

  it('names the resource as the request does: IAM wildcard characters are not escaped', () => {
    // Act
    const result = lines(request('GetApplication', { applicationName: 'web*$?' }));

    // Assert
    expect(result).toEqual([`codedeploy:GetApplication ${PREFIX}:application:web*$?`]);
  });

  it("builds the ARN in the partition of the request's region", () => {
    // Act
    const result = lines(request('GetApplication', { applicationName: 'web' }, { region: 'cn-north-1' }));

    // Assert
    expect(result).toEqual([
      `codedeploy:GetApplication arn:aws-cn:codedeploy:cn-north-1:${ACCOUNT}:application:web`,
    ]);
  });

  it('names no resource when a required name is missing, leaving the validation error to the operation', () => {
    // Act
    const results = [
      codeDeployAuthorization(request('CreateDeployment', { applicationName: 'web' })),
      codeDeployAuthorization(request('GetApplication', {})),
      codeDeployAuthorization(request('BatchGetDeployments', { deploymentIds: [] })),
    ];

    // Assert
    expect(results).toEqual([undefined, undefined, undefined]);
  });

  it('requires codedeploy:<operation> on * for an operation without a mapping', () => {
    // Act
    const result = lines(request('ListDeploymentConfigs', {}));
    const inherited = lines(request('toString', {}));

    // Assert
    expect(result).toEqual(['codedeploy:ListDeploymentConfigs *']);
    expect(inherited).toEqual(['codedeploy:toString *']);
  });
});
