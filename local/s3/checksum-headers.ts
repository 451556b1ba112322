/**
 * Flexible checksums in the REST protocol: which checksum a request declares (an `x-amz-checksum-*`
 * header, or an `x-amz-trailer` naming one, with `x-amz-sdk-checksum-algorithm`), algorithm headers such
 * as `x-amz-checksum-algorithm`, and how an object's checksum is written into response headers and XML.
 */
import {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  type ChecksumType,
  checksumHeaderName,
  checksumXmlName,
  decodeChecksum,
  isChecksumAlgorithm,
} from './checksums.ts';
import { header, type S3Request } from './context.ts';
import { type S3Error, S3Errors } from './errors.ts';
import type { ObjectChecksum } from './store/records.ts';
import type { XmlNode } from './xml.ts';

/** A checksum the client sent with a body: in a header (value known now) or in a trailer (after the body). */
export interface DeclaredChecksum {
  readonly algorithm: ChecksumAlgorithm;
  /** The header's value; `undefined` when it arrives as a trailer. */
  readonly value?: string;
  readonly trailer: boolean;
}

const VALID_LIST = '[CRC32, CRC32C, CRC64NVME, SHA1, SHA256]';

/**
 * An algorithm named in a header (`x-amz-checksum-algorithm`, `x-amz-sdk-checksum-algorithm`).
 * @throws S3Error InvalidRequest for an unknown algorithm.
 */
export function algorithmHeader(request: S3Request, name: string): ChecksumAlgorithm | undefined {
  const value = header(request, name);
  if (value === undefined || value === '') return undefined;
  const upper = value.toUpperCase();
  if (!isChecksumAlgorithm(upper)) {
    throw S3Errors.invalidRequest(
      `Checksum algorithm provided is unsupported. Please try again with any of the valid types: ${VALID_LIST}`,
    );
  }
  return upper;
}

/** The checksum type named by `x-amz-checksum-type`, if any. @throws S3Error InvalidRequest. */
export function checksumTypeHeader(request: S3Request): ChecksumType | undefined {
  const value = header(request, 'x-amz-checksum-type');
  if (value === undefined || value === '') return undefined;
  const upper = value.toUpperCase();
  if (upper !== 'FULL_OBJECT' && upper !== 'COMPOSITE') {
    throw S3Errors.invalidRequest('Value for x-amz-checksum-type header is invalid.');
  }
  return upper;
}

/**
 * The checksum a request declares for its body.
 * @throws S3Error InvalidRequest when several are declared, a value is malformed, or
 *   `x-amz-sdk-checksum-algorithm` names one that is not sent.
 */
export function declaredChecksum(request: S3Request): DeclaredChecksum | undefined {
  const inHeaders = CHECKSUM_ALGORITHMS.filter(
    (alg) => header(request, checksumHeaderName(alg)) !== undefined,
  );
  if (inHeaders.length > 1) {
    throw S3Errors.invalidRequest(
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    );
  }
  const trailerName = header(request, 'x-amz-trailer')?.trim().toLowerCase();
  let trailer: ChecksumAlgorithm | undefined;
  if (trailerName) {
    trailer = CHECKSUM_ALGORITHMS.find((alg) => checksumHeaderName(alg) === trailerName);
    if (!trailer)
      throw S3Errors.invalidRequest(`The value specified in the x-amz-trailer header is not supported`);
  }
  const sdk = algorithmHeader(request, 'x-amz-sdk-checksum-algorithm');
  const fromHeader = inHeaders[0];
  if (fromHeader && trailer) {
    throw S3Errors.invalidRequest(
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    );
  }
  const algorithm = fromHeader ?? trailer;
  if (sdk && sdk !== algorithm) {
    throw S3Errors.invalidRequest(
      `x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.`,
    );
  }
  if (fromHeader) {
    const value = header(request, checksumHeaderName(fromHeader)) ?? '';
    checksumValue(fromHeader, value);
    return { algorithm: fromHeader, value, trailer: false };
  }
  return trailer ? { algorithm: trailer, trailer: true } : undefined;
}

/**
 * Decodes a base64 checksum value sent by a client.
 * @throws S3Error InvalidRequest when it is not a checksum of that algorithm.
 */
export function checksumValue(algorithm: ChecksumAlgorithm, value: string): Buffer {
  const raw = decodeChecksum(algorithm, value.trim());
  if (!raw) throw S3Errors.invalidRequest(`Value for ${checksumHeaderName(algorithm)} header is invalid.`);
  return raw;
}

/** The BadDigest S3 sends when a checksum does not match the data. */
export function checksumMismatch(algorithm: ChecksumAlgorithm): S3Error {
  return S3Errors.badDigest(`The ${algorithm} you specified did not match the calculated checksum.`);
}

/** `x-amz-checksum-<alg>` and `x-amz-checksum-type` for a response. */
export function checksumHeaders(checksum: ObjectChecksum | undefined): Record<string, string> {
  if (!checksum) return {};
  return { [checksumHeaderName(checksum.algorithm)]: checksum.value, 'x-amz-checksum-type': checksum.type };
}

/** `<ChecksumCRC32>…</ChecksumCRC32><ChecksumType>…</ChecksumType>` members for a response document. */
export function checksumXml(checksum: ObjectChecksum | undefined, withType = true): XmlNode {
  if (!checksum) return {};
  return {
    [checksumXmlName(checksum.algorithm)]: checksum.value,
    ...(withType ? { ChecksumType: checksum.type } : {}),
  };
}
