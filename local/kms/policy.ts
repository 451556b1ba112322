/**
 * The key policies KMS gives a key when none is supplied. Stored and returned as JSON text; evaluating
 * them is the policy evaluator's business (local/iam), not the KMS service's.
 */

/**
 * The default key policy of CreateKey without a `Policy`: the account root may do `kms:*`, which lets
 * IAM policies of the account grant use of the key ("Default key policy", KMS Developer Guide).
 */
export function defaultKeyPolicy(accountId: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${accountId}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}

/**
 * The policy of an AWS managed key (`aws/<service>`): any principal of the account may use it through
 * that service in that region, and the account may read its metadata — the shape KMS gives `aws/s3`.
 */
export function awsManagedKeyPolicy(accountId: string, region: string, service: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: `auto-${service}-2`,
      Statement: [
        {
          Sid: `Allow access through ${service.toUpperCase()} for all principals in the account that are authorized to use ${service.toUpperCase()}`,
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
          Resource: '*',
          Condition: {
            StringEquals: {
              'kms:CallerAccount': accountId,
              'kms:ViaService': `${service}.${region}.amazonaws.com`,
            },
          },
        },
        {
          Sid: 'Allow direct access to key metadata to the account',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${accountId}:root` },
          Action: ['kms:Describe*', 'kms:Get*', 'kms:List*'],
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}
