import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs the Python handler of `Custom::S3BucketNotifications` — the code exactly as the template
 * inlines it — against an in-memory S3 (a stand-in `boto3` module) and a captured CloudFormation
 * response, to observe what it writes to a bucket that already has a notification configuration.
 */

/** The python3 to run the handler with, or `undefined` when there is none. */
export function findPython(): string | undefined {
  for (const candidate of [process.env.RELAY_PYTHON, 'python3', '/usr/bin/python3']) {
    if (candidate === undefined || candidate === '') continue;
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

const FAKE_BOTO3 = `
import copy

EXISTING = {}
PUT_CALLS = []

class _S3:
    def get_bucket_notification_configuration(self, Bucket):
        answer = copy.deepcopy(EXISTING.get(Bucket, {}))
        answer["ResponseMetadata"] = {"HTTPStatusCode": 200}
        return answer

    def put_bucket_notification_configuration(self, Bucket, NotificationConfiguration, SkipDestinationValidation):
        PUT_CALLS.append({"Bucket": Bucket, "NotificationConfiguration": NotificationConfiguration,
                          "SkipDestinationValidation": SkipDestinationValidation})

def client(name):
    assert name == "s3"
    return _S3()
`;

const RUNNER = `
import importlib.util, json, sys, urllib.request

folder, request_file = sys.argv[1], sys.argv[2]
sys.path.insert(0, folder)
import boto3

request = json.load(open(request_file))
boto3.EXISTING.update(request["existing"])
responses = []

class _Answer:
    reason = "OK"
    def read(self): return b""
    def __enter__(self): return self
    def __exit__(self, *args): return False

def fake_urlopen(req):
    responses.append(json.loads(req.data.decode("utf-8")))
    return _Answer()

urllib.request.urlopen = fake_urlopen
spec = importlib.util.spec_from_file_location("index", folder + "/index.py")
handler = importlib.util.module_from_spec(spec)
spec.loader.exec_module(handler)

class _Context:
    log_stream_name = "test-stream"

handler.handler(request["event"], _Context())
print(json.dumps({"puts": boto3.PUT_CALLS, "responses": responses}))
`;

/** What the handler did. */
export interface HandlerRun {
  readonly puts: readonly {
    readonly Bucket: string;
    readonly NotificationConfiguration: Record<string, unknown>;
    readonly SkipDestinationValidation: boolean;
  }[];
  readonly responses: readonly { readonly Status: string; readonly Reason: string }[];
}

/**
 * Runs `code` (the handler's `index.py`) for one CloudFormation `event`, the buckets holding the
 * `existing` notification configurations.
 */
export function runNotificationsHandler(
  python: string,
  code: string,
  event: Record<string, unknown>,
  existing: Record<string, Record<string, unknown>>,
): HandlerRun {
  const folder = mkdtempSync(join(tmpdir(), 'relay-notifications-'));
  writeFileSync(join(folder, 'index.py'), code);
  writeFileSync(join(folder, 'boto3.py'), FAKE_BOTO3);
  writeFileSync(join(folder, 'runner.py'), RUNNER);
  writeFileSync(join(folder, 'request.json'), JSON.stringify({ event, existing }));
  const run = spawnSync(python, [join(folder, 'runner.py'), folder, join(folder, 'request.json')], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`the handler run failed: ${run.stderr}`);
  const lines = run.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '{}') as HandlerRun;
}

/** Resource properties as CloudFormation hands them to a custom resource: scalars become strings. */
export function asCloudFormationSends(value: unknown): unknown {
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(asCloudFormationSends);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asCloudFormationSends(v)]));
  }
  return value;
}
