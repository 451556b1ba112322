/**
 * What the local stack reads of AWS Signature Version 4: only the credential scope, to learn the region a
 * request was signed for and the access key id that signed it (a registered principal's requests are
 * authorized, local/iam/principals.ts). Signatures are not checked — any credentials are accepted.
 */
import type { IncomingMessage } from 'node:http';

export interface CredentialScope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

const SCOPE = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/;

function parseScope(credential: string): CredentialScope | undefined {
  const m = SCOPE.exec(credential);
  if (!m) return undefined;
  return { accessKeyId: m[1]!, date: m[2]!, region: m[3]!, service: m[4]! };
}

/** The credential scope from the `Authorization` header or a presigned URL's `X-Amz-Credential`. */
export function credentialScope(req: IncomingMessage, url: URL): CredentialScope | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('AWS4-HMAC-SHA256')) {
    const m = /Credential=([^,\s]+)/.exec(auth);
    if (m) return parseScope(m[1]!);
  }
  const presigned = url.searchParams.get('X-Amz-Credential');
  return presigned ? parseScope(presigned) : undefined;
}
