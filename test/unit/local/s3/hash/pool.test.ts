import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestFilesSync } from '../../../../../local/s3/hash/digest-files.ts';
import { HashPool, HashWorkerUnavailableError } from '../../../../../local/s3/hash/pool.ts';

let dir: string;
let pool: HashPool | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hash-pool-'));
});

afterEach(async () => {
  await pool?.close();
  pool = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('HashPool', () => {
  it('runs more jobs than it has threads, each answered with its own copy and digest', async () => {
    // Arrange
    pool = new HashPool({ threads: 2 });
    const sources = Array.from({ length: 5 }, (_, i) => randomBytes(256 * 1024 + i * 4099));
    await Promise.all(sources.map((data, i) => writeFile(join(dir, `src-${i}`), data)));
    const jobs = sources.map((_, i) => ({
      slices: [{ path: join(dir, `src-${i}`), start: i }],
      algorithms: ['CRC64NVME', 'CRC32C'] as const,
      target: join(dir, `dst-${i}`),
    }));

    // Act
    const results = await Promise.all(jobs.map((job) => pool!.run(job)));

    // Assert
    for (const [i, result] of results.entries()) {
      const copied = await readFile(join(dir, `dst-${i}`));
      expect(copied.equals(sources[i]!.subarray(i))).toBe(true);
      expect(result).toEqual(digestFilesSync({ ...jobs[i]!, target: join(dir, `again-${i}`) }));
      expect(Buffer.isBuffer(result.md5)).toBe(true);
    }
  });

  it("raises a job's own file system error and keeps serving later jobs", async () => {
    // Arrange
    pool = new HashPool({ threads: 1 });
    await writeFile(join(dir, 'present'), 'artifact');

    // Act
    const failed = pool.run({ slices: [{ path: join(dir, 'missing'), start: 0 }], algorithms: [] });
    const later = pool.run({ slices: [{ path: join(dir, 'present'), start: 0 }], algorithms: [] });

    // Assert
    await expect(failed).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(failed).rejects.not.toBeInstanceOf(HashWorkerUnavailableError);
    await expect(later).resolves.toMatchObject({ size: 8 });
  });

  it('reports itself unavailable, now and for later jobs, when its threads cannot start', async () => {
    // Arrange
    const entry = join(dir, 'broken-worker.mjs');
    await writeFile(entry, "throw new Error('no hashing here');\n");
    pool = new HashPool({ threads: 1, entry: pathToFileURL(entry) });
    const job = { slices: [], algorithms: [] };

    // Act
    const first = pool.run(job);
    await first.catch(() => undefined);
    const second = pool.run(job);

    // Assert
    await expect(first).rejects.toBeInstanceOf(HashWorkerUnavailableError);
    await expect(second).rejects.toBeInstanceOf(HashWorkerUnavailableError);
  });
});
