/**
 * ETags arrive quoted from S3 responses (`"9b2cf535f27731c974343645a3985328"`) and unquoted in
 * events. The relay stores and compares them unquoted.
 */

/** The ETag without surrounding double quotes (and without a weak `W/` marker). */
export function unquoteEtag(etag: string): string {
  const strong = etag.startsWith('W/') ? etag.slice(2) : etag;
  return strong.length >= 2 && strong.startsWith('"') && strong.endsWith('"') ? strong.slice(1, -1) : strong;
}

/** Whether two ETags name the same bytes as S3 reports them (quotes and letter case ignored). */
export function sameEtag(a: string, b: string): boolean {
  return unquoteEtag(a).toLowerCase() === unquoteEtag(b).toLowerCase();
}

/** The number of parts encoded in a multipart ETag (`…-N`), or `undefined` for a single-part ETag. */
export function etagPartCount(etag: string): number | undefined {
  const match = /-(\d+)$/.exec(unquoteEtag(etag));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
