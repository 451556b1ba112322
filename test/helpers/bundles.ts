/** Real CodeDeploy bundles for tests: a zip archive with an `appspec.yml` at its root. */
import { ZipFile } from 'yazl';

export const SAMPLE_APPSPEC = [
  'version: 0.0',
  'os: linux',
  'files:',
  '  - source: /',
  '    destination: /opt/web',
  '',
].join('\n');

/** Builds a zip holding `appspec.yml` and any extra files given. */
export function zipWithAppspec(extra: Record<string, string | Buffer> = {}): Promise<Buffer> {
  const zip = new ZipFile();
  zip.addBuffer(Buffer.from(SAMPLE_APPSPEC), 'appspec.yml');
  for (const [name, content] of Object.entries(extra)) {
    zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), name);
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}
