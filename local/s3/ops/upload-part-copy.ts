/**
 * UploadPartCopy: a part made by streaming a byte range (`x-amz-copy-source-range: bytes=a-b`, else the
 * whole source, at most 5 GiB) of a source version, with the copy-source conditions and version pinning of
 * CopyObject.
 */
import { join } from 'node:path';
import { type ChecksumAlgorithm, checksumXmlName } from '../checksums.ts';
import { s3Timestamp } from '../clock.ts';
import { header, type S3Handler } from '../context.ts';
import { resolveCopySource } from '../copy-source.ts';
import { createCorruptor } from '../corrupt.ts';
import { encryptionHeaders } from '../encryption.ts';
import { MAX_PUT_BYTES, S3Errors } from '../errors.ts';
import { writeDigested } from '../ingest.ts';
import { copySourceKeyUse, uploadKeyUse, useKmsKeys } from '../kms-authorization.ts';
import { parseCopySourceRange } from '../range.ts';
import { singlePartEtag } from '../write-attributes.ts';
import { toXml } from '../xml.ts';
import { partAlgorithm, partNumberOf, requireUpload, shownPartChecksum } from './multipart.ts';

/** UploadPartCopy. */
export const uploadPartCopy: S3Handler = async (deps, request) => {
  const { state, upload } = requireUpload(deps, request);
  const bucket = state.record.name;
  const partNumber = partNumberOf(request);
  const source = await resolveCopySource(deps, request);
  const src = source.version;
  await useKmsKeys(deps, request, [copySourceKeyUse(source), uploadKeyUse(state.record, upload.record)]);
  const rangeHeader = header(request, 'x-amz-copy-source-range');
  const range =
    rangeHeader !== undefined ? parseCopySourceRange(rangeHeader, src.size) : { start: 0, end: src.size - 1 };
  const length = range.end - range.start + 1;
  if (length > MAX_PUT_BYTES) {
    throw S3Errors.invalidRequest(
      `The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_PUT_BYTES}`,
    );
  }
  const algorithm = partAlgorithm(upload.record);
  const corrupt = deps.faults?.takeCorruption(bucket, upload.record.key) ?? false;
  const staging = await deps.store.stage();
  try {
    const file = join(staging.dir, 'part');
    const reader = deps.store.read(source.bucket.record.name, src, range.start, range.end);
    const result = await writeDigested(reader, file, [algorithm], corrupt ? [createCorruptor()] : []);
    const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
    for (const [alg, value] of Object.entries(result.checksums) as Array<[ChecksumAlgorithm, Buffer]>) {
      checksums[alg] = value.toString('base64');
    }
    const etag = singlePartEtag(result.md5, upload.record.encryption);
    const part = await deps.store.putPart(bucket, upload.record.uploadId, file, {
      partNumber,
      size: result.size,
      etag,
      md5: result.md5.toString('hex'),
      lastModified: s3Timestamp(),
      checksums,
    });
    if (!part) throw S3Errors.noSuchUpload(upload.record.uploadId);
    const shown = shownPartChecksum(upload.record, part);
    return {
      status: 200,
      headers: { ...source.responseHeaders, ...encryptionHeaders(upload.record.encryption) },
      body: toXml('CopyPartResult', {
        ETag: etag,
        LastModified: part.lastModified,
        ...(shown ? { [checksumXmlName(shown.algorithm)]: shown.value } : {}),
      }),
    };
  } finally {
    await deps.store.discard(staging);
  }
};
