/** The UI's calls to the console's JSON API; mutating calls carry the page's token. */
import {
  type ErrorAnswer,
  type ExecutionDetailView,
  type ExecutionPage,
  type RedriveAnswer,
  TOKEN_HEADER,
  TOKEN_META,
} from '../api-types.ts';

/** An error answer from the API, with its message for people. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function token(): string {
  return document.querySelector(`meta[name="${TOKEN_META}"]`)?.getAttribute('content') ?? '';
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, { ...init, headers: { accept: 'application/json', ...init.headers } });
  const body = (await response.json()) as T | ErrorAnswer;
  if (!response.ok) {
    const answer = body as ErrorAnswer;
    throw new ApiError(response.status, answer.error, answer.message);
  }
  return body as T;
}

export function listExecutions(options: {
  status: string;
  next?: string | undefined;
}): Promise<ExecutionPage> {
  const query = new URLSearchParams();
  if (options.status !== '') query.set('status', options.status);
  if (options.next !== undefined) query.set('next', options.next);
  return call<ExecutionPage>(`/api/executions?${query}`);
}

export function getExecution(arn: string): Promise<ExecutionDetailView> {
  return call<ExecutionDetailView>(`/api/executions/${encodeURIComponent(arn)}`);
}

export function redriveExecution(arn: string): Promise<RedriveAnswer> {
  return call<RedriveAnswer>(`/api/executions/${encodeURIComponent(arn)}/redrive`, {
    method: 'POST',
    headers: { [TOKEN_HEADER]: token() },
  });
}
