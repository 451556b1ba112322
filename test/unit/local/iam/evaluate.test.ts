import { describe, expect, it } from 'vitest';
import type { PolicyDocument, PolicyStatementJson } from '../../../../core/permissions/policy-document.ts';
import {
  accessDeniedMessage,
  type EvaluationRequest,
  evaluate,
  evaluateKeyPolicy,
} from '../../../../local/iam/evaluate.ts';
import { UnsupportedPolicy } from '../../../../local/iam/unsupported-policy.ts';

// Each test names the AWS documentation behaviour it checks (IAM User Guide, "Policy evaluation
// logic" and the pages it links; KMS Developer Guide, "Key policies").

const V = '2012-10-17';

/** `${body}` written without a template-looking string literal. */
const variable = (body: string): string => '$' + '{' + body + '}';
const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const CARLOS = { account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/carlossalazar` };
const ROLE = { account: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/CopyRole/session-1` };
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/CopyRole`;

/** The identity policy of the documented example ("Example identity-based and resource-based policy evaluation"). */
const CARLOS_POLICY: PolicyDocument = {
  Version: V,
  Statement: [
    {
      Sid: 'AllowS3ListRead',
      Effect: 'Allow',
      Action: [
        's3:GetBucketLocation',
        's3:GetAccountPublicAccessBlock',
        's3:ListAccessPoints',
        's3:ListAllMyBuckets',
      ],
      Resource: 'arn:aws:s3:::*',
    },
    {
      Sid: 'AllowS3Self',
      Effect: 'Allow',
      Action: 's3:*',
      Resource: [
        'arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/*',
        'arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar',
      ],
    },
    { Sid: 'DenyS3Logs', Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::*log*' },
  ],
};

function request(overrides: Partial<EvaluationRequest>): EvaluationRequest {
  return {
    principal: ROLE,
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::bucket/key',
    resourceAccount: ACCOUNT,
    identityPolicies: [],
    ...overrides,
  };
}

const allowGet = (resource = 'arn:aws:s3:::bucket/*'): PolicyDocument => ({
  Version: V,
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: resource }],
});

describe('evaluation within one account', () => {
  it('denies by default: with no policy allowing it the request is implicitly denied', () => {
    // Act
    const decision = evaluate(request({}));

    // Assert
    expect(decision.decision).toBe('ImplicitDeny');
    expect(decision.reason).toBe('because no identity-based policy allows the s3:GetObject action');
  });

  it('allows what an identity-based policy allows (the example: Carlos writes to his own bucket)', () => {
    // Act
    const decision = evaluate(
      request({
        principal: CARLOS,
        action: 's3:PutObject',
        resource: 'arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/file.txt',
        identityPolicies: [CARLOS_POLICY],
      }),
    );

    // Assert
    expect(decision.decision).toBe('Allow');
    expect(decision.matched.map((m) => m.sid)).toEqual(['AllowS3Self']);
  });

  it('lets an explicit deny override the allow of a resource-based policy (the example: the logs bucket)', () => {
    // Arrange
    const bucketPolicy: PolicyDocument = {
      Version: V,
      Statement: [
        {
          Sid: 'AllowCarlosLogs',
          Effect: 'Allow',
          Principal: { AWS: CARLOS.arn },
          Action: 's3:*',
          Resource: 'arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/*',
        },
      ],
    };

    // Act
    const decision = evaluate(
      request({
        principal: CARLOS,
        action: 's3:PutObject',
        resource: 'arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/file.txt',
        identityPolicies: [CARLOS_POLICY],
        resourcePolicy: bucketPolicy,
      }),
    );

    // Assert
    expect(decision.decision).toBe('ExplicitDeny');
    expect(decision.matched.map((m) => m.sid)).toEqual(['DenyS3Logs']);
    expect(decision.reason).toBe('with an explicit deny in an identity-based policy');
  });

  it('allows when either the identity-based or the resource-based policy allows, within one account', () => {
    // Arrange
    const bucketPolicy: PolicyDocument = {
      Version: V,
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: ROLE_ARN },
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::bucket/*',
        },
      ],
    };

    // Act
    const byResource = evaluate(request({ resourcePolicy: bucketPolicy }));
    const byIdentity = evaluate(request({ identityPolicies: [allowGet()] }));

    // Assert
    expect(byResource.decision).toBe('Allow');
    expect(byIdentity.decision).toBe('Allow');
  });

  it('treats a resource policy naming the account (not the principal) as delegation to its identity policies', () => {
    // Arrange
    const bucketPolicy: PolicyDocument = {
      Version: V,
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 's3:GetObject',
          Resource: '*',
        },
      ],
    };

    // Act
    const decision = evaluate(request({ resourcePolicy: bucketPolicy }));

    // Assert
    expect(decision.decision).toBe('ImplicitDeny');
  });

  it('applies a Deny of a resource-based policy to the principals it names', () => {
    // Arrange
    const bucketPolicy: PolicyDocument = {
      Version: V,
      Statement: [
        {
          Sid: 'NoGet',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::bucket/*',
        },
      ],
    };

    // Act
    const decision = evaluate(request({ identityPolicies: [allowGet()], resourcePolicy: bucketPolicy }));

    // Assert
    expect(decision).toMatchObject({
      decision: 'ExplicitDeny',
      reason: 'with an explicit deny in a resource-based policy',
    });
  });
});

describe('cross-account evaluation', () => {
  const external = { account: OTHER, arn: `arn:aws:sts::${OTHER}:assumed-role/CopyRole/s` };
  const bucketPolicyFor = (principal: string): PolicyDocument => ({
    Version: V,
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::bucket/*',
      },
    ],
  });

  it('allows only when the identity policy of the trusted account and the resource policy of the trusting account both allow', () => {
    // Act
    const both = evaluate(
      request({
        principal: external,
        identityPolicies: [allowGet()],
        resourcePolicy: bucketPolicyFor(`arn:aws:iam::${OTHER}:role/CopyRole`),
      }),
    );
    const identityOnly = evaluate(request({ principal: external, identityPolicies: [allowGet()] }));
    const resourceOnly = evaluate(request({ principal: external, resourcePolicy: bucketPolicyFor(OTHER) }));

    // Assert
    expect(both.decision).toBe('Allow');
    expect(identityOnly).toMatchObject({
      decision: 'ImplicitDeny',
      reason: 'because no resource-based policy allows the s3:GetObject action',
    });
    expect(resourceOnly).toMatchObject({
      decision: 'ImplicitDeny',
      reason: 'because no identity-based policy allows the s3:GetObject action',
    });
  });

  it('lets the resource policy specify the entire trusted account (its id or its root) as the principal', () => {
    // Act
    const byId = evaluate(
      request({
        principal: external,
        identityPolicies: [allowGet()],
        resourcePolicy: bucketPolicyFor(OTHER),
      }),
    );
    const byRoot = evaluate(
      request({
        principal: external,
        identityPolicies: [allowGet()],
        resourcePolicy: bucketPolicyFor(`arn:aws:iam::${OTHER}:root`),
      }),
    );

    // Assert
    expect(byId.decision).toBe('Allow');
    expect(byRoot.decision).toBe('Allow');
  });

  it('does not let a resource policy naming another account grant anything', () => {
    // Act
    const decision = evaluate(
      request({
        principal: external,
        identityPolicies: [allowGet()],
        resourcePolicy: bucketPolicyFor('999988887777'),
      }),
    );

    // Assert
    expect(decision.decision).toBe('ImplicitDeny');
  });
});

describe('Action, NotAction, Resource and NotResource', () => {
  it('matches action names case-insensitively, with * and ? wildcards', () => {
    // Arrange
    const policy: PolicyDocument = {
      Version: V,
      Statement: [{ Effect: 'Allow', Action: ['s3:Get*', 'kms:?ecrypt'], Resource: '*' }],
    };

    // Act / Assert
    expect(evaluate(request({ action: 's3:getobject', identityPolicies: [policy] })).decision).toBe('Allow');
    expect(evaluate(request({ action: 'kms:Decrypt', identityPolicies: [policy] })).decision).toBe('Allow');
    expect(evaluate(request({ action: 's3:PutObject', identityPolicies: [policy] })).decision).toBe(
      'ImplicitDeny',
    );
  });

  it('matches resource ARNs case-sensitively', () => {
    // Act
    const decision = evaluate(
      request({
        resource: 'arn:aws:s3:::bucket/Key',
        identityPolicies: [allowGet('arn:aws:s3:::bucket/key')],
      }),
    );

    // Assert
    expect(decision.decision).toBe('ImplicitDeny');
  });

  it('lets * expand across "/" within an ARN segment, and ? stand for one character', () => {
    // Act / Assert
    expect(
      evaluate(
        request({
          resource: 'arn:aws:s3:::bucket/a/b/c.zip',
          identityPolicies: [allowGet('arn:aws:s3:::bucket/*.zip')],
        }),
      ).decision,
    ).toBe('Allow');
    expect(
      evaluate(
        request({
          resource: 'arn:aws:s3:::bucket/v1.zip',
          identityPolicies: [allowGet('arn:aws:s3:::bucket/v?.zip')],
        }),
      ).decision,
    ).toBe('Allow');
    expect(
      evaluate(
        request({
          resource: 'arn:aws:s3:::bucket/v10.zip',
          identityPolicies: [allowGet('arn:aws:s3:::bucket/v?.zip')],
        }),
      ).decision,
    ).toBe('ImplicitDeny');
  });

  it('keeps wildcards within colon-delimited ARN segments', () => {
    // Arrange
    const policy: PolicyDocument = {
      Version: V,
      Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:*:key/*' }],
    };

    // Act
    const decision = evaluate(
      request({
        action: 'kms:Decrypt',
        resource: `arn:aws:kms:us-west-2:${ACCOUNT}:key/abc`,
        identityPolicies: [policy],
      }),
    );

    // Assert: "*" stands for the region only; the account segment is then missing.
    expect(decision.decision).toBe('ImplicitDeny');
  });

  it('lets a * that ends a shorter ARN pattern match beyond the colon boundaries', () => {
    // Arrange
    const policy: PolicyDocument = {
      Version: V,
      Statement: [{ Effect: 'Allow', Action: 'codedeploy:GetDeployment', Resource: 'arn:aws:codedeploy:*' }],
    };

    // Act
    const decision = evaluate(
      request({
        action: 'codedeploy:GetDeployment',
        resource: `arn:aws:codedeploy:us-east-1:${ACCOUNT}:deploymentgroup:web/prod`,
        identityPolicies: [policy],
      }),
    );

    // Assert
    expect(decision.decision).toBe('Allow');
  });

  it('reads the escapes of "*", "?" and "$" as the literal characters (policy variables: special characters)', () => {
    // Arrange
    const policy = allowGet(`arn:aws:s3:::bucket/a${variable('*')}b${variable('?')}c${variable('$')}d`);

    // Act / Assert
    expect(
      evaluate(request({ resource: 'arn:aws:s3:::bucket/a*b?c$d', identityPolicies: [policy] })).decision,
    ).toBe('Allow');
    expect(
      evaluate(request({ resource: 'arn:aws:s3:::bucket/aXXbYc$d', identityPolicies: [policy] })).decision,
    ).toBe('ImplicitDeny');
  });

  it('substitutes policy variables from the request context only in version 2012-10-17 policies', () => {
    // Arrange
    const resource = `arn:aws:s3:::bucket/home/${variable('aws:username')}/*`;
    const current: PolicyDocument = {
      Version: V,
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: resource }],
    };
    const old: PolicyDocument = {
      Version: '2008-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: resource }],
    };
    const context = { 'aws:username': 'carlos' };

    // Act / Assert
    expect(
      evaluate(
        request({ resource: 'arn:aws:s3:::bucket/home/carlos/x', context, identityPolicies: [current] }),
      ).decision,
    ).toBe('Allow');
    expect(
      evaluate(
        request({ resource: 'arn:aws:s3:::bucket/home/maria/x', context, identityPolicies: [current] }),
      ).decision,
    ).toBe('ImplicitDeny');
    expect(
      evaluate(request({ resource: 'arn:aws:s3:::bucket/home/carlos/x', context, identityPolicies: [old] }))
        .decision,
    ).toBe('ImplicitDeny');
  });

  it('applies NotAction to every action except the listed ones, and NotResource to every resource except the listed ones', () => {
    // Arrange
    const policy: PolicyDocument = {
      Version: V,
      Statement: [
        { Effect: 'Allow', NotAction: 's3:DeleteObject', Resource: 'arn:aws:s3:::bucket/*' },
        { Effect: 'Deny', Action: 's3:*', NotResource: ['arn:aws:s3:::bucket', 'arn:aws:s3:::bucket/*'] },
      ],
    };

    // Act / Assert
    expect(evaluate(request({ action: 's3:PutObject', identityPolicies: [policy] })).decision).toBe('Allow');
    expect(evaluate(request({ action: 's3:DeleteObject', identityPolicies: [policy] })).decision).toBe(
      'ImplicitDeny',
    );
    expect(
      evaluate(request({ resource: 'arn:aws:s3:::other/key', identityPolicies: [policy] })).decision,
    ).toBe('ExplicitDeny');
  });
});

describe('KMS key policies', () => {
  const KEY = `arn:aws:kms:us-west-2:${ACCOUNT}:key/1234abcd`;
  const DEFAULT_KEY_POLICY: PolicyDocument = {
    Version: V,
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  };
  const allowDecrypt: PolicyDocument = {
    Version: V,
    Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY }],
  };

  it('lets the default key policy enable IAM policies: the identity policy then decides', () => {
    // Act
    const withIdentity = evaluateKeyPolicy({
      principal: ROLE,
      action: 'kms:Decrypt',
      resource: KEY,
      keyAccount: ACCOUNT,
      identityPolicies: [allowDecrypt],
      keyPolicy: DEFAULT_KEY_POLICY,
    });
    const without = evaluateKeyPolicy({
      principal: ROLE,
      action: 'kms:Decrypt',
      resource: KEY,
      keyAccount: ACCOUNT,
      identityPolicies: [],
      keyPolicy: DEFAULT_KEY_POLICY,
    });

    // Assert
    expect(withIdentity.decision).toBe('Allow');
    expect(without.decision).toBe('ImplicitDeny');
  });

  it('gives no IAM policy access to a key whose key policy does not allow it', () => {
    // Arrange
    const keyPolicy: PolicyDocument = {
      Version: V,
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Admin` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    };

    // Act
    const decision = evaluateKeyPolicy({
      principal: ROLE,
      action: 'kms:Decrypt',
      resource: KEY,
      keyAccount: ACCOUNT,
      identityPolicies: [allowDecrypt],
      keyPolicy,
    });

    // Assert
    expect(decision).toMatchObject({
      decision: 'ImplicitDeny',
      reason: 'because no key policy allows the kms:Decrypt action',
    });
  });

  it('lets a key policy naming the principal allow it without an identity policy', () => {
    // Arrange
    const keyPolicy: PolicyDocument = {
      Version: V,
      Statement: [{ Effect: 'Allow', Principal: { AWS: ROLE_ARN }, Action: 'kms:Decrypt', Resource: '*' }],
    };

    // Act
    const decision = evaluateKeyPolicy({
      principal: ROLE,
      action: 'kms:Decrypt',
      resource: KEY,
      keyAccount: ACCOUNT,
      identityPolicies: [],
      keyPolicy,
    });

    // Assert
    expect(decision.decision).toBe('Allow');
  });

  it('needs, across accounts, the key policy to allow the external principal and its identity policy to allow the key', () => {
    // Arrange
    const external = { account: OTHER, arn: `arn:aws:sts::${OTHER}:assumed-role/CopyRole/s` };
    const keyPolicy: PolicyDocument = {
      Version: V,
      Statement: [
        ...(DEFAULT_KEY_POLICY.Statement as readonly PolicyStatementJson[]),
        {
          Sid: 'ArtifactRelayEncrypt',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${OTHER}:role/CopyRole` },
          Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
          Resource: '*',
        },
      ],
    };

    // Act
    const both = evaluateKeyPolicy({
      principal: external,
      action: 'kms:Decrypt',
      resource: KEY,
      keyAccount: ACCOUNT,
      identityPolicies: [allowDecrypt],
      keyPolicy,
    });
    const keyOnly = evaluateKeyPolicy({
      principal: external,
      action: 'kms:Decrypt',
      resource: KEY,
      keyAccount: ACCOUNT,
      identityPolicies: [],
      keyPolicy,
    });

    // Assert
    expect(both.decision).toBe('Allow');
    expect(both.matched.map((m) => m.sid)).toContain('ArtifactRelayEncrypt');
    expect(keyOnly.decision).toBe('ImplicitDeny');
  });
});

describe('refusing grammar it does not implement', () => {
  it('refuses NotPrincipal, an unknown operator and a Principal in an identity policy rather than guess', () => {
    // Arrange
    const notPrincipal = {
      Version: V,
      Statement: [{ Effect: 'Deny', NotPrincipal: { AWS: ROLE_ARN }, Action: 's3:*', Resource: '*' }],
    } as unknown as PolicyDocument;
    const dateCondition: PolicyDocument = {
      Version: V,
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } },
        },
      ],
    };
    const principalInIdentity: PolicyDocument = {
      Version: V,
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }],
    };

    // Act / Assert
    expect(() => evaluate(request({ resourcePolicy: notPrincipal }))).toThrow(UnsupportedPolicy);
    expect(() => evaluate(request({ identityPolicies: [dateCondition] }))).toThrow(UnsupportedPolicy);
    expect(() => evaluate(request({ identityPolicies: [principalInIdentity] }))).toThrow(UnsupportedPolicy);
  });
});

describe('the AccessDenied message', () => {
  it('names the principal, the action, the resource and the missing grant, as AWS’s newer messages do', () => {
    // Arrange
    const denied = request({ action: 's3:PutObject', resource: 'arn:aws:s3:::bucket/key' });

    // Act
    const message = accessDeniedMessage(denied, evaluate(denied));

    // Assert
    expect(message).toBe(
      `User: ${ROLE.arn} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::bucket/key" because no identity-based policy allows the s3:PutObject action`,
    );
  });
});
