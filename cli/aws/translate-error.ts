/**
 * Turns what the SDK, the network or the configuration throws into one line that says what went
 * wrong and what to do. Each common failure has its own message: nothing listening, credentials
 * missing or rejected, region missing, execution or state machine not found, access denied.
 */
import { networkErrorCode } from '../../core/classify-aws-error.ts';
import { ConfigInvalid } from '../../core/errors.ts';
import { CliError } from '../errors.ts';

export interface ErrorContext {
  /** The endpoint override, when there is one. */
  readonly endpoint?: string | undefined;
  readonly isLocal?: boolean;
}

function networkMessage(code: string, ctx: ErrorContext): string {
  const where = ctx.endpoint ?? 'AWS';
  switch (code) {
    case 'ECONNREFUSED':
      return ctx.isLocal
        ? `nothing is listening on ${where} — start it with \`npx relay local\` (or pass --endpoint-url with the right port)`
        : `nothing is listening on ${where} — check --endpoint-url`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host of ${where} cannot be resolved — check --endpoint-url, --region and your network`;
    default:
      return `${where} did not answer (${code}) — check your network or proxy, then try again`;
  }
}

function sdkMessage(err: Error, ctx: ErrorContext): string | undefined {
  const name = err.name;
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(err.message)) {
    return 'no AWS credentials found — pass --profile <name> or set AWS_PROFILE (after `aws configure` or `aws sso login`), or use --local for the local stack';
  }
  if (/Region is missing/i.test(err.message)) {
    return 'no AWS region — pass --region <region> or set AWS_REGION (or use --local for the local stack)';
  }
  if (/Token.*(expired|is invalid)|session.*expired|ExpiredToken/i.test(`${name} ${err.message}`)) {
    return `your AWS credentials have expired (${err.message}) — renew them, e.g. \`aws sso login\``;
  }
  if (
    [
      'UnrecognizedClientException',
      'InvalidClientTokenId',
      'InvalidSignatureException',
      'SignatureDoesNotMatch',
    ].includes(name)
  ) {
    return `AWS rejected the credentials (${name}) — check --profile / AWS_PROFILE and the region`;
  }
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'Forbidden' || status === 403) {
    const detail = /^Unknown/.test(err.message) || err.message === '' ? '' : ` (${err.message})`;
    return `access denied${detail} — the identity you use needs that permission`;
  }
  if (name === 'ExecutionDoesNotExist') {
    return `execution not found: ${err.message} — run \`relay executions\` to list them`;
  }
  if (name === 'StateMachineDoesNotExist') {
    return `state machine not found: ${err.message} — pass --state-machine <arn|name> or the right --region${ctx.isLocal ? ', or start `npx relay local` with the relay deployed' : ''}`;
  }
  if (status !== undefined) {
    return /^Unknown/.test(name)
      ? `the service answered HTTP ${status} without details`
      : `${name}: ${err.message}`;
  }
  return undefined;
}

/** The error to report for `err`: a CliError with one line (ConfigInvalid keeps its problem list). */
export function translateError(err: unknown, ctx: ErrorContext = {}): Error {
  if (err instanceof CliError) return err;
  if (err instanceof ConfigInvalid) return new CliError(err.message, undefined, { cause: err });
  const code = networkErrorCode(err);
  if (code !== undefined) return new CliError(networkMessage(code, ctx), undefined, { cause: err });
  if (err instanceof Error) {
    const message = sdkMessage(err, ctx);
    if (message !== undefined) return new CliError(message, undefined, { cause: err });
    return err;
  }
  return new CliError(String(err));
}
