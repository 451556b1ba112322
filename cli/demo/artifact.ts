/** A freshly generated build artifact: a real zip with an `appspec.yml`, as CodeBuild would produce. */
import { randomBytes } from 'node:crypto';
import { ZipFile } from 'yazl';

export interface BuildArtifact {
  readonly buildId: string;
  readonly bytes: Buffer;
}

const APPSPEC = `version: 0.0
os: linux
files:
  - source: /site
    destination: /var/www/web
hooks:
  ApplicationStart:
    - location: scripts/start.sh
      timeout: 60
`;

/** Builds `web-<buildId>.zip` content: appspec.yml, a start script and a small site. */
export function buildArtifact(now = new Date()): Promise<BuildArtifact> {
  const buildId = `${now.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
  const zip = new ZipFile();
  zip.addBuffer(Buffer.from(APPSPEC), 'appspec.yml');
  zip.addBuffer(Buffer.from('#!/bin/sh\nsystemctl reload nginx\n'), 'scripts/start.sh', { mode: 0o100755 });
  zip.addBuffer(Buffer.from(`<!doctype html><title>web</title><p>build ${buildId}</p>\n`), 'site/index.html');
  // Some incompressible payload so the artifact is not trivially small.
  zip.addBuffer(randomBytes(256 * 1024), 'site/assets/bundle.bin', { compress: false });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve({ buildId, bytes: Buffer.concat(chunks) }));
    zip.outputStream.on('error', reject);
  });
}
