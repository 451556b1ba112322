/**
 * The byte-level checksum rules of S3 (user guide: "Checking object integrity"): the five flexible
 * checksum algorithms, their header and XML names, full-object and composite checksums of multipart
 * uploads, and the ETag forms S3 returns.
 *
 * Every digest is the raw big-endian byte string S3 base64-encodes (CRC32/CRC32C: 4 bytes,
 * CRC64NVME: 8 bytes, SHA1: 20 bytes, SHA256: 32 bytes).
 *
 * Speed: objects of a GiB pass through these hashers. CRC32 uses Node's native `zlib.crc32`; SHA1 and
 * SHA256 use node:crypto. CRC32C and CRC64NVME have no native path in Node, and the npm packages'
 * hashers are either per-byte (`@aws-crypto/crc32c`, about 90 MiB/s) or only offer an async digest
 * (`@aws-sdk/crc64-nvme`), so both are computed here with slice-by-8 tables over 32-bit words; the tests
 * check them against those packages.
 */
import { createHash, type Hash, randomBytes } from 'node:crypto';
import { endianness } from 'node:os';
import { crc32 as zlibCrc32 } from 'node:zlib';

/** A flexible checksum algorithm of S3. */
export type ChecksumAlgorithm = 'CRC64NVME' | 'CRC32C' | 'CRC32' | 'SHA1' | 'SHA256';

/** The CRC algorithms, the only ones whose checksums combine into a full-object checksum. */
export type CrcAlgorithm = 'CRC64NVME' | 'CRC32C' | 'CRC32';

/** How the checksum of a multipart object is formed. */
export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE';

/** All algorithms, strongest evidence first. */
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = [
  'CRC64NVME',
  'CRC32C',
  'CRC32',
  'SHA256',
  'SHA1',
];

/** Thrown when a helper here is given bytes of the wrong shape (a caller's bug, not a client's). */
export class ChecksumInputError extends Error {
  override readonly name = 'ChecksumInputError';
}

/** Whether `s` names an algorithm exactly as S3 spells it (upper case). */
export function isChecksumAlgorithm(s: unknown): s is ChecksumAlgorithm {
  return typeof s === 'string' && (CHECKSUM_ALGORITHMS as readonly string[]).includes(s);
}

/** Whether `alg` is a CRC (combinable into a full-object checksum). */
export function isCrcAlgorithm(alg: ChecksumAlgorithm): alg is CrcAlgorithm {
  return alg === 'CRC64NVME' || alg === 'CRC32C' || alg === 'CRC32';
}

/** The request/response header carrying the checksum: `x-amz-checksum-crc64nvme` etc. */
export function checksumHeaderName(alg: ChecksumAlgorithm): string {
  return `x-amz-checksum-${alg.toLowerCase()}`;
}

/** The XML element carrying the checksum: `ChecksumCRC64NVME` etc. */
export function checksumXmlName(alg: ChecksumAlgorithm): string {
  return `Checksum${alg}`;
}

const DIGEST_LENGTH: Readonly<Record<ChecksumAlgorithm, number>> = {
  CRC64NVME: 8,
  CRC32C: 4,
  CRC32: 4,
  SHA1: 20,
  SHA256: 32,
};

/** Length in bytes of the raw digest of `alg`. */
export function digestLength(alg: ChecksumAlgorithm): number {
  return DIGEST_LENGTH[alg];
}

/**
 * Multipart checksum types S3 accepts for `alg` (user guide, "Checking object integrity"):
 * CRC64NVME supports only FULL_OBJECT; CRC32 and CRC32C support both; SHA1 and SHA256 only COMPOSITE.
 * (A single-part upload's checksum is always of the full object, whatever the algorithm.)
 */
export function supportedChecksumTypes(alg: ChecksumAlgorithm): readonly ChecksumType[] {
  if (alg === 'CRC64NVME') return ['FULL_OBJECT'];
  if (alg === 'CRC32' || alg === 'CRC32C') return ['FULL_OBJECT', 'COMPOSITE'];
  return ['COMPOSITE'];
}

// ---------------------------------------------------------------------------------------------------
// CRC parameters and table-driven engines
// ---------------------------------------------------------------------------------------------------

/** A reflected CRC: `poly` is the bit-reversed generator polynomial (without the x^width term). */
interface CrcParams {
  readonly width: 32 | 64;
  readonly poly: bigint;
  readonly init: bigint;
  readonly xorOut: bigint;
}

const ONES_32 = 0xffff_ffffn;
const ONES_64 = 0xffff_ffff_ffff_ffffn;

const CRC_PARAMS: Readonly<Record<CrcAlgorithm, CrcParams>> = {
  CRC32: { width: 32, poly: 0xedb8_8320n, init: ONES_32, xorOut: ONES_32 },
  CRC32C: { width: 32, poly: 0x82f6_3b78n, init: ONES_32, xorOut: ONES_32 },
  CRC64NVME: { width: 64, poly: 0x9a6c_9329_ac4b_c9b5n, init: ONES_64, xorOut: ONES_64 },
};

/** Word reads through a Uint32Array view are only byte-order-correct on little-endian hosts. */
const LITTLE_ENDIAN = endianness() === 'LE';

/** Bytes to process one at a time so that `data.byteOffset + n` is 4-aligned. */
function headLength(data: Uint8Array): number {
  return Math.min((4 - (data.byteOffset & 3)) & 3, data.length);
}

/** A view of `words` little-endian 32-bit words of `data` from the aligned offset `start`. */
function wordView(data: Uint8Array, start: number, words: number): Uint32Array {
  return new Uint32Array(data.buffer, data.byteOffset + start, words);
}

/**
 * Slice-by-8 tables of a 32-bit reflected CRC: table k (at offset 256·k) maps a byte to the CRC of that
 * byte followed by k zero bytes.
 */
function crc32Tables(poly: number): Uint32Array {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let j = 0; j < 8; j++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const prev = t[(k - 1) * 256 + n]!;
      t[k * 256 + n] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  return t;
}

let crc32cTable: Uint32Array | undefined;

/** Advances a CRC32C register (pre-inversion form) over `data`. */
function crc32cUpdate(register: number, data: Uint8Array): number {
  crc32cTable ??= crc32Tables(Number(CRC_PARAMS.CRC32C.poly));
  const t = crc32cTable;
  let c = register;
  let i = 0;
  const bulkStart = LITTLE_ENDIAN ? headLength(data) : data.length;
  for (; i < bulkStart; i++) c = (c >>> 8) ^ t[(c ^ data[i]!) & 0xff]!;
  const blocks = (data.length - i) >>> 3;
  if (blocks > 0) {
    const w = wordView(data, i, blocks * 2);
    for (let j = 0; j < w.length; j += 2) {
      const a = c ^ w[j]!;
      const b = w[j + 1]!;
      c =
        t[1792 + (a & 0xff)]! ^
        t[1536 + ((a >>> 8) & 0xff)]! ^
        t[1280 + ((a >>> 16) & 0xff)]! ^
        t[1024 + (a >>> 24)]! ^
        t[768 + (b & 0xff)]! ^
        t[512 + ((b >>> 8) & 0xff)]! ^
        t[256 + ((b >>> 16) & 0xff)]! ^
        t[b >>> 24]!;
    }
    i += blocks * 8;
  }
  for (; i < data.length; i++) c = (c >>> 8) ^ t[(c ^ data[i]!) & 0xff]!;
  return c >>> 0;
}

/**
 * Slice-by-8 tables of a 64-bit reflected CRC, each entry as two interleaved 32-bit halves:
 * `t[2·(256·k + n)]` is the high word and `t[2·(256·k + n) + 1]` the low word.
 */
function crc64Tables(poly: bigint): Uint32Array {
  const t = new Uint32Array(8 * 256 * 2);
  for (let n = 0; n < 256; n++) {
    let c = BigInt(n);
    for (let j = 0; j < 8; j++) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n;
    t[2 * n] = Number(c >> 32n);
    t[2 * n + 1] = Number(c & ONES_32);
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const p = 2 * ((k - 1) * 256 + n);
      const hi = t[p]!;
      const lo = t[p + 1]!;
      const z = 2 * (lo & 0xff);
      const q = 2 * (k * 256 + n);
      t[q] = (hi >>> 8) ^ t[z]!;
      t[q + 1] = ((lo >>> 8) | (hi << 24)) ^ t[z + 1]!;
    }
  }
  return t;
}

let crc64Table: Uint32Array | undefined;

/** A CRC64 register (pre-inversion form) as two unsigned 32-bit halves. */
interface Register64 {
  hi: number;
  lo: number;
}

/** Advances a CRC64NVME register over `data`, in place. */
function crc64nvmeUpdate(reg: Register64, data: Uint8Array): void {
  crc64Table ??= crc64Tables(CRC_PARAMS.CRC64NVME.poly);
  const t = crc64Table;
  let hi = reg.hi;
  let lo = reg.lo;
  let i = 0;
  const bulkStart = LITTLE_ENDIAN ? headLength(data) : data.length;
  for (; i < bulkStart; i++) {
    const z = ((lo ^ data[i]!) & 0xff) << 1;
    lo = ((lo >>> 8) | (hi << 24)) ^ t[z + 1]!;
    hi = (hi >>> 8) ^ t[z]!;
  }
  const blocks = (data.length - i) >>> 3;
  if (blocks > 0) {
    const w = wordView(data, i, blocks * 2);
    for (let j = 0; j < w.length; j += 2) {
      const a = lo ^ w[j]!;
      const b = hi ^ w[j + 1]!;
      const z0 = (1792 + (a & 0xff)) << 1;
      const z1 = (1536 + ((a >>> 8) & 0xff)) << 1;
      const z2 = (1280 + ((a >>> 16) & 0xff)) << 1;
      const z3 = (1024 + (a >>> 24)) << 1;
      const z4 = (768 + (b & 0xff)) << 1;
      const z5 = (512 + ((b >>> 8) & 0xff)) << 1;
      const z6 = (256 + ((b >>> 16) & 0xff)) << 1;
      const z7 = (b >>> 24) << 1;
      hi = t[z0]! ^ t[z1]! ^ t[z2]! ^ t[z3]! ^ t[z4]! ^ t[z5]! ^ t[z6]! ^ t[z7]!;
      lo =
        t[z0 + 1]! ^ t[z1 + 1]! ^ t[z2 + 1]! ^ t[z3 + 1]! ^ t[z4 + 1]! ^ t[z5 + 1]! ^ t[z6 + 1]! ^ t[z7 + 1]!;
    }
    i += blocks * 8;
  }
  for (; i < data.length; i++) {
    const z = ((lo ^ data[i]!) & 0xff) << 1;
    lo = ((lo >>> 8) | (hi << 24)) ^ t[z + 1]!;
    hi = (hi >>> 8) ^ t[z]!;
  }
  reg.hi = hi >>> 0;
  reg.lo = lo >>> 0;
}

// ---------------------------------------------------------------------------------------------------
// Hashers
// ---------------------------------------------------------------------------------------------------

/** An incremental hash. Call `digest()` once, after the last `update()`. */
export interface Hasher {
  update(chunk: Uint8Array): void;
  /** The raw big-endian digest S3 base64-encodes. */
  digest(): Buffer;
}

function u32Buffer(value: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(value >>> 0, 0);
  return out;
}

class Crc32Hasher implements Hasher {
  private value = 0;
  update(chunk: Uint8Array): void {
    this.value = zlibCrc32(chunk, this.value);
  }
  digest(): Buffer {
    return u32Buffer(this.value);
  }
}

class Crc32cHasher implements Hasher {
  private register = 0xffff_ffff;
  update(chunk: Uint8Array): void {
    this.register = crc32cUpdate(this.register, chunk);
  }
  digest(): Buffer {
    return u32Buffer(~this.register);
  }
}

class Crc64NvmeHasher implements Hasher {
  private readonly register: Register64 = { hi: 0xffff_ffff, lo: 0xffff_ffff };
  update(chunk: Uint8Array): void {
    crc64nvmeUpdate(this.register, chunk);
  }
  digest(): Buffer {
    const out = Buffer.allocUnsafe(8);
    out.writeUInt32BE(~this.register.hi >>> 0, 0);
    out.writeUInt32BE(~this.register.lo >>> 0, 4);
    return out;
  }
}

class NodeHasher implements Hasher {
  private readonly hash: Hash;
  constructor(algorithm: 'sha1' | 'sha256' | 'md5') {
    this.hash = createHash(algorithm);
  }
  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }
  digest(): Buffer {
    return this.hash.digest();
  }
}

/** A fresh incremental hasher for `alg`. */
export function createHasher(alg: ChecksumAlgorithm): Hasher {
  switch (alg) {
    case 'CRC32':
      return new Crc32Hasher();
    case 'CRC32C':
      return new Crc32cHasher();
    case 'CRC64NVME':
      return new Crc64NvmeHasher();
    case 'SHA1':
      return new NodeHasher('sha1');
    case 'SHA256':
      return new NodeHasher('sha256');
  }
}

/** An incremental MD5 (for ETags and Content-MD5), with the same interface. */
export function createMd5Hasher(): Hasher {
  return new NodeHasher('md5');
}

/** The raw digest of `data` under `alg`. */
export function checksumOf(alg: ChecksumAlgorithm, data: Uint8Array): Buffer {
  const h = createHasher(alg);
  h.update(data);
  return h.digest();
}

/** The base64 checksum of `data` under `alg`, as S3 writes it in headers and XML. */
export function checksumBase64(alg: ChecksumAlgorithm, data: Uint8Array): string {
  return checksumOf(alg, data).toString('base64');
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes a client-supplied base64 checksum of `alg`; `undefined` when it is not canonical base64 of
 * exactly the algorithm's digest length (S3 answers such values with InvalidRequest).
 */
export function decodeChecksum(alg: ChecksumAlgorithm, value: string): Buffer | undefined {
  if (!BASE64.test(value)) return undefined;
  const raw = Buffer.from(value, 'base64');
  if (raw.length !== DIGEST_LENGTH[alg] || raw.toString('base64') !== value) return undefined;
  return raw;
}

// ---------------------------------------------------------------------------------------------------
// Combining CRCs: arithmetic modulo the generator polynomial over GF(2), as zlib's crc32_combine
// ---------------------------------------------------------------------------------------------------

/**
 * Polynomial arithmetic for one reflected CRC. In the reflected representation the most significant bit
 * of the register is the coefficient of x^0.
 */
class CrcCombiner {
  private readonly one: bigint;
  /** powers[k] = x^(2^k) mod P. */
  private readonly powers: bigint[];
  /** Recently used x^(8n) mod P, by byte count n (parts of one upload mostly share a size). */
  private readonly shifts = new Map<number, bigint>();

  constructor(private readonly params: CrcParams) {
    this.one = 1n << BigInt(params.width - 1);
    this.powers = [this.one >> 1n];
  }

  /** a·b mod P. */
  private multiply(a: bigint, b: bigint): bigint {
    const poly = this.params.poly;
    let product = 0n;
    let factor = b;
    for (let m = this.one; m > 0n && a !== 0n; m >>= 1n) {
      if (a & m) {
        product ^= factor;
        a ^= m;
      }
      factor = factor & 1n ? (factor >> 1n) ^ poly : factor >> 1n;
    }
    return product;
  }

  private power(k: number): bigint {
    while (this.powers.length <= k) {
      const last = this.powers[this.powers.length - 1]!;
      this.powers.push(this.multiply(last, last));
    }
    return this.powers[k]!;
  }

  /** x^(8·bytes) mod P: the operator that appends `bytes` zero bytes to a register. */
  private zeroBytesOperator(bytes: number): bigint {
    const cached = this.shifts.get(bytes);
    if (cached !== undefined) return cached;
    let result = this.one;
    let n = bytes;
    for (let k = 3; n > 0; k++, n = Math.floor(n / 2)) {
      if (n % 2 === 1) result = this.multiply(this.power(k), result);
    }
    if (this.shifts.size >= 64) this.shifts.clear();
    this.shifts.set(bytes, result);
    return result;
  }

  /** CRC(A‖B) from CRC(A), CRC(B) and |B|. */
  combine(crcA: bigint, crcB: bigint, lengthB: number): bigint {
    const { init, xorOut } = this.params;
    return this.multiply(this.zeroBytesOperator(lengthB), crcA ^ xorOut ^ init) ^ crcB;
  }
}

const combiners = new Map<CrcAlgorithm, CrcCombiner>();

function combinerFor(alg: CrcAlgorithm): CrcCombiner {
  let c = combiners.get(alg);
  if (!c) {
    c = new CrcCombiner(CRC_PARAMS[alg]);
    combiners.set(alg, c);
  }
  return c;
}

function readCrc(alg: CrcAlgorithm, raw: Buffer): bigint {
  if (raw.length !== DIGEST_LENGTH[alg]) {
    throw new ChecksumInputError(`a ${alg} checksum is ${DIGEST_LENGTH[alg]} bytes, got ${raw.length}`);
  }
  return alg === 'CRC64NVME' ? raw.readBigUInt64BE(0) : BigInt(raw.readUInt32BE(0));
}

function writeCrc(alg: CrcAlgorithm, value: bigint): Buffer {
  if (alg === 'CRC64NVME') {
    const out = Buffer.allocUnsafe(8);
    out.writeBigUInt64BE(value, 0);
    return out;
  }
  return u32Buffer(Number(value));
}

function assertLength(length: number): void {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new ChecksumInputError(`a byte length must be a non-negative integer, got ${length}`);
  }
}

/**
 * The CRC of the concatenation A‖B, given the raw CRCs of A and B and the length of B in bytes —
 * without reading the bytes again (zlib's GF(2) combine, generic in width and polynomial).
 */
export function combineCrc(alg: CrcAlgorithm, first: Buffer, second: Buffer, secondLength: number): Buffer {
  assertLength(secondLength);
  const a = readCrc(alg, first);
  const b = readCrc(alg, second);
  return writeCrc(alg, combinerFor(alg).combine(a, b, secondLength));
}

/** One part of a multipart upload, as its checksum and size. */
export interface PartChecksum {
  readonly checksum: Buffer;
  readonly size: number;
}

/**
 * The FULL_OBJECT checksum of a multipart object: the CRC of all its bytes, combined from the parts'
 * CRCs in part order. With no parts it is the CRC of the empty string.
 */
export function fullObjectChecksum(alg: CrcAlgorithm, parts: readonly PartChecksum[]): Buffer {
  const params = CRC_PARAMS[alg];
  const combiner = combinerFor(alg);
  let value = params.init ^ params.xorOut;
  for (const part of parts) {
    assertLength(part.size);
    value = combiner.combine(value, readCrc(alg, part.checksum), part.size);
  }
  return writeCrc(alg, value);
}

/**
 * The COMPOSITE checksum of a multipart object as S3 returns it: base64 of the hash of the concatenated
 * raw part checksums, then `-N` with the part count.
 */
export function compositeChecksum(alg: ChecksumAlgorithm, partChecksums: readonly Buffer[]): string {
  if (partChecksums.length === 0)
    throw new ChecksumInputError('a composite checksum needs at least one part');
  const h = createHasher(alg);
  for (const c of partChecksums) {
    if (c.length !== DIGEST_LENGTH[alg]) {
      throw new ChecksumInputError(`a ${alg} part checksum is ${DIGEST_LENGTH[alg]} bytes, got ${c.length}`);
    }
    h.update(c);
  }
  return `${h.digest().toString('base64')}-${partChecksums.length}`;
}

// ---------------------------------------------------------------------------------------------------
// ETags
// ---------------------------------------------------------------------------------------------------

function assertMd5(md5: Buffer): void {
  if (md5.length !== 16) throw new ChecksumInputError(`an MD5 is 16 bytes, got ${md5.length}`);
}

/** The ETag of a single-part plaintext or SSE-S3 object: its MD5 in hex, quoted. */
export function md5Etag(md5: Buffer): string {
  assertMd5(md5);
  return `"${md5.toString('hex')}"`;
}

/** The ETag of a multipart object: `"<hex md5 of the concatenated raw part MD5s>-N"`, quoted. */
export function multipartEtag(partMd5s: readonly Buffer[]): string {
  if (partMd5s.length === 0) throw new ChecksumInputError('a multipart ETag needs at least one part');
  const h = createHash('md5');
  for (const md5 of partMd5s) {
    assertMd5(md5);
    h.update(md5);
  }
  return `"${h.digest('hex')}-${partMd5s.length}"`;
}

/** A fresh per-object salt for {@link kmsEtag}; store it with the object so the ETag stays stable. */
export function createEtagSalt(): Buffer {
  return randomBytes(16);
}

/**
 * The ETag of an SSE-KMS object. S3 documents only that it is *not* the MD5 of the content; this mimics
 * that with a deterministic 32-hex value `md5(salt ‖ md5)` (the salt is random per object, supplied by the
 * caller and stored with the object), which never equals the content MD5. `md5` is the content MD5, or
 * for a multipart object the MD5 of the concatenated part MD5s; pass `partCount` to get the `-N` form.
 */
export function kmsEtag(md5: Buffer, salt: Buffer, partCount?: number): string {
  assertMd5(md5);
  if (salt.length === 0) throw new ChecksumInputError('a KMS ETag salt must not be empty');
  let tag = createHash('md5').update(salt).update(md5).digest();
  // Astronomically unlikely, but the point of this ETag is that it is not the MD5.
  while (tag.equals(md5)) tag = createHash('md5').update(tag).digest();
  const suffix = partCount === undefined ? '' : `-${partCount}`;
  return `"${tag.toString('hex')}${suffix}"`;
}
