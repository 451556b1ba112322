/**
 * Reads a zip revision (from a file): every entry is decompressed and checked against its CRC-32 and
 * size — as unzipping on an instance would — and the root AppSpec is parsed.
 */
import type { Readable } from 'node:stream';
import { Crc32 } from '@aws-crypto/crc32';
import { type Entry, open, type ZipFile } from 'yauzl';
import { InvalidBundleError } from '../errors.ts';
import {
  APPSPEC_NAMES,
  appSpecBaseName,
  MAX_APPSPEC_BYTES,
  missingAppSpec,
  parseYamlAppSpec,
} from './appspec.ts';

function openZip(file: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    open(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (err, zip) => {
      if (err) reject(err);
      else resolve(zip);
    });
  });
}

function openEntry(zip: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) reject(err);
      else resolve(stream);
    });
  });
}

/** Every entry of the central directory, in order (names already checked by yauzl). */
function listEntries(zip: ZipFile): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on('entry', (entry: Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', reject);
    zip.readEntry();
  });
}

/** Decompresses one entry, checking its CRC-32; returns its bytes when `keep` (up to the AppSpec limit). */
async function verifyEntry(zip: ZipFile, entry: Entry, keep: boolean): Promise<Buffer | undefined> {
  if (entry.isEncrypted()) throw new InvalidBundleError(`${entry.fileName} in the zip archive is encrypted`);
  if (!entry.canDecodeFileData()) {
    throw new InvalidBundleError(
      `${entry.fileName} in the zip archive uses compression method ${entry.compressionMethod}, which cannot be unzipped`,
    );
  }
  const crc = new Crc32();
  const kept: Buffer[] = [];
  let size = 0;
  try {
    const stream = await openEntry(zip, entry);
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      crc.update(buf);
      size += buf.length;
      if (keep) {
        if (size > MAX_APPSPEC_BYTES) {
          stream.destroy();
          throw new InvalidBundleError(`${entry.fileName} is larger than ${MAX_APPSPEC_BYTES} bytes`);
        }
        kept.push(buf);
      }
    }
  } catch (cause) {
    if (cause instanceof InvalidBundleError) throw cause;
    throw new InvalidBundleError(
      `${entry.fileName} in the zip archive cannot be unzipped: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  if (crc.digest() >>> 0 !== entry.crc32 >>> 0) {
    throw new InvalidBundleError(
      `${entry.fileName} in the zip archive is corrupt: its CRC-32 does not match its data`,
    );
  }
  return keep ? Buffer.concat(kept) : undefined;
}

/** Checks that `file` is an intact zip archive with a well-formed `appspec.yml`/`appspec.yaml` at its root. */
export async function inspectZip(file: string): Promise<void> {
  let zip: ZipFile;
  try {
    zip = await openZip(file);
  } catch (cause) {
    throw new InvalidBundleError(`The revision is not a valid zip archive: ${(cause as Error).message}`, {
      cause,
    });
  }
  try {
    let entries: Entry[];
    try {
      entries = await listEntries(zip);
    } catch (cause) {
      throw new InvalidBundleError(`The zip archive is damaged: ${(cause as Error).message}`, { cause });
    }
    const root = APPSPEC_NAMES.map((name) => entries.find((e) => e.fileName === name)).find(
      (e) => e !== undefined,
    );
    if (!root) {
      const misplaced = entries.find((e) => appSpecBaseName(e.fileName) !== undefined)?.fileName;
      throw missingAppSpec('zip', misplaced);
    }
    let appSpec: Buffer | undefined;
    for (const entry of entries) {
      if (entry.fileName.endsWith('/')) continue;
      const bytes = await verifyEntry(zip, entry, entry === root);
      if (entry === root) appSpec = bytes;
    }
    parseYamlAppSpec((appSpec ?? Buffer.alloc(0)).toString('utf8'), `${root.fileName} in the zip archive`);
  } finally {
    zip.close();
  }
}
