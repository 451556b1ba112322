/**
 * The workflow scenarios of the least-privilege proof: together their configurations make the
 * permission plan (core/permissions/plan.ts) produce every statement it can, and their runs make the
 * task functions use every grant — versioned and unversioned buckets, tags, SSE-KMS sources and
 * targets (key by ARN and by alias), a canned ACL, the `TargetBucket` tag, multipart copies (one
 * resumed from an upload an interrupted invocation left behind, one aborted when the source
 * vanished mid-copy), streamed verification, deployments with their ledger, a delete propagated to
 * the relay's replicas, and the paths where an object is missing (S3 answers 404 rather than 403 only
 * with `s3:ListBucket`: GetObject / HeadObject API reference, "Permissions"). The pipeline scenarios
 * (pipeline-scenarios.ts) and the backfill scenarios (backfill-scenarios.ts) come last in {@link SCENARIOS}.
 *
 * Each scenario is prepared for one run's names (run-names.ts), so any number of runs deploy side by
 * side on one local stack; `check` says what is wrong with the outcome, beyond the executions'
 * status where a grant's effect is not an error (an orphaned or aborted upload left behind).
 */
import { randomBytes } from 'node:crypto';
import { CreateDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { CreateAliasCommand } from '@aws-sdk/client-kms';
import { DeleteObjectCommand, ListMultipartUploadsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { CopyResult } from '../../../core/workflow.ts';
import { COPY_TIME_MARGIN_MS } from '../../../functions/copy-object/budget.ts';
import type { Execution, Relay, TargetInput, WorkflowHarness } from '../workflow/harness.ts';
import { BACKFILL_SCENARIOS } from './backfill-scenarios.ts';
import { deleteProblems, nothingToRelayProblems, relayProblems } from './outcomes.ts';
import { PIPELINE_SCENARIOS } from './pipeline-scenarios.ts';
import type { RunNames } from './run-names.ts';
import type { Scenario } from './scenario.ts';
import {
  AP,
  asOlderExecution,
  COPIED,
  deleteSourceAfterCopy,
  deleteSourceAfterResolve,
  EU,
  expect,
  KEY,
  MULTIPART_BYTES,
  MULTIPART_DEFAULTS,
  RULE,
  SOURCE_REGION,
  source,
  tagSourceBucket,
  zip,
} from './scenario-kit.ts';

/** One part per Copy invocation: the copy loops (`copying`) and resumes with ListParts. */
const ONE_PART_PER_CALL = { remainingTimeMs: COPY_TIME_MARGIN_MS } as const;

async function uploadAndSettle(
  h: WorkflowHarness,
  relay: Relay,
  bucket: string,
  body: Buffer,
  extra: {
    Tagging?: string;
    ServerSideEncryption?: 'aws:kms';
    SSEKMSKeyId?: string;
    ChecksumAlgorithm?: 'CRC32';
  } = {},
): Promise<Execution[]> {
  await h.put(SOURCE_REGION, { Bucket: bucket, Key: KEY, Body: body, ...extra });
  return relay.settle();
}

/** Uploads still in progress on `key` of `bucket` (an orphan left behind, an upload not aborted). */
async function uploadsLeft(
  h: WorkflowHarness,
  region: string,
  bucket: string,
  key: string,
): Promise<string[]> {
  const listed = await h.s3(region).send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
  const left = (listed.Uploads ?? []).filter((upload) => upload.Key === key);
  return left.length === 0
    ? []
    : [`${left.length} multipart upload(s) left in progress on s3://${bucket}/${key}`];
}

/** How a scenario's target is named: in the rule, or by the source bucket's `TargetBucket` tag. */
type Routing = 'rule' | 'tag';

/** A single target in `region`, routed as `routing` says. */
interface RoutedTarget {
  readonly bucket: string;
  /** The rule's targets. */
  readonly targets: TargetInput[];
  /** The source's extra settings (`targetBucketTag`). */
  readonly sourceExtra: object;
  /** Tags the source bucket (for `tag` routing). */
  tagSource(h: WorkflowHarness, source: string): Promise<void>;
}

function routed(names: RunNames, routing: Routing, region: string): RoutedTarget {
  if (routing === 'rule') {
    const bucket = names.bucket('target-bucket');
    return { bucket, targets: [{ bucket, region }], sourceExtra: {}, tagSource: async () => {} };
  }
  const bucket = names.bucket('tagged-bucket', 'one');
  const glob = names.register(bucket.replace(/-one$/, '-*'), 'allowlisted-bucket-glob');
  return {
    bucket,
    targets: [],
    sourceExtra: { targetBucketTag: { enabled: true, allowedBuckets: [glob] } },
    tagSource: (h, src) => tagSourceBucket(h, src, `${bucket}@${region}`),
  };
}

function suffixed(name: string, routing: Routing): string {
  return routing === 'rule' ? name : `${name}-by-tag`;
}

const twoRegions: Scenario = {
  name: 'two-regions',
  summary: 'A versioned source copied with SSE-S3 to versioned buckets in two other regions.',
  prepare(names) {
    const src = names.bucket('source-bucket');
    const eu = names.bucket('target-bucket', 'eu');
    const ap = names.bucket('target-bucket', 'ap');
    return {
      config: {
        sources: [
          source(src, [
            { bucket: eu, region: EU },
            { bucket: ap, region: AP },
          ]),
        ],
      },
      async arrange(h) {
        await h.bucket(src, SOURCE_REGION);
        await h.bucket(eu, EU);
        await h.bucket(ap, AP);
      },
      act: async (h, relay) => uploadAndSettle(h, relay, src, await zip('two-regions')),
      check: async (_h, executions) =>
        relayProblems(
          executions,
          expect([
            [eu, COPIED],
            [ap, COPIED],
          ]),
        ),
    };
  },
};

const unversionedTagged: Scenario = {
  name: 'unversioned-tagged',
  summary:
    'An object with tags in an unversioned source, copied (tags too) to an unversioned target, in an execution started before the relay carried the source and replica facts (Verify reads both).',
  prepare(names) {
    const src = names.bucket('source-bucket');
    const eu = names.bucket('target-bucket');
    return {
      config: { sources: [source(src, [{ bucket: eu, region: EU }])] },
      async arrange(h) {
        await h.bucket(src, SOURCE_REGION, { versioned: false });
        await h.bucket(eu, EU, { versioned: false });
      },
      afterTask: asOlderExecution(),
      act: async (h, relay) =>
        uploadAndSettle(h, relay, src, await zip('tagged'), { Tagging: 'team=web&build=42' }),
      check: async (_h, executions) => relayProblems(executions, expect([[eu, COPIED]])),
    };
  },
};

const kmsSource: Scenario = {
  name: 'kms-source',
  summary: 'A source object under SSE-KMS with a customer managed key of the source region.',
  prepare(names, account) {
    const src = names.bucket('source-bucket');
    const eu = names.bucket('target-bucket');
    const key = `arn:aws:kms:${SOURCE_REGION}:${account}:key/${names.keyId('source-key-id')}`;
    return {
      config: { sources: [source(src, [{ bucket: eu, region: EU }])] },
      async arrange(h) {
        await h.bucket(src, SOURCE_REGION);
        await h.bucket(eu, EU);
        await h.stack.createKmsKey(key);
      },
      act: async (h, relay) =>
        uploadAndSettle(h, relay, src, await zip('kms-source'), {
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: key,
        }),
      check: async (_h, executions) => relayProblems(executions, expect([[eu, COPIED]])),
    };
  },
};

const kmsTargetKey: Scenario = {
  name: 'kms-target-key',
  summary: 'A target encrypted with SSE-KMS under a key of its region, named by key ARN.',
  prepare(names, account) {
    const src = names.bucket('source-bucket');
    const eu = names.bucket('target-bucket');
    const key = `arn:aws:kms:${EU}:${account}:key/${names.keyId('target-key-id')}`;
    return {
      config: {
        sources: [source(src, [{ bucket: eu, region: EU, encryption: { type: 'aws:kms', kmsKeyArn: key } }])],
      },
      async arrange(h) {
        await h.bucket(src, SOURCE_REGION);
        await h.bucket(eu, EU);
        await h.stack.createKmsKey(key);
      },
      act: async (h, relay) => uploadAndSettle(h, relay, src, await zip('kms-target')),
      check: async (_h, executions) => relayProblems(executions, expect([[eu, COPIED]])),
    };
  },
};

const kmsTargetAlias: Scenario = {
  name: 'kms-target-alias',
  summary: 'A target encrypted with SSE-KMS under a key of its region, named by alias ARN.',
  prepare(names, account) {
    const src = names.bucket('source-bucket');
    const ap = names.bucket('target-bucket');
    const keyId = names.keyId('target-key-id');
    const alias = `alias/${names.name('target-alias')}`;
    return {
      config: {
        sources: [
          source(src, [
            {
              bucket: ap,
              region: AP,
              encryption: { type: 'aws:kms', kmsKeyArn: `arn:aws:kms:${AP}:${account}:${alias}` },
            },
          ]),
        ],
      },
      async arrange(h) {
        await h.bucket(src, SOURCE_REGION);
        await h.bucket(ap, AP);
        await h.stack.createKmsKey(`arn:aws:kms:${AP}:${account}:key/${keyId}`);
        await h.stack.kmsClient(AP).send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
      },
      act: async (h, relay) => uploadAndSettle(h, relay, src, await zip('kms-alias')),
      check: async (_h, executions) => relayProblems(executions, expect([[ap, COPIED]])),
    };
  },
};

const cannedAcl: Scenario = {
  name: 'canned-acl',
  summary: 'A target that gives its replicas the canned ACL bucket-owner-full-control.',
  prepare(names) {
    const src = names.bucket('source-bucket');
    const eu = names.bucket('target-bucket');
    return {
      config: { sources: [source(src, [{ bucket: eu, region: EU, acl: 'bucket-owner-full-control' }])] },
      async arrange(h) {
        await h.bucket(src, SOURCE_REGION);
        await h.bucket(eu, EU);
      },
      act: async (h, relay) => uploadAndSettle(h, relay, src, await zip('acl')),
      check: async (_h, executions) => relayProblems(executions, expect([[eu, COPIED]])),
    };
  },
};

const targetBucketTag: Scenario = {
  name: 'target-bucket-tag',
  summary:
    "The source bucket's TargetBucket tag names two allowlisted buckets (one versioned, one not) for a tagged object; in an execution started before the relay carried the replica facts, the versioned replica is deleted once before Verify (404, so the copy is redone, not AccessDenied).",
  prepare(names) {
    const src = names.bucket('source-bucket');
    const eu = names.bucket('tagged-bucket', 'eu');
    const ap = names.bucket('tagged-bucket', 'ap');
    const glob = names.register(eu.replace(/-eu$/, '-*'), 'allowlisted-bucket-glob');
    return {
      config: {
        sources: [source(src, [], { targetBucketTag: { enabled: true, allowedBuckets: [glob] } })],
      },
      async arrange(h) {
        await h.bucket(src, SOURCE_REGION);
        await h.bucket(eu, EU);
        await h.bucket(ap, AP, { versioned: false });
        await tagSourceBucket(h, src, `${eu}@${EU} ${ap}@${AP}`);
      },
      afterTask: asOlderExecution((h) => {
        let done = false;
        return async (role, _input, output) => {
          const copy = output as CopyResult | undefined;
          if (done || role !== 'copy-object' || copy?.status !== 'copied' || copy.destination.bucket !== eu)
            return;
          done = true;
          await h.s3(EU).send(
            new DeleteObjectCommand({
              Bucket: copy.destination.bucket,
              Key: copy.destination.key,
              ...(copy.destination.versionId === undefined ? {} : { VersionId: copy.destination.versionId }),
            }),
          );
        };
      }),
      act: async (h, relay) => uploadAndSettle(h, relay, src, await zip('tag'), { Tagging: 'team=web' }),
      check: async (_h, executions) =>
        relayProblems(
          executions,
          expect([
            [eu, COPIED],
            [ap, COPIED],
          ]),
        ),
    };
  },
};

function multipartResumed(routing: Routing): Scenario {
  return {
    name: suffixed('multipart-resumed', routing),
    summary:
      'A multipart copy whose first invocation dies after starting the upload: the retried copy finds that upload on the destination key (ListMultipartUploads), continues it (ListParts) and completes it.',
    prepare(names) {
      const src = names.bucket('source-bucket');
      const target = routed(names, routing, EU);
      return {
        config: { sources: [source(src, target.targets, target.sourceExtra)], defaults: MULTIPART_DEFAULTS },
        handlers: ONE_PART_PER_CALL,
        async arrange(h) {
          await h.bucket(src, SOURCE_REGION);
          await h.bucket(target.bucket, EU);
          await target.tagSource(h, src);
        },
        afterTask: () => {
          let crashed = false;
          return async (role, _input, output) => {
            if (crashed || role !== 'copy-object' || (output as CopyResult | undefined)?.status !== 'copying')
              return;
            crashed = true;
            // The invocation ends before its result reaches the state machine, as a Lambda that crashed.
            const error = new Error('the copy invocation died before returning its result');
            error.name = 'Lambda.ServiceException';
            throw error;
          };
        },
        act: async (h, relay) => uploadAndSettle(h, relay, src, randomBytes(MULTIPART_BYTES)),
        check: async (h, executions) => [
          ...relayProblems(executions, expect([[target.bucket, COPIED]])),
          ...(await uploadsLeft(h, EU, target.bucket, KEY)),
        ],
      };
    },
  };
}

function multipartSourceGone(routing: Routing): Scenario {
  return {
    name: suffixed('multipart-source-gone', routing),
    summary:
      'A multipart copy of a tagged object whose source version is deleted between two invocations: the copy aborts its upload and reports source-gone.',
    prepare(names) {
      const src = names.bucket('source-bucket');
      const target = routed(names, routing, EU);
      return {
        config: { sources: [source(src, target.targets, target.sourceExtra)], defaults: MULTIPART_DEFAULTS },
        handlers: ONE_PART_PER_CALL,
        async arrange(h) {
          await h.bucket(src, SOURCE_REGION);
          await h.bucket(target.bucket, EU);
          await target.tagSource(h, src);
        },
        afterTask: deleteSourceAfterCopy('copying'),
        act: async (h, relay) =>
          uploadAndSettle(h, relay, src, randomBytes(MULTIPART_BYTES), { Tagging: 'team=web' }),
        check: async (h, executions) => [
          ...relayProblems(executions, expect([[target.bucket, { status: ['source-gone'] }]])),
          ...(await uploadsLeft(h, EU, target.bucket, KEY)),
        ],
      };
    },
  };
}

/** KMS keys for a source and two targets (one named by key ARN, one by alias), created in `arrange`. */
function kmsSetup(names: RunNames, account: string) {
  const sourceKey = `arn:aws:kms:${SOURCE_REGION}:${account}:key/${names.keyId('source-key-id')}`;
  const euKey = `arn:aws:kms:${EU}:${account}:key/${names.keyId('target-key-id')}`;
  const apKeyId = names.keyId('target-key-id');
  const alias = `alias/${names.name('target-alias')}`;
  return {
    sourceKey,
    euEncryption: { type: 'aws:kms', kmsKeyArn: euKey } as const,
    apEncryption: { type: 'aws:kms', kmsKeyArn: `arn:aws:kms:${AP}:${account}:${alias}` } as const,
    async create(h: WorkflowHarness): Promise<void> {
      await h.stack.createKmsKey(sourceKey);
      await h.stack.createKmsKey(euKey);
      await h.stack.createKmsKey(`arn:aws:kms:${AP}:${account}:key/${apKeyId}`);
      await h.stack.kmsClient(AP).send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: apKeyId }));
    },
  };
}

const multipartKms: Scenario = {
  name: 'multipart-kms',
  summary:
    'A multipart copy of an SSE-KMS source to two SSE-KMS targets (key by ARN, key by alias): UploadPartCopy decrypts the source and the target parts.',
  prepare(names, account) {
    const src = names.bucket('source-bucket');
    const eu = names.bucket('target-bucket', 'eu');
    const ap = names.bucket('target-bucket', 'ap');
    const kms = kmsSetup(names, account);
    return {
      config: {
        sources: [
          source(src, [
            { bucket: eu, region: EU, encryption: kms.euEncryption },
            { bucket: ap, region: AP, encryption: kms.apEncryption },
          ]),
        ],
        defaults: MULTIPART_DEFAULTS,
      },
      async arrange(h) {
        await h.bucket(src, SOURCE_REGION);
        await h.bucket(eu, EU);
        await h.bucket(ap, AP);
        await kms.create(h);
      },
      act: async (h, relay) =>
        uploadAndSettle(h, relay, src, randomBytes(MULTIPART_BYTES), {
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: kms.sourceKey,
        }),
      check: async (_h, executions) =>
        relayProblems(
          executions,
          expect([
            [eu, COPIED],
            [ap, COPIED],
          ]),
        ),
    };
  },
};

const verifyStream: Scenario = {
  name: 'verify-stream',
  summary:
    'verify: "stream" — both sides read in full and hashed: an SSE-KMS source and two SSE-KMS targets (key by ARN, key by alias).',
  prepare(names, account) {
    const src = names.bucket('source-bucket');
    const eu = names.bucket('target-bucket', 'eu');
    const ap = names.bucket('target-bucket', 'ap');
    const kms = kmsSetup(names, account);
    return {
      config: {
        sources: [
          source(src, [
            { bucket: eu, region: EU, encryption: kms.euEncryption },
            { bucket: ap, region: AP, encryption: kms.apEncryption },
          ]),
        ],
        defaults: { verify: 'stream' },
      },
      async arrange(h) {
        await h.bucket(src, SOURCE_REGION);
        await h.bucket(eu, EU);
        await h.bucket(ap, AP);
        await kms.create(h);
      },
      act: async (h, relay) =>
        uploadAndSettle(h, relay, src, await zip('stream'), {
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: kms.sourceKey,
        }),
      check: async (_h, executions) =>
        relayProblems(
          executions,
          expect([
            [eu, COPIED],
            [ap, COPIED],
          ]),
        ),
    };
  },
};

function sourceDeletedAfterCopy(routing: Routing): Scenario {
  return {
    name: suffixed('source-deleted-after-copy', routing),
    summary:
      'The source version is deleted between Copy and Verify of an execution started before the relay carried the source facts: Verify reads 404 (not 403) and falls back to the facts recorded when the source was pinned.',
    prepare(names) {
      const src = names.bucket('source-bucket');
      const target = routed(names, routing, EU);
      return {
        config: { sources: [source(src, target.targets, target.sourceExtra)] },
        async arrange(h) {
          await h.bucket(src, SOURCE_REGION);
          await h.bucket(target.bucket, EU);
          await target.tagSource(h, src);
        },
        afterTask: asOlderExecution(deleteSourceAfterCopy('copied')),
        act: async (h, relay) => uploadAndSettle(h, relay, src, await zip('deleted')),
        check: async (_h, executions) => relayProblems(executions, expect([[target.bucket, COPIED]])),
      };
    },
  };
}

function sourceDeletedBeforeCopy(routing: Routing): Scenario {
  return {
    name: suffixed('source-deleted-before-copy', routing),
    summary:
      'The source version is deleted between ResolveTargets and Copy: Copy reads 404 (not 403) and reports source-gone.',
    prepare(names) {
      const src = names.bucket('source-bucket');
      const target = routed(names, routing, EU);
      return {
        config: { sources: [source(src, target.targets, target.sourceExtra)] },
        async arrange(h) {
          await h.bucket(src, SOURCE_REGION);
          await h.bucket(target.bucket, EU);
          await target.tagSource(h, src);
        },
        afterTask: deleteSourceAfterResolve,
        act: async (h, relay) => uploadAndSettle(h, relay, src, await zip('deleted')),
        check: async (_h, executions) =>
          relayProblems(executions, expect([[target.bucket, { status: ['source-gone'] }]])),
      };
    },
  };
}

const sourceGone: Scenario = {
  name: 'source-gone',
  summary:
    'A replayed request for an object that no longer exists: ResolveTargets reads 404 and relays nothing.',
  prepare(names) {
    const src = names.bucket('source-bucket');
    const eu = names.bucket('target-bucket');
    return {
      config: { sources: [source(src, [{ bucket: eu, region: EU }])] },
      async arrange(h) {
        await h.bucket(src, SOURCE_REGION);
        await h.bucket(eu, EU);
      },
      act: async (_h, relay) => [await relay.run({ bucket: src, key: KEY })],
      check: async (_h, executions) => nothingToRelayProblems(executions, 'source-gone'),
    };
  },
};

/** An operator's own deployment in the group, before the relay's first (the group has no ledger yet). */
async function operatorDeployment(
  h: WorkflowHarness,
  region: string,
  bucket: string,
  application: string,
  group: string,
): Promise<void> {
  const key = 'manual/web.zip';
  const put = await h
    .s3(region)
    .send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await zip('operator') }));
  await h.codeDeploy(region).send(
    new CreateDeploymentCommand({
      applicationName: application,
      deploymentGroupName: group,
      revision: {
        revisionType: 'S3',
        s3Location: {
          bucket,
          key,
          bundleType: 'zip',
          ...(put.VersionId === undefined ? {} : { version: put.VersionId }),
        },
      },
    }),
  );
}

const deploy: Scenario = {
  name: 'deploy',
  summary:
    "An operator's deployment precedes the relay's in the group (found with ListDeployments and BatchGetDeployments); build 1 is deployed with the group's own configuration, its event is delivered again (the ledger's deployment is read back), then build 2 is deployed.",
  prepare(names) {
    const src = names.bucket('source-bucket');
    const eu = names.bucket('target-bucket');
    const application = names.name('application');
    const group = names.name('deployment-group');
    return {
      config: {
        sources: [
          source(src, [
            { bucket: eu, region: EU, deploy: { application, deploymentGroup: group, bundleType: 'zip' } },
          ]),
        ],
      },
      async arrange(h) {
        await h.bucket(src, SOURCE_REGION);
        await h.bucket(eu, EU);
        await h.deploymentGroup(EU, application, group);
        await operatorDeployment(h, EU, eu, application, group);
      },
      act: async (h, relay) => {
        const first = await uploadAndSettle(h, relay, src, await zip('build 1'));
        const again = await relay.run(h.events(src)[0]);
        return [...first, again, ...(await uploadAndSettle(h, relay, src, await zip('build 2')))];
      },
      check: async (_h, executions) =>
        relayProblems(executions, expect([[eu, { status: ['copied', 'in-sync'], deployed: true }]])),
    };
  },
};

const deployKmsNamedConfig: Scenario = {
  name: 'deploy-kms-named-config',
  summary:
    'Two builds deployed with a named deployment configuration to an SSE-KMS target: the ledger is written and read back under the target key.',
  prepare(names, account) {
    const src = names.bucket('source-bucket');
    const eu = names.bucket('target-bucket');
    const key = `arn:aws:kms:${EU}:${account}:key/${names.keyId('target-key-id')}`;
    const application = names.name('application');
    const group = names.name('deployment-group');
    return {
      config: {
        sources: [
          source(src, [
            {
              bucket: eu,
              region: EU,
              encryption: { type: 'aws:kms', kmsKeyArn: key },
              deploy: {
                application,
                deploymentGroup: group,
                bundleType: 'zip',
                deploymentConfigName: 'CodeDeployDefault.AllAtOnce',
              },
            },
          ]),
        ],
      },
      async arrange(h) {
        await h.bucket(src, SOURCE_REGION);
        await h.bucket(eu, EU);
        await h.stack.createKmsKey(key);
        await h.deploymentGroup(EU, application, group);
      },
      act: async (h, relay) => [
        ...(await uploadAndSettle(h, relay, src, await zip('build 1'))),
        ...(await uploadAndSettle(h, relay, src, await zip('build 2'))),
      ],
      check: async (_h, executions) =>
        relayProblems(executions, expect([[eu, { status: ['copied'], deployed: true }]])),
    };
  },
};

const deletePropagated: Scenario = {
  name: 'delete-propagated',
  summary:
    'A rule with propagateDeletes: true relays a build to two regions; once one replica is gone by hand, the source is deleted: DeleteReplica finds the other replica (HEAD, then DeleteObject with If-Match: a delete marker in the versioned target) and reads 404 (not 403) where nothing is left (absent).',
  prepare(names) {
    const src = names.bucket('source-bucket');
    const eu = names.bucket('target-bucket', 'eu');
    const ap = names.bucket('target-bucket', 'ap');
    const targets = [
      { bucket: eu, region: EU },
      { bucket: ap, region: AP },
    ];
    return {
      config: {
        sources: [
          { bucket: src, region: SOURCE_REGION, rules: [{ ...RULE, propagateDeletes: true, targets }] },
        ],
      },
      async arrange(h) {
        await h.bucket(src, SOURCE_REGION);
        await h.bucket(eu, EU);
        await h.bucket(ap, AP, { versioned: false });
      },
      async act(h, relay) {
        const copies = await uploadAndSettle(h, relay, src, await zip('delete'));
        await h.s3(AP).send(new DeleteObjectCommand({ Bucket: ap, Key: KEY }));
        await h.s3(SOURCE_REGION).send(new DeleteObjectCommand({ Bucket: src, Key: KEY }));
        return [...copies, ...(await relay.settle())];
      },
      check: async (_h, executions) => [
        ...relayProblems(
          executions.slice(0, -1),
          expect([
            [eu, COPIED],
            [ap, COPIED],
          ]),
        ),
        ...deleteProblems(
          executions.slice(-1),
          new Map([
            [eu, 'deleted'],
            [ap, 'absent'],
          ]),
        ),
      ],
    };
  },
};

/** Every scenario, in the order the proof tries them. */
export const SCENARIOS: readonly Scenario[] = [
  twoRegions,
  unversionedTagged,
  kmsSource,
  kmsTargetKey,
  kmsTargetAlias,
  cannedAcl,
  targetBucketTag,
  multipartResumed('rule'),
  multipartResumed('tag'),
  multipartSourceGone('rule'),
  multipartSourceGone('tag'),
  multipartKms,
  verifyStream,
  sourceDeletedBeforeCopy('rule'),
  sourceDeletedBeforeCopy('tag'),
  sourceDeletedAfterCopy('rule'),
  sourceDeletedAfterCopy('tag'),
  sourceGone,
  deploy,
  deployKmsNamedConfig,
  deletePropagated,
  ...PIPELINE_SCENARIOS,
  ...BACKFILL_SCENARIOS,
];
