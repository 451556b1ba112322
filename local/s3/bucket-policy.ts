/**
 * Bucket policies: the validation PutBucketPolicy applies before it stores a document, and the
 * stored document as the authorizer evaluates it (local/iam/evaluate.ts).
 *
 * Written from the S3 User Guide ("Bucket policies for Amazon S3", "Policies and permissions in
 * Amazon S3": a bucket policy is at most 20 KB, every statement names a Principal, its resources
 * are the bucket and its objects), the IAM JSON policy element reference (Version `2012-10-17` or
 * `2008-10-17`; Effect, Principal/NotPrincipal, Action/NotAction, Resource/NotResource, Condition)
 * and the `MalformedPolicy` (400) messages S3 answers: "Policies must be valid JSON and the first
 * byte must be '{'", "This policy contains invalid Json", "Missing required field Statement",
 * "Could not parse the policy: Statement is empty!", "The policy must contain a valid version
 * string", "Invalid effect: …", "Invalid principal in policy", "Policy has invalid action",
 * "Policy has invalid resource".
 *
 * Not checked (S3 does): that a named principal exists, that each action exists and applies to a
 * resource of the statement ("Action does not apply to any resource(s) in statement"), condition
 * keys and operators. A policy using grammar the evaluator does not model (NotPrincipal, an
 * IpAddress condition …) is stored; a registered principal's request it would decide is answered
 * 501 NotImplemented (authorizer.ts).
 */
import type { PolicyDocument } from '../../core/permissions/policy-document.ts';
import { S3Errors } from './errors.ts';
import type { BucketRecord } from './store/records.ts';

/** The largest bucket policy S3 stores, in bytes of its normalized (compact) JSON. */
export const MAX_BUCKET_POLICY_BYTES = 20 * 1024;

const VERSIONS = new Set(['2008-10-17', '2012-10-17']);
const POLICY_FIELDS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_FIELDS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);

const ACCOUNT = /^\d{12}$/;
const AWS_PRINCIPAL_ARN =
  /^arn:aws[a-z-]*:(iam::\d{12}:(root|role\/.+|user\/.+)|sts::\d{12}:assumed-role\/[^/]+\/[^/]+)$/;
const SERVICE_PRINCIPAL = /^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/;
const CANONICAL_USER = /^[0-9a-f]{64}$/;
const S3_ACTION = /^s3:[A-Za-z*?]+$/i;

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

function isObject(value: Json | undefined): value is { readonly [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function malformed(message: string): Error {
  return S3Errors.malformedPolicy(message);
}

/** A string, or a non-empty list of strings; `undefined` for anything else. */
function strings(value: Json | undefined): readonly string[] | undefined {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.every((item) => typeof item === 'string') ? (value as readonly string[]) : undefined;
}

function validPrincipalValue(type: string, value: string): boolean {
  switch (type) {
    case 'AWS':
      return value === '*' || ACCOUNT.test(value) || AWS_PRINCIPAL_ARN.test(value);
    case 'Service':
      return SERVICE_PRINCIPAL.test(value);
    case 'CanonicalUser':
      return CANONICAL_USER.test(value);
    case 'Federated':
      return value.trim() !== '';
    default:
      return false;
  }
}

function checkPrincipal(value: Json): void {
  if (value === '*') return;
  if (!isObject(value) || Object.keys(value).length === 0) throw malformed('Invalid principal in policy');
  for (const [type, values] of Object.entries(value)) {
    const list = strings(values);
    if (list === undefined || !list.every((item) => validPrincipalValue(type, item))) {
      throw malformed('Invalid principal in policy');
    }
  }
}

function checkActions(value: Json): void {
  const list = strings(value);
  if (list === undefined || !list.every((action) => action === '*' || S3_ACTION.test(action))) {
    throw malformed('Policy has invalid action');
  }
}

/** Whether `pattern` (`*` and `?` wildcards) matches all of `text`. */
function wildcardMatches(pattern: string, text: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(text);
}

/** Whether a Resource entry names this bucket or objects in it (`arn:<partition>:s3:::<bucket>[/…]`). */
function inBucket(resource: string, bucket: string, partition: string): boolean {
  const prefix = `arn:${partition}:s3:::`;
  if (!resource.startsWith(prefix)) return false;
  const path = resource.slice(prefix.length);
  const slash = path.indexOf('/');
  const bucketPart = slash < 0 ? path : path.slice(0, slash);
  return bucketPart !== '' && wildcardMatches(bucketPart, bucket);
}

function checkResources(value: Json, bucket: string, partition: string): void {
  const list = strings(value);
  if (list === undefined || !list.every((resource) => inBucket(resource, bucket, partition))) {
    throw malformed('Policy has invalid resource');
  }
}

function requireField(statement: { readonly [key: string]: Json }, names: readonly string[]): Json {
  const present = names.find((name) => statement[name] !== undefined);
  if (present === undefined) throw malformed(`Missing required field ${names[0]}`);
  return statement[present] as Json;
}

function checkStatement(statement: Json, bucket: string, partition: string): void {
  if (!isObject(statement)) throw malformed('This policy contains invalid Json');
  for (const field of Object.keys(statement)) {
    if (!STATEMENT_FIELDS.has(field)) throw malformed(`Unknown field ${field}`);
  }
  if (statement.Sid !== undefined && typeof statement.Sid !== 'string') {
    throw malformed('This policy contains invalid Json');
  }
  const effect = requireField(statement, ['Effect']);
  if (effect !== 'Allow' && effect !== 'Deny') throw malformed(`Invalid effect: ${String(effect)}`);
  checkPrincipal(requireField(statement, ['Principal', 'NotPrincipal']));
  checkActions(requireField(statement, ['Action', 'NotAction']));
  checkResources(requireField(statement, ['Resource', 'NotResource']), bucket, partition);
  if (statement.Condition !== undefined && !isObject(statement.Condition)) {
    throw malformed('This policy contains invalid Json');
  }
}

function parseJson(text: string): Json {
  if (!text.startsWith('{')) throw malformed("Policies must be valid JSON and the first byte must be '{'");
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw malformed('This policy contains invalid Json');
  }
}

/**
 * Validates a bucket policy for `bucket` (whose ARNs are in `partition`) as PutBucketPolicy does.
 * @throws S3Error MalformedPolicy (400) with S3's message for the first problem found
 */
export function parseBucketPolicy(text: string, bucket: string, partition = 'aws'): PolicyDocument {
  const document = parseJson(text);
  if (!isObject(document)) throw malformed("Policies must be valid JSON and the first byte must be '{'");
  if (Buffer.byteLength(JSON.stringify(document)) > MAX_BUCKET_POLICY_BYTES) {
    throw malformed(
      `Normalized policy document exceeds the maximum allowed size of ${MAX_BUCKET_POLICY_BYTES} bytes`,
    );
  }
  for (const field of Object.keys(document)) {
    if (!POLICY_FIELDS.has(field)) throw malformed(`Unknown field ${field}`);
  }
  const { Version: version, Id: id, Statement: statement } = document;
  if (version !== undefined && (typeof version !== 'string' || !VERSIONS.has(version))) {
    throw malformed('The policy must contain a valid version string');
  }
  if (id !== undefined && typeof id !== 'string') throw malformed('This policy contains invalid Json');
  if (statement === undefined) throw malformed('Missing required field Statement');
  const statements = Array.isArray(statement) ? statement : [statement];
  if (statements.length === 0) throw malformed('Could not parse the policy: Statement is empty!');
  for (const item of statements) checkStatement(item, bucket, partition);
  return document as unknown as PolicyDocument;
}

const parsed = new WeakMap<BucketRecord, PolicyDocument>();

/** A bucket's policy as a document (parsed once per record), or `undefined` when it has none. */
export function bucketPolicyOf(record: BucketRecord): PolicyDocument | undefined {
  if (record.policy === undefined) return undefined;
  let document = parsed.get(record);
  if (document === undefined) {
    document = JSON.parse(record.policy) as PolicyDocument;
    parsed.set(record, document);
  }
  return document;
}
