/**
 * `npm run screenshots`: regenerates the README's pictures of the console. It runs the demo relay on a
 * fresh local stack, serves the console beside it, opens the console in headless Chromium (the system's
 * own, never downloaded: CHROMIUM names another binary) and writes PNGs of the executions list, an
 * execution's page, one target's path, the Replicas view of the relayed object (with Deploy… open on a
 * replica) and the Deployments view to docs/screenshots/.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { type DemoRun, runDemo } from '../cli/demo/run.ts';
import { startLocalConsole } from './server/local-console.ts';

const OUT_DIR = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const CONFIG = fileURLToPath(new URL('../examples/relay.config.json', import.meta.url));
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Raised when the demo the pictures show did not succeed. */
export class ScreenshotRunError extends Error {
  override readonly name = 'ScreenshotRunError';
}

async function shoot(page: Page, file: string): Promise<void> {
  await page.screenshot({ path: join(OUT_DIR, file), fullPage: true });
  process.stdout.write(`wrote docs/screenshots/${file}\n`);
}

async function photograph(demo: DemoRun): Promise<void> {
  const server = await startLocalConsole({
    endpoint: demo.endpoint,
    stateMachineArn: demo.stateMachineArn,
    port: 0,
    configPath: CONFIG,
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const name = demo.executionArn.split(':').at(-1) ?? '';
    await page.goto(server.url);
    await page.locator(`tr[data-execution="${name}"]`).waitFor();
    await shoot(page, 'console-executions.png');

    await page.goto(`${server.url}#/executions/${encodeURIComponent(demo.executionArn)}`);
    await page.locator('tr[data-target="1"]').waitFor();
    await page.locator('[data-state="Copy"]').waitFor();
    // As wide as the state graph, so the picture shows all of it.
    const graphWidth = await page
      .locator('figure.graph > svg')
      .evaluate((svg) => svg.getBoundingClientRect().width);
    await page.setViewportSize({ width: Math.max(1280, Math.ceil(graphWidth) + 60), height: 720 });
    await shoot(page, 'console-execution.png');

    await page.getByRole('button', { name: /Show the path of target 1/ }).click();
    await page.locator('.target-path li').first().waitFor();
    await shoot(page, 'console-target-path.png');

    await page.setViewportSize({ width: 1280, height: 720 });
    await page.getByRole('link', { name: 'Replicas of this source object' }).click();
    await page.locator('p[role="status"]', { hasText: 'in sync' }).waitFor();
    // Deploy… opened on the first replica, as an operator about to deploy it on demand sees it.
    await page
      .getByRole('button', { name: /^Deploy s3:\/\// })
      .first()
      .click();
    await page.getByRole('group', { name: /^Deploy s3:\/\// }).waitFor();
    await shoot(page, 'console-replicas.png');

    await page.goto(`${server.url}#/deployments`);
    await page.locator('table[aria-label^="Deployments of"] tbody tr').first().waitFor();
    await shoot(page, 'console-deployments.png');
  } finally {
    await browser.close();
    await server.close();
  }
}

async function main(): Promise<void> {
  await mkdir(OUT_DIR, { recursive: true });
  const dataDir = await mkdtemp(join(tmpdir(), 'relay-screenshots-'));
  try {
    const code = await runDemo({
      configPath: CONFIG,
      dataDir,
      timeScale: 0.02,
      write: () => undefined,
      hold: photograph,
    });
    if (code !== 0) throw new ScreenshotRunError('the demo relay did not succeed: run npm start to see why');
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`screenshots: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
