import { readFileSync } from 'node:fs';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { crossAccountReport, parseRoleArnFlags } from '../../../cli/actions/iam.ts';
import { createConnection } from '../../../cli/aws/connection.ts';
import { CliError } from '../../../cli/errors.ts';
import {
  EXAMPLE_DOC_COMMAND,
  EXAMPLE_DOC_PATH,
  EXAMPLE_RELAY_ACCOUNT,
  exampleCrossAccountConfig,
  renderExampleDoc,
} from '../../../cli/iam/example-doc.ts';
import { renderGrantsMarkdown } from '../../../cli/iam/render.ts';
import { crossAccountGrants } from '../../../core/permissions/cross-account.ts';

const cfn = mockClient(CloudFormationClient);
const COPY_ROLE = 'arn:aws:iam::111122223333:role/ArtifactRelay-RelayCopyObjectRole-AAAA';
const STACK_ID = 'arn:aws:cloudformation:us-west-2:111122223333:stack/ArtifactRelay/1f2e';

describe('relay iam cross-account', () => {
  afterEach(() => cfn.reset());

  it('reads the role ARNs from the stack outputs and its IAM roles', async () => {
    // Arrange
    cfn.on(DescribeStacksCommand, { StackName: 'ArtifactRelay' }).resolves({
      Stacks: [
        {
          StackName: 'ArtifactRelay',
          StackId: STACK_ID,
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [
            { OutputKey: 'RelayCopyRoleArn1A2B3C4D', OutputValue: COPY_ROLE },
            { OutputKey: 'RelayVerifyRoleArn5E6F7A8B', OutputValue: 'arn:aws:iam::111122223333:role/verify' },
          ],
        },
      ],
    });
    cfn.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: [
        {
          LogicalResourceId: 'RelayTaskFunctionsStartDeploymentRole0A1B2C3D',
          PhysicalResourceId: 'ArtifactRelay-RelayStartDeploymentRole-XYZ',
          ResourceType: 'AWS::IAM::Role',
          ResourceStatus: 'CREATE_COMPLETE',
          LastUpdatedTimestamp: new Date(),
        },
      ],
    });

    // Act
    const report = await crossAccountReport(
      exampleCrossAccountConfig(),
      { stack: true, region: 'us-west-2' },
      () => createConnection({ region: 'us-west-2' }),
    );

    // Assert
    expect(report.relayAccount).toBe('111122223333');
    expect(report.roleArns).toEqual({
      'copy-object': COPY_ROLE,
      'verify-copy': 'arn:aws:iam::111122223333:role/verify',
      'start-deployment': 'arn:aws:iam::111122223333:role/ArtifactRelay-RelayStartDeploymentRole-XYZ',
    });
    expect(report.placeholderRoles).toEqual([]);
    expect(JSON.stringify(report.grants.buckets[0]?.policy)).toContain(COPY_ROLE);
  });

  it('fills in --role-arn values and leaves the other roles as placeholders, without calling AWS', async () => {
    // Act
    const report = await crossAccountReport(exampleCrossAccountConfig(), {
      roleArn: [`copy-object=${COPY_ROLE}`],
    });
    const text = renderGrantsMarkdown(report.grants, {
      configName: 'example',
      relayAccount: report.relayAccount,
      placeholderRoles: report.placeholderRoles,
    });

    // Assert
    expect(cfn.calls()).toHaveLength(0);
    expect(report.relayAccount).toBe('111122223333');
    expect(report.placeholderRoles).toEqual(['verify-copy', 'start-deployment']);
    expect(text).toContain('aws s3api put-bucket-policy --bucket artifacts-seoul --region ap-northeast-2');
    expect(text).toContain('aws kms put-key-policy --key-id arn:aws:kms:ap-northeast-2:222233334444:key/');
    expect(text).toContain('`<verify-copy role ARN>`');
  });

  it('refuses a --role-arn that names no task or no role', () => {
    // Act / Assert
    expect(() => parseRoleArnFlags(['copier=arn:aws:iam::111122223333:role/x'])).toThrow(CliError);
    expect(() => parseRoleArnFlags(['copy-object=arn:aws:s3:::bucket'])).toThrow(/not an IAM role ARN/);
  });
});

describe('docs/cross-account.md', () => {
  it("is what the grants module renders for the README's example", () => {
    // Arrange
    const expected = renderExampleDoc();

    // Act
    const actual = readFileSync(EXAMPLE_DOC_PATH, 'utf8');

    // Assert
    expect(actual, `docs/cross-account.md is stale: run ${EXAMPLE_DOC_COMMAND}`).toBe(expected);
  });
});

describe("README's cross-account section", () => {
  it('quotes the first bucket statement exactly as the grants module computes it', () => {
    // Arrange
    const grants = crossAccountGrants({
      config: exampleCrossAccountConfig(),
      relayAccount: EXAMPLE_RELAY_ACCOUNT,
      roleArns: {},
    });
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('Its first bucket statement'));
    const quoted = /```json\n([\s\S]*?)```/.exec(section)?.[1];

    // Act
    const statement = JSON.parse(quoted ?? 'null') as unknown;

    // Assert
    expect(statement).toEqual(grants.buckets[0]?.policy.Statement[0]);
  });
});
