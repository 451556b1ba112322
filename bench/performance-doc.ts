/**
 * docs/performance.md, rendered from the figures of one full run (so the page and bench/results.json
 * always agree). The prose that explains a missed goal reads its numbers from the same run.
 */
import type { BenchResults, CaseResult, Figure } from './lib/result.ts';
import { formatGoal, formatValue } from './report.ts';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

interface OrchestrationDetails {
  wallMs: { plainA: number; plainB: number; uploadsOnly: number; pipeline: number };
  verified: { pipeline: number; plainA: number; plainB: number; of: number };
  latencyMs: {
    pipelineExecution: { p50: number; p95: number };
    plainAfterUpload: { p50: number; p95: number };
  };
  s3RequestsPerArtifact: { pipeline: Record<string, number>; plain: Record<string, number> };
  definitionValidation: { msPerExecution: number; estimatedTotalMs: number; shareOfPipelineWall: number };
}

interface TransitionsDetails {
  configurations: Array<{
    targets: number;
    deployment: boolean;
    status: string;
    verified: boolean;
    transitions: number;
    retries: number;
    goal: number | null;
    usdPer1000Artifacts: number;
    deploymentPollsPerTarget: number | null;
  }>;
  fit: { fixed: number; perTarget: number; deployPerTarget: number };
  states: { topLevel: Record<string, number>; perTarget: Record<string, number> };
}

interface ColdStartHandler {
  bundleBytes: number;
  externalBundleBytes: number;
  /** Absent in runs before the reference goal (issue #14). */
  referenceBytes?: number;
  withoutTracerBytes?: number;
  sdkUsage?: Record<string, string[]>;
  initMsMedian: { bundled: number; external: number };
  composition: Array<{ part: string; kib: number }>;
  beyondReference?: Array<{ part: string; kib: number }>;
}

interface ColdStartDetails {
  handlers: Record<string, ColdStartHandler>;
}

interface LargeRun {
  bytes: number;
  copyMs: { toDisk: number; returned: number };
  invocations: number;
  verifiedBy: string;
  copyFileMs: { toDisk: number[]; returned: number[] };
  throughputMiBps: {
    handler: number;
    copyFile: number;
    handlerIntoPageCache: number;
    copyFileIntoPageCache: number;
    digestingStreamCopy: number;
  };
  handlerRss: { beforeCopy: number; peak: number; afterCopy: number };
  stackRss: { idle: number; now: number; peakSoFar: number };
}

interface BurstDetails {
  uploadsMs: number;
  verifiedExecutions: number;
  executions: number;
  executionMs: { p50: number; p95: number; max: number };
  lastExecutionStartedAfterMs: number;
  rss: { idle: number; maxSampled: number; peak: number; end: number };
  historyJsonBytesPerExecution: number;
  idleAfterFullGc: { rss: number; heapUsed: number };
  afterFullGc: { rss: number; heapUsed: number; external: number; arrayBuffers: number };
  definitionValidation: { msPerExecution: number; estimatedTotalMs: number; shareOfWall: number };
}

interface HistoryMemoryPhase {
  ms: number;
  succeeded: number;
  executions: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  peak: number;
}

interface HistoryMemoryDetails {
  idle: { heapUsed: number; rss: number };
  atFirst: HistoryMemoryPhase;
  atTotal: HistoryMemoryPhase;
  rssGrowthBytes: number;
  heapBytesPerExecution: number;
  mallocArenaMax2?: { atFirst: HistoryMemoryPhase; atTotal: HistoryMemoryPhase; rssGrowthBytes: number };
}

const ms = (value: number): string => `${Math.round(value).toLocaleString('en-US')} ms`;
const s = (value: number): string => `${(value / 1000).toFixed(1)} s`;
const mib = (bytes: number): string => `${Math.round(bytes / MIB).toLocaleString('en-US')} MiB`;
const kib = (bytes: number): string => `${Math.round(bytes / 1024).toLocaleString('en-US')} KiB`;
const count = (n: number): string => n.toLocaleString('en-US');
const pct = (share: number): string => `${Math.round(share * 100)} %`;
const size = (bytes: number): string => (bytes >= GIB ? `${bytes / GIB} GiB` : `${bytes / MIB} MiB`);

/** The other cases of the run, for cross-references. */
type Others = ReadonlyMap<string, CaseResult>;

function transitionsOf(others: Others, targets: number): string {
  const c = others.get('transitions');
  const k = (c?.details as Partial<TransitionsDetails> | undefined)?.configurations?.find(
    (x) => x.targets === targets && !x.deployment,
  );
  return k ? String(k.transitions) : 'several dozen';
}

function historyKib(others: Others): string {
  const bytes = (others.get('burst')?.details as Partial<BurstDetails> | undefined)
    ?.historyJsonBytesPerExecution;
  return bytes === undefined ? 'tens of KiB' : kib(bytes);
}

function fig(c: CaseResult, prefix: string): Figure | undefined {
  return c.figures.find((f) => f.name.startsWith(prefix));
}

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function summary(results: BenchResults): string {
  const rows: string[][] = [];
  for (const c of results.cases) {
    for (const f of c.figures) {
      if (!f.goal) continue;
      rows.push([c.title, f.name, formatValue(f), formatGoal(f.goal, f.unit), f.met ? 'met' : '**missed**']);
    }
  }
  return table(['Case', 'Figure', 'Measured', 'Goal', ''], rows);
}

function requestList(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([op, n]) => `${n} ${op}`)
    .join(', ');
}

function orchestration(c: CaseResult, others: Others): string {
  const d = c.details as unknown as OrchestrationDetails;
  const ratio = fig(c, 'pipeline wall ÷');
  const plainWall = (d.wallMs.plainA + d.wallMs.plainB) / 2;
  const inputs = c.inputs as { artifacts: number; uploadConcurrency: number; warmupArtifacts: number };
  const lines = [
    `${inputs.artifacts} artifacts of 1 MiB, each to 3 targets, through the whole relay on the local stack (PutObject → S3 event → EventBridge rule → state machine → Copy → Verify, no deployment) against a plain loop that makes the CopyObject + HeadObject calls itself with the SDK, on the same local S3, in the same process. Both sides use the same uploader (${inputs.uploadConcurrency} PutObjects in flight) and start an artifact's three targets as soon as its upload lands — the relay as an execution whose Map copies the targets in parallel, the loop as three CopyObject → HeadObject chains — so their concurrency is the same by construction. Order: ${inputs.warmupArtifacts} artifacts each way to warm up, plain loop, uploads alone, pipeline, plain loop again.`,
    '',
    table(
      ['', 'Wall', 'Per artifact (p50 / p95)'],
      [
        [
          `Plain loop (mean of ${ms(d.wallMs.plainA)} and ${ms(d.wallMs.plainB)})`,
          ms(plainWall),
          `${ms(d.latencyMs.plainAfterUpload.p50)} / ${ms(d.latencyMs.plainAfterUpload.p95)} after its upload`,
        ],
        ['Uploads alone', ms(d.wallMs.uploadsOnly), ''],
        [
          'Pipeline',
          ms(d.wallMs.pipeline),
          `${ms(d.latencyMs.pipelineExecution.p50)} / ${ms(d.latencyMs.pipelineExecution.p95)} per execution`,
        ],
      ],
    ),
    '',
    `**Pipeline ÷ plain loop: ${ratio ? formatValue(ratio) : '?'}** (goal ≤ 1.5×; ${formatValue(fig(c, 'beyond-upload') ?? { value: Number.NaN, unit: '×' })} once the uploads both sides share are subtracted). ${d.verified.pipeline} of ${d.verified.of} executions succeeded with every target copied and verified.`,
    '',
    `S3 requests per artifact — relay: ${requestList(d.s3RequestsPerArtifact.pipeline)}; plain loop: ${requestList(d.s3RequestsPerArtifact.plain)}.`,
  ];
  if (ratio && ratio.met === false) {
    lines.push(
      '',
      '**What limits it, and what would move it.**',
      '',
      d.definitionValidation.shareOfPipelineWall >= 0.1
        ? `- *The local Step Functions validates the whole definition again on every StartExecution.* \`parseDefinition\` (local/stepfunctions/definition.ts) builds an aws-local-stepfunctions \`StateMachine\` with validation on — asl-validator compiling its ajv schemas: ${d.definitionValidation.msPerExecution} ms of synchronous CPU per execution in this run, about ${s(d.definitionValidation.estimatedTotalMs)} for ${inputs.artifacts} executions (${pct(d.definitionValidation.shareOfPipelineWall)} of the pipeline wall), on the one event loop that also serves S3 and runs the tasks. Validating once per definition would remove it. This is local-stack overhead, not something AWS charges.`
        : `- *Not the definition any more:* the local Step Functions validates a definition once, not on every StartExecution (commit 16bbd3d, after an earlier run of this benchmark measured 77 ms of asl-validator CPU per execution, 46 % of the pipeline’s wall then); parsing it now costs ${d.definitionValidation.msPerExecution} ms per execution.`,
      `- *The local Step Functions’ own work, on the same event loop.* Each artifact is ${transitionsOf(others, 3)} state transitions (case 2), each several history events appended with their input and output to the execution’s history on disk — ${historyKib(others)} of history JSON per execution (case 5) — and every Map iteration and Parallel branch builds its own aws-local-stepfunctions state machine. Fewer transitions (case 2) shrink this too.`,
      `- *The relay makes more S3 requests than the loop.* Per target, Copy reads the destination (the in-sync check) and the source again (to restate its metadata under MetadataDirective REPLACE) before CopyObject, and Verify reads the source and the replica; ResolveTargets has already read the source once. Carrying the source's metadata and checksum from ResolveTargets in the state, and verifying against the checksum CopyObject returns, would leave one HEAD per target (the replica) plus the in-sync check.`,
      '- In AWS the same workflow adds a Lambda invocation per task and Step Functions’ own transition latency, which this local figure does not include; the ratio here is the local stack’s.',
    );
  }
  return lines.join('\n');
}

function transitions(c: CaseResult): string {
  const d = c.details as unknown as TransitionsDetails;
  const rows = d.configurations.map((k) => [
    String(k.targets),
    k.deployment ? 'yes' : 'no',
    String(k.transitions),
    k.goal === null ? '' : `≤ ${k.goal}${k.transitions <= k.goal ? '' : ' (missed)'}`,
    `$${k.usdPer1000Artifacts.toFixed(3)}`,
    `${k.status}${k.verified ? ', verified' : ''}`,
  ]);
  const anyMissed = d.configurations.some((k) => k.goal !== null && k.transitions > k.goal);
  const top = Object.keys(d.states.topLevel);
  const perTarget = Object.keys(d.states.perTarget);
  const lines = [
    'One artifact per configuration; its history read with GetExecutionHistory. Counted as AWS bills Standard workflows — “a state transition each time a step of your workflow is executed … including retries” ([pricing](https://aws.amazon.com/step-functions/pricing/)): every `…StateEntered` event plus every retry; `…Exited`, `MapIteration…` and `Execution…` events are not transitions. Cost at $0.025 per 1,000 transitions (us-east-1 and most regions).',
    '',
    table(['Targets', 'Deployment', 'Transitions', 'Goal', 'Per 1,000 artifacts', 'Execution'], rows),
    '',
    `Measured: **${d.fit.fixed} + ${d.fit.perTarget} × targets** without a deployment (goal 3 + 4 × targets). With a deployment, ${d.fit.deployPerTarget} per target when the first CheckDeployment finds it finished (locally a deployment takes 3 s against a 30 s poll, both scaled); each further poll costs 3 more per target (Wait, CheckDeployment, Deployment finished?), so a 10-minute deployment adds about 60 per target.`,
    '',
    `Once per artifact (${top.length}): ${top.join(', ')}. Once per target (${perTarget.length}): ${perTarget.join(', ')}.`,
  ];
  lines.push(
    '',
    anyMissed
      ? '**A goal is missed**: the definition (state-machine/build.ts) no longer costs 4 + 3 × targets — see what changed there.'
      : 'Why so few: a Catch on each first-pass Task isolates a target (no Parallel per target), Verify returns the target’s result itself and “Copy finished?” also decides whether to deploy, and RetryFailedTargets iterates only the targets that failed (RelayToTargets’ ResultSelector lists them with a filter expression), so a relay without failures enters it once and iterates nothing.',
  );
  return lines.join('\n');
}

/** The packages the Powertools tracer brings (aws-xray-sdk-core and what it requires). */
const TRACER_PARTS = new Set([
  'aws-xray-sdk-core',
  'semver',
  'cls-hooked',
  'emitter-listener',
  'shimmer',
  'atomic-batcher',
  'async-hook-jl',
  'stack-chain',
  '@aws-lambda-powertools/tracer',
]);

function coldStart(c: CaseResult): string {
  const d = c.details as unknown as ColdStartDetails;
  const inputs = c.inputs as {
    runsPerVariant: number;
    nodeRunningTheProbes: string;
    bundleRatioGoal?: number;
  };
  const goal = inputs.bundleRatioGoal ?? 1.25;
  const entries = Object.entries(d.handlers);
  const x = (value: number): string => `${value.toFixed(2)}×`;
  const ratioOf = (h: ColdStartHandler, bytes: number): string =>
    h.referenceBytes === undefined ? '—' : x(bytes / h.referenceBytes);
  const rows = entries.map(([name, h]) => [
    name,
    kib(h.bundleBytes),
    h.referenceBytes === undefined ? '—' : kib(h.referenceBytes),
    `**${ratioOf(h, h.bundleBytes)}**`,
    h.withoutTracerBytes === undefined
      ? '—'
      : `${kib(h.withoutTracerBytes)} (${ratioOf(h, h.withoutTracerBytes)})`,
    kib(h.externalBundleBytes),
    ms(h.initMsMedian.bundled),
    ms(h.initMsMedian.external),
    x(h.initMsMedian.bundled / h.initMsMedian.external),
  ]);
  const sizeMissed = c.figures.some((f) => f.name.includes('bundle ÷') && f.met === false);
  const initMissed = c.figures.some((f) => f.name.includes('init bundled') && f.met === false);
  const lines = [
    `Each \`functions/<name>/handler.ts\` bundled as the CDK app bundles it — esbuild with infra’s own options (\`RELAY_BUNDLING\` in infra/relay-function.ts: platform node, target node22, ESM, ES module builds first, minified, the AWS SDK inside; source maps not counted). Its **reference** is a bundle of just the SDK clients and commands that handler’s bundle contains (read from its esbuild metafile: every client class and command module of an \`@aws-sdk/client-*\` package, including those a client uses itself, such as S3’s CreateSession), made the same way: what any handler making those calls carries. Goal: bundle ≤ ${goal} × reference. *Without tracer* is the same handler with the Powertools tracer replaced by a no-op — what tracing costs, not something deployed. Initialisation: a fresh \`node\` process imports the bundle and builds the handler’s SDK client where it builds them on first use (median of ${inputs.runsPerVariant}), against the same handler bundled with \`@aws-sdk/*\` and \`@smithy/*\` external and loaded from node_modules, as a Lambda runtime’s own SDK would be; runs of the two variants alternate. Node ${inputs.nodeRunningTheProbes} ran the probes.`,
    '',
    table(
      [
        'Handler',
        'Bundle',
        'SDK reference',
        `Ratio (goal ≤ ${goal}×)`,
        'Without tracer (ratio)',
        'SDK external',
        'Init, bundled',
        'Init, SDK external',
        'Init ratio (goal ≤ 1)',
      ],
      rows,
    ),
    '',
    `Initialisation ${initMissed ? 'is slower bundled for some handlers' : 'is faster bundled than with the SDK loaded from node_modules for every handler'}: one minified file is parsed instead of hundreds of modules resolved and read.`,
  ];
  const measured = entries.filter(
    (entry): entry is [string, ColdStartHandler & { referenceBytes: number; withoutTracerBytes: number }] =>
      entry[1].referenceBytes !== undefined && entry[1].withoutTracerBytes !== undefined,
  );
  if (sizeMissed && measured.length > 0) {
    const tracerKib = measured.map(([, h]) => (h.bundleBytes - h.withoutTracerBytes) / 1024);
    const untracedRatios = measured.map(([, h]) => h.withoutTracerBytes / h.referenceBytes);
    const range = (values: readonly number[], format: (v: number) => string): string => {
      const lo = Math.min(...values);
      const hi = Math.max(...values);
      return format(lo) === format(hi) ? format(lo) : `${format(lo)}–${format(hi)}`;
    };
    const beyond = (h: ColdStartHandler): string =>
      (h.beyondReference ?? [])
        .filter((p) => p.kib >= 1)
        .slice(0, 10)
        .map((p) => `${p.part} ${Math.round(p.kib)}`)
        .join(', ');
    const tracerBeyond = (h: ColdStartHandler): number =>
      (h.beyondReference ?? []).filter((p) => TRACER_PARTS.has(p.part)).reduce((sum, p) => sum + p.kib, 0);
    const [smallestName, smallest] = measured.reduce((a, b) =>
      a[1].referenceBytes <= b[1].referenceBytes ? a : b,
    );
    const copy = d.handlers['copy-object'];
    lines.push(
      '',
      `**What bounds the size.** Beyond its reference, KiB of minified output — ${smallestName}: ${beyond(smallest)}${copy?.beyondReference === undefined ? '' : `; copy-object: ${beyond(copy)}`}.`,
      '',
      `- *The Powertools tracer is the floor.* It brings aws-xray-sdk-core, a CommonJS package that does not tree-shake, with its SDK v2 patcher and that patcher’s semver (${smallestName}: ${Math.round(tracerBeyond(smallest))} KiB of the parts above): ${range(tracerKib, (v) => String(Math.round(v)))} KiB per handler, measured as the bundle with and without it. Without it the handlers would be ${range(untracedRatios, x)} their reference. The functions run with active tracing (infra), and the tracer’s SDK subsegments are what makes a trace show each S3 or CodeDeploy call, so it stays; making it optional would be a deployment choice (a construct property that bundles a no-op tracer and turns active tracing off), not a silent drop.`,
      '- *What remains* is the relay itself and its edge: zod (`zod/mini` since issue #14 — the classic API was 440 KiB of every bundle, as it does not tree-shake), the Powertools logger and metrics with their commons, middy, and the relay’s own code (`(relay)`: the task, the workflow contract and the configuration schema every task input’s target is checked with). No YAML parser: the Lambdas read their configuration as JSON (core/config/read.ts).',
      '- The SDK part is the reference by construction: each handler bundles only the clients and commands it uses (one client module per handler, functions/shared/s3-default.ts and codedeploy-default.ts; ES module builds, so unused commands are left out).',
    );
  }
  return lines.join('\n');
}

function largeObject(c: CaseResult): string {
  const runs = (c.details as { runs: LargeRun[] }).runs;
  const rows = runs.map((r) => [
    size(r.bytes),
    `${r.throughputMiBps.handler} MiB/s (${s(r.copyMs.toDisk)})`,
    `${r.throughputMiBps.copyFile} MiB/s (${r.copyFileMs.toDisk.map((v) => s(v)).join(', ')})`,
    `**${fig(c, `${size(r.bytes)}: throughput handler ÷ fs.copyFile`)?.value.toFixed(2) ?? '?'}×**`,
    `${fig(c, `${size(r.bytes)}: throughput ratio into the page cache`)?.value.toFixed(2) ?? '?'}× (${r.throughputMiBps.handlerIntoPageCache} ÷ ${r.throughputMiBps.copyFileIntoPageCache} MiB/s)`,
    mib(r.handlerRss.peak),
    `${r.invocations}, ${r.verifiedBy}`,
  ]);
  const ratio1 = c.figures.find((f) => f.name.includes('throughput handler') && f.goal);
  const growth = fig(c, 'handler peak RSS growth');
  const md5 = (c.details as { md5MiBps?: number }).md5MiBps;
  return [
    'The local S3 runs as a child process (`relay local`); the copy handler (`createCopyObjectHandler`, multipart threshold lowered to 16 MiB, so CreateMultipartUpload + UploadPartCopy of 64 MiB parts, 8 in flight + CompleteMultipartUpload) runs in a second child, bundled like a Lambda and called again while it answers `copying`. The baseline is `fs.copyFile` of the same bytes on the same disk, before and after the handler’s copy (their mean). Both are timed until `sync` has put the bytes on the disk (after flushing whatever was dirty before), so neither is flattered by the page cache; the ratio without `sync` is shown too.',
    '',
    table(
      [
        'Size',
        'Copy handler, to disk',
        'fs.copyFile, to disk (before, after)',
        'Ratio',
        'Ratio without sync',
        'Handler peak RSS',
        'Invocations, verified by',
      ],
      rows,
    ),
    '',
    `Throughput ratio at 1 GiB: ${ratio1 ? `**${formatValue(ratio1)}** (goal ≥ 0.5×, ${ratio1.met ? 'met' : 'missed'})` : 'not measured'}. The handler process’s peak resident memory is flat in the object’s size${growth ? ` (${formatValue(growth)} more at 4 GiB than at 1 GiB)` : ''}: the bytes never pass through it — S3 copies them server-side — and it holds only part numbers and ETags.`,
    '',
    `What bounds the copy here is the local S3, not the handler: for every UploadPartCopy it streams the byte range through user space on its one JavaScript thread and digests every byte (MD5 for the part’s ETag, plus the upload’s checksum) before writing the part file${md5 ? ` — MD5 alone runs at ${md5} MiB/s on one core of this machine` : ''} — while \`fs.copyFile\` lets the kernel copy. The same bytes through a plain Node.js stream with MD5 and CRC32 on one thread reach ${runs.map((r) => `${r.throughputMiBps.digestingStreamCopy} MiB/s at ${size(r.bytes)}`).join(' and ')} in this run, so the local S3 would copy faster only by hashing parts on more than one core (worker threads) — and only where the disk is not the limit, as it tends to become at 4 GiB. Against S3 the copy happens inside S3, and the handler’s part size and concurrency are what to tune.`,
  ].join('\n');
}

function burst(c: CaseResult): string {
  const d = c.details as unknown as BurstDetails;
  const inputs = c.inputs as { objects: number; uploads: string };
  const wall = fig(c, 'wall time');
  const rate = fig(c, 'executions per second');
  return [
    `${count(inputs.objects)} objects of 64 KiB uploaded at once — ${inputs.uploads} — each to 3 targets. The local stack with the relay deployed runs in a child process (its handlers inside it), whose resident memory is read from /proc; the benchmark process only uploads and polls ListExecutions once a second.`,
    '',
    table(
      ['', ''],
      [
        [
          'Relayed and verified',
          `${count(d.verifiedExecutions)} of ${count(inputs.objects)} executions SUCCEEDED, every target copied and verified; each target bucket holds ${count(inputs.objects)} replicas`,
        ],
        ['Wall time (first upload → last execution stopped)', wall ? ms(wall.value) : '?'],
        ['Executions per second', rate ? String(rate.value) : '?'],
        ['All uploads answered after', ms(d.uploadsMs)],
        [
          'Execution duration p50 / p95 / max',
          `${ms(d.executionMs.p50)} / ${ms(d.executionMs.p95)} / ${ms(d.executionMs.max)}`,
        ],
        ['Stack RSS idle → peak (VmHWM)', `${mib(d.rss.idle)} → **${mib(d.rss.peak)}**`],
        [
          'JS heap after a full GC: before → after the burst',
          `${mib(d.idleAfterFullGc.heapUsed)} → ${mib(d.afterFullGc.heapUsed)} (RSS then ${mib(d.afterFullGc.rss)})`,
        ],
      ],
    ),
    '',
    `The stack is one Node.js process: S3, Step Functions and the five task handlers share one event loop, so the burst is CPU-bound on it. ${d.definitionValidation.shareOfWall >= 0.1 ? `The definition re-validation described under case 1 alone accounts for about ${s(d.definitionValidation.estimatedTotalMs)} (${d.definitionValidation.msPerExecution} ms × ${count(inputs.objects)}, ${pct(d.definitionValidation.shareOfWall)} of the wall). ` : ''}While executions start and run, uploads wait their turn — the last upload is answered ${s(d.uploadsMs)} after the first. The peak comes from the executions in flight at once: each holds its Map iterations, a library state machine per iteration and branch, and its history. What stays reachable afterwards — ${kib((d.afterFullGc.heapUsed - d.idleAfterFullGc.heapUsed) / inputs.objects)} of JS heap per finished execution, after a full GC — is what the local S3 indexes for the objects and replicas and a small summary per execution; the records and histories of finished executions (one history with its data is ${kib(d.historyJsonBytesPerExecution)} of JSON) live on disk only and are read back on demand (case 6 measures the growth over a long history).`,
    '',
    'While building this benchmark (before 16bbd3d, when every StartExecution blocked the event loop for tens of milliseconds), issuing the 1,000 PutObjects with one socket each rather than through the SDK’s 50 made the local stack reset some connections (`ECONNRESET`); with the SDK’s default pool every upload succeeded. Not measured since.',
  ].join('\n');
}

function historyMemory(c: CaseResult): string {
  const d = c.details as unknown as HistoryMemoryDetails;
  const inputs = c.inputs as { executions: [number, number]; batch: number };
  const [first, total] = inputs.executions;
  const growth = fig(c, 'stack RSS growth');
  const arenas = d.mallocArenaMax2;
  const rows = [
    ['Succeeded', count(d.atFirst.succeeded), count(d.atTotal.succeeded)],
    ['Stack RSS (after a full GC)', mib(d.atFirst.rss), mib(d.atTotal.rss)],
    [
      'JS heap used / allocated',
      `${mib(d.atFirst.heapUsed)} / ${mib(d.atFirst.heapTotal)}`,
      `${mib(d.atTotal.heapUsed)} / ${mib(d.atTotal.heapTotal)}`,
    ],
    ['Peak RSS so far (VmHWM)', mib(d.atFirst.peak), mib(d.atTotal.peak)],
  ];
  if (arenas)
    rows.push(['Stack RSS with `MALLOC_ARENA_MAX=2`', mib(arenas.atFirst.rss), mib(arenas.atTotal.rss)]);
  return [
    `The local stack with the relay deployed (what \`relay local\` runs) in a child process relays objects of 4 KiB to 2 targets in batches of ${inputs.batch}, each batch's executions finished before the next is uploaded (a history that grows at a steady pace; case 5 measures a burst): ${count(first)} executions, then ${count(total - first)} more. After each phase, once every execution has finished, the child runs a full GC and its resident set is read from /proc. The same history runs a second time in a fresh stack started with \`MALLOC_ARENA_MAX=2\`.`,
    '',
    table(['', `After ${count(first)} executions`, `After ${count(total)} executions`], rows),
    '',
    `**RSS growth: ${growth ? formatValue(growth) : '?'}** (goal ≤ 50 MiB from 100 to 1,000 executions; idle before the first upload: ${mib(d.idle.rss)})${arenas ? `; with \`MALLOC_ARENA_MAX=2\`: ${mib(arenas.rssGrowthBytes)}` : ''}. Finished executions leave memory: the local Step Functions keeps a summary of each (for ListExecutions) and reads the record and history back from the data directory for DescribeExecution, GetExecutionHistory and RedriveExecution. What the JS heap still gains — ${kib(d.heapBytesPerExecution)} per execution — includes that summary and the local S3’s index of the three objects each execution leaves (the source and two replicas): it grows with the data kept, not with the histories. Resident memory beyond the JS heap is memory the process has freed but not handed back: V8 keeps heap pages it grew into (allocated vs used above), and glibc keeps freed memory in per-thread malloc arenas (the file-system work runs on libuv's thread pool); the second run, with two arenas, shows how much of the growth is the latter.`,
  ].join('\n');
}

interface BackfillSideDetails {
  endToEndMs: number;
  cliMs: number;
  cliMaxRss: number;
  cliCpuMs: number;
  stackCpuMs: { total: number; workList?: number; mapRun?: number };
  maxInFlight: number;
  replicas: number[];
  idleRss: number;
  vmHwm: number;
}

interface BackfillDetails {
  seeding: { ms: number; objectsPerSecond: number };
  backfill: BackfillSideDetails & {
    status: string;
    workList: { ms: number; calls: number };
    mapRunMs: number;
    heapPerObjectBytes: number;
    rssGrowthAfterGc: number;
    heapAfterGc: { byTenth: Array<{ percent: number; rss: number }>; rssAtEnd: number };
  };
  perObject:
    | (BackfillSideDetails & {
        died: false;
        heapPerExecutionInFlight: number;
        atCliExit: { inFlight: number; heapUsed: number };
      })
    | { died: true; afterMs: number; maxSampledRss: number; stderrTail: string };
}

function backfill(c: CaseResult): string {
  const d = c.details as unknown as BackfillDetails;
  const inputs = c.inputs as { objects: number; backfill: string; perObject: string };
  const n = inputs.objects;
  const a = d.backfill;
  const b = d.perObject;
  const rate = (ms: number): string => `${(n / (ms / 1000)).toFixed(1)} objects/s`;
  const perObject = (cpuMs: number): string => `${(cpuMs / n).toFixed(1)} ms`;
  const tenth = a.heapAfterGc.byTenth[0];
  const rows: string[][] = [
    [
      'Every object relayed to both targets',
      a.replicas.every((r) => r === n) ? 'yes' : `no (${a.replicas.join(', ')})`,
      b.died ? `no: relay local died after ${s(b.afterMs)}` : b.replicas.every((r) => r === n) ? 'yes' : 'no',
    ],
    [
      'End to end',
      `**${rate(a.endToEndMs)}** (${s(a.endToEndMs)})`,
      b.died ? '—' : `**${rate(b.endToEndMs)}** (${s(b.endToEndMs)})`,
    ],
    [
      'The CLI',
      `${s(a.cliMs)} (lists the source, prints the estimate, starts the backfill)`,
      b.died ? '—' : `${s(b.cliMs)} (lists the source, starts every execution)`,
    ],
    [
      'Work-list build (BuildWorkList)',
      `${s(a.workList.ms)} (${a.workList.calls} call${a.workList.calls === 1 ? '' : 's'})`,
      '—',
    ],
    ['Map run', `${s(a.mapRunMs)}, ${rate(a.mapRunMs)}`, '—'],
    [
      '`relay local` CPU per object',
      `${perObject(a.stackCpuMs.total)} (map run ${perObject(a.stackCpuMs.mapRun ?? Number.NaN)}, work list ${perObject(a.stackCpuMs.workList ?? Number.NaN)})`,
      b.died ? '—' : perObject(b.stackCpuMs.total),
    ],
    [
      '`relay local` RSS idle → peak (VmHWM)',
      `${mib(a.idleRss)} → **${mib(a.vmHwm)}**`,
      b.died ? `→ ${mib(b.maxSampledRss)} (sampled) when it died` : `${mib(b.idleRss)} → **${mib(b.vmHwm)}**`,
    ],
    [
      '`relay local` RSS after a full GC, 10% → 100% of the objects',
      tenth
        ? `${mib(tenth.rss)} → ${mib(a.heapAfterGc.rssAtEnd)} (**${(a.rssGrowthAfterGc / MIB).toFixed(1)} MiB**)`
        : '?',
      '—',
    ],
    [
      'JS heap kept per object (10% → 90%, after a full GC)',
      `${(a.heapPerObjectBytes / 1024).toFixed(2)} KiB`,
      '—',
    ],
    ['Most relay executions in flight', count(a.maxInFlight), b.died ? '—' : count(b.maxInFlight)],
    [
      'CLI peak RSS, CPU',
      `${mib(a.cliMaxRss)}, ${s(a.cliCpuMs)}`,
      b.died ? '—' : `${mib(b.cliMaxRss)}, ${s(b.cliCpuMs)}`,
    ],
  ];
  const ratio = fig(c, 'backfill ÷ per-object');
  const growth = fig(c, 'backfill: relay local RSS growth');
  const lines = [
    `${count(n)} objects of 4 KiB already in a source bucket (seeded in ${s(d.seeding.ms)}, ${d.seeding.objectsPerSecond} objects/s, by \`relay local --no-relay\` so none was relayed as it landed; the data directory then copied), each relayed to 2 targets — once by the backfill (\`relay replay --distributed\`: BuildWorkList, then a Distributed Map of relay executions; ${String(inputs.backfill).match(/--concurrency (\d+)/)?.[1] ?? '?'} at once) and once by the per-object replay (\`relay replay\` starting one execution per object from the CLI, ${String(inputs.perObject).match(/--concurrency (\d+)/)?.[1] ?? '?'} StartExecution calls in flight), each against its own \`relay local\` child process. The stack's RSS and CPU are sampled from /proc every 250 ms.`,
    '',
    table(['', 'Backfill', 'Per-object replay'], rows),
    '',
    `${ratio ? `**Backfill ÷ per-object replay throughput: ${formatValue(ratio)}.** ` : ''}Both are bound by the one event loop of \`relay local\` — the S3 emulator, the local Step Functions and the task handlers (whose SDK calls go over HTTP to the same process) share it — so throughput is its CPU per object. The backfill spends more per object than the per-object replay: the work list (a listing and a HEAD of each target per object, for the in-sync check) and a child workflow execution per object that starts the relay execution and waits for it. On AWS the child executions and the work list run elsewhere, and a backfill takes the operator's machine out of the loop.`,
    '',
    `**Memory.** The backfill keeps at most its MaxConcurrency of relay executions in flight, so its peak stays put; what a finished object leaves — the relay execution's list entry and the local S3's records of the two replicas — is on disk (LevelDB indexes), not in memory: ${(a.heapPerObjectBytes / 1024).toFixed(2)} KiB of JS heap per object, about ${mib(a.heapPerObjectBytes * 100_000 * 0.9)} from 10% to 100% of 100,000 objects. ${growth ? `RSS after full GCs grew ${formatValue(growth)} from 10% to the end (goal ≤ 50 MiB, ${growth.met ? 'met' : 'missed'}).` : ''} The children themselves leave nothing in memory (case distributed-map).`,
  ];
  if (b.died) {
    lines.push(
      '',
      `**The per-object replay did not finish: \`relay local\` died after ${s(b.afterMs)}** (${mib(b.maxSampledRss)} sampled at most) — the CLI starts executions faster than the stack finishes them, and every execution in flight holds its record, history and Map state. Its last words: \`${
        b.stderrTail
          .split('\n')
          .find((l) => /heap|memory|FATAL/i.test(l))
          ?.trim() ?? b.stderrTail.slice(-120).trim()
      }\`.`,
    );
  } else {
    lines.push(
      '',
      `The per-object replay starts executions faster than the stack finishes them: ${count(b.maxInFlight)} ran at once at most, each holding about ${kib(b.heapPerExecutionInFlight)} of JS heap (its record, history and Map state) — ${mib(b.atCliExit.heapUsed)} after a full GC when the CLI exited with ${count(b.atCliExit.inFlight)} in flight. That is what drives its peak RSS, and it grows with the number of objects, not with a concurrency setting.`,
    );
  }
  return lines.join('\n');
}

export function renderPerformanceDoc(results: BenchResults): string {
  const m = results.machine;
  const byId = new Map(results.cases.map((c) => [c.id, c]));
  const section = (id: string, n: number, render: (c: CaseResult, others: Others) => string): string => {
    const c = byId.get(id);
    if (!c) return `## ${n}. ${id}\n\nNot measured in this run.`;
    return `## ${n}. ${c.title}\n\n${render(c, byId)}`;
  };
  const failures = results.failures.length
    ? `\n\nCases that failed in this run: ${results.failures.map((f) => f.id).join(', ')}.`
    : '';
  return `${[
    '# Performance',
    '',
    `Figures from one full \`npm run bench\` run (${results.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${Math.round(results.durationMs / 60_000)} min) on ${m.cpuModel}, ${m.cores} cores, ${Math.round(m.memoryBytes / GIB)} GiB, Node.js ${m.node}, ${m.os}, at git ${m.git.revision.slice(0, 12)}${m.git.dirty ? ' (with uncommitted changes)' : ''}; load average ${m.loadAverageAtStart?.[0] ?? '?'} when it started. Every figure is measured against its own baseline in the same run: these machines are shared and noisy, so compare the ratios, not the absolute times. \`bench/results.json\` holds every figure of this run, its inputs and the machine; \`npm run bench\` measures again and rewrites both files, \`npm run bench -- --quick\` is a smaller smoke run that writes only bench/.out/results.quick.json.${failures}`,
    '',
    '## Summary',
    '',
    summary(results),
    '',
    section('orchestration', 1, orchestration),
    '',
    section('transitions', 2, transitions),
    '',
    section('cold-start', 3, coldStart),
    '',
    section('large-object', 4, largeObject),
    '',
    section('burst', 5, burst),
    '',
    section('history-memory', 6, historyMemory),
    '',
    section('backfill', 7, backfill),
  ].join('\n')}\n`;
}
