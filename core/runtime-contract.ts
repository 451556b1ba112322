/**
 * The runtime contract between the task functions (functions/), the CDK app that deploys them (infra/)
 * and the local stack that runs them: the environment variable names, the defaults both sides assume,
 * and the time margins a function's timeout is sized with. One home, imported by each side — never a
 * copy on each side kept equal by a test.
 */

/** The environment variable ResolveTargets reads the configuration JSON from. */
export const CONFIG_ENV = 'RELAY_CONFIG';

/** The work-list builder's default results bucket (the backfill's own, infra/backfill.ts). */
export const BACKFILL_RESULTS_BUCKET_ENV = 'BACKFILL_RESULTS_BUCKET';

/**
 * The configuration files ResolveTargets looks for next to its handler when {@link CONFIG_ENV} is unset,
 * in order; the CDK app bundles a configuration too large for the environment as the first.
 */
export const BUNDLED_CONFIG_NAMES = ['relay.config.json', 'relay.config.yaml', 'relay.config.yml'] as const;

/** Powertools' service name variable: the `service` of every log line and metric. */
export const SERVICE_NAME_ENV = 'POWERTOOLS_SERVICE_NAME';

/** Powertools' metrics namespace variable. */
export const METRICS_NAMESPACE_ENV = 'POWERTOOLS_METRICS_NAMESPACE';

/** Powertools' log level variable. */
export const LOG_LEVEL_ENV = 'POWERTOOLS_LOG_LEVEL';

/** The service name when none is configured. */
export const DEFAULT_SERVICE_NAME = 'artifact-relay';

/** The CloudWatch namespace of the relay's own metrics when none is configured. */
export const DEFAULT_METRICS_NAMESPACE = 'ArtifactRelay';

/**
 * How long before its Lambda times out a task aborts its SDK calls (the AbortSignal handed to every call),
 * so it can still answer with a retryable error instead of being cut off.
 */
export const HANDLER_EARLY_TIMEOUT_MS = 10_000;

/**
 * The time a multipart Copy keeps in hand after its budget: finishing the parts in flight and answering
 * `copying` before the handler's early timeout.
 */
export const COPY_TIME_MARGIN_MS = 60_000;
