import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import {
  DEFAULT_METRICS_NAMESPACE,
  DEFAULT_SERVICE_NAME,
  METRICS_NAMESPACE_ENV,
  SERVICE_NAME_ENV,
} from '../../core/runtime-contract.ts';
import type { TaskLog } from './log.ts';

/**
 * The Powertools utilities every task Lambda shares, created once per container. The service
 * name and metrics namespace follow `POWERTOOLS_SERVICE_NAME` / `POWERTOOLS_METRICS_NAMESPACE`
 * when set.
 */

export { DEFAULT_METRICS_NAMESPACE, DEFAULT_SERVICE_NAME };

const serviceName = process.env[SERVICE_NAME_ENV] ?? DEFAULT_SERVICE_NAME;

/** The structured JSON logger. */
export const logger = new Logger({ serviceName });

/** CloudWatch embedded-metric-format metrics. */
export const metrics = new Metrics({
  serviceName,
  namespace: process.env[METRICS_NAMESPACE_ENV] ?? DEFAULT_METRICS_NAMESPACE,
});

/** X-Ray tracing (inactive outside Lambda). */
export const tracer = new Tracer({ serviceName });

/** The logger as the logic modules see it. */
export const taskLog: TaskLog = {
  info: (message, details) => (details === undefined ? logger.info(message) : logger.info(message, details)),
  warn: (message, details) => (details === undefined ? logger.warn(message) : logger.warn(message, details)),
};
