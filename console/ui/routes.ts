/**
 * The console's hash routes: `#/` the list, `#/executions/<arn>`, `#/replicas?bucket=&key=&versionId=`,
 * `#/deployments`, `#/backfills` and `#/backfills/<arn>`.
 */

export type Route =
  | { readonly page: 'executions' }
  | { readonly page: 'execution'; readonly arn: string }
  | {
      readonly page: 'replicas';
      readonly object: { bucket: string; key: string; versionId?: string } | undefined;
    }
  | { readonly page: 'deployments' }
  | { readonly page: 'backfills' }
  | { readonly page: 'backfill'; readonly arn: string };

export function executionHref(arn: string): string {
  return `#/executions/${encodeURIComponent(arn)}`;
}

export function replicasHref(object: {
  bucket: string;
  key: string;
  versionId?: string | undefined;
}): string {
  const query = new URLSearchParams({ bucket: object.bucket, key: object.key });
  if (object.versionId !== undefined) query.set('versionId', object.versionId);
  return `#/replicas?${query}`;
}

export function backfillHref(arn: string): string {
  return `#/backfills/${encodeURIComponent(arn)}`;
}

const EXECUTION_ROUTE = /^#\/executions\/(.+)$/;
const BACKFILL_ROUTE = /^#\/backfills\/(.+)$/;

export function parseRoute(hash: string): Route {
  const execution = EXECUTION_ROUTE.exec(hash);
  if (execution !== null) return { page: 'execution', arn: decodeURIComponent(execution[1] ?? '') };
  if (hash === '#/deployments') return { page: 'deployments' };
  const backfill = BACKFILL_ROUTE.exec(hash);
  if (backfill !== null) return { page: 'backfill', arn: decodeURIComponent(backfill[1] ?? '') };
  if (hash === '#/backfills') return { page: 'backfills' };
  if (hash === '#/replicas' || hash.startsWith('#/replicas?')) {
    const query = new URLSearchParams(hash.slice('#/replicas'.length).replace(/^\?/, ''));
    const bucket = query.get('bucket');
    const key = query.get('key');
    const versionId = query.get('versionId');
    return {
      page: 'replicas',
      object:
        bucket === null || bucket === '' || key === null || key === ''
          ? undefined
          : { bucket, key, ...(versionId === null || versionId === '' ? {} : { versionId }) },
    };
  }
  return { page: 'executions' };
}

/** `s3://bucket/key` split; undefined when it names no object. */
export function parseS3Url(text: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(text.trim());
  if (match === null) return undefined;
  return { bucket: match[1] ?? '', key: match[2] ?? '' };
}
