/**
 * The console in a real headless Chromium (Debian's, never downloaded) against a relay on the local
 * stack: the list shows a relayed execution, its page shows every target's row and the state graph,
 * the Replicas view linked from its source says every target is IN SYNC (as `relay status` would), and
 * a cross-origin POST without the token is refused.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleServer } from '../../../console/server/server.ts';
import { type Relay, startWorkflowHarness, type WorkflowHarness } from '../workflow/harness.ts';
import { HAS_CHROMIUM, launchChromium, serveConsole } from './support.ts';

const SOURCE_REGION = 'us-west-2';

describe.runIf(HAS_CHROMIUM)('the relay console in Chromium (local stack)', () => {
  let h: WorkflowHarness;
  let relay: Relay;
  let server: ConsoleServer;
  let browser: Browser;
  let executionName: string;

  beforeAll(async () => {
    h = await startWorkflowHarness();
    const source = h.name('console-src');
    const frankfurt = h.name('console-eu');
    const seoul = h.name('console-ap');
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(frankfurt, 'eu-central-1');
    await h.bucket(seoul, 'ap-northeast-2');
    relay = await h.deploy({
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          rules: [
            {
              name: 'builds',
              prefix: 'builds/',
              targets: [
                { bucket: frankfurt, region: 'eu-central-1' },
                { bucket: seoul, region: 'ap-northeast-2', keyPrefix: 'releases/' },
              ],
            },
          ],
        },
      ],
    });
    await h.put(SOURCE_REGION, { Bucket: source, Key: 'builds/web-7.zip', Body: 'build 7' });
    const [execution] = await relay.settle();
    executionName = execution?.arn.split(':').at(-1) ?? '';
    server = await serveConsole(h, relay);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.dispose();
  });

  it('lists the execution, and its page shows every target and the state graph', async () => {
    // Arrange
    const page = await browser.newPage();

    // Act
    await page.goto(server.url);
    const row = page.locator(`tr[data-execution="${executionName}"]`);
    await row.waitFor();
    const listed = await row.textContent();
    await row.getByRole('link').click();
    await page.locator('tr[data-target="2"]').waitFor();
    await page.locator('[data-state="Copy"]').waitFor();
    const targets = await page.locator('table[aria-label="Per-target results"] tbody tr').allInnerTexts();
    const copyRun = await page.locator('[data-state="Copy"]').getAttribute('data-run');
    const retried = await page.locator('[data-state="RetryFailedTargets"]').getAttribute('data-run');
    const retryCopy = await page.locator('[data-state="Copy (retry)"]').getAttribute('data-run');
    const nothing = await page.locator('[data-state="NothingToRelay"]').getAttribute('data-run');
    await page.close();

    // Assert
    expect(listed).toContain('SUCCEEDED');
    expect(listed).toContain('builds/web-7.zip');
    expect(listed).toContain('2 ok');
    expect(targets).toHaveLength(2);
    expect(targets[0]).toContain('eu-central-1');
    expect(targets[1]).toContain('ap-northeast-2');
    expect(targets[1]).toContain('releases/web-7.zip');
    expect(targets.every((t) => t.includes('copied'))).toBe(true);
    expect(copyRun).toBe('succeeded');
    // The second pass is entered and iterates nothing when no target failed.
    expect(retried).toBe('succeeded');
    expect(retryCopy).toBe('not-run');
    expect(nothing).toBe('not-run');
  });

  it("shows every target's replica IN SYNC, with its version and encryption, from the execution's source", async () => {
    // Arrange
    const page = await browser.newPage();
    const arn = `arn:aws:states:${SOURCE_REGION}:${h.stack.accountId}:execution:${relay.deployed.stateMachineArn.split(':').at(-1)}:${executionName}`;
    await page.goto(`${server.url}#/executions/${encodeURIComponent(arn)}`);
    await page.locator('tr[data-target="2"]').waitFor();

    // Act
    await page.getByRole('link', { name: 'Replicas of this source object' }).click();
    await page.locator('p[role="status"]', { hasText: 'targets in sync' }).waitFor();
    const rows = await page.locator('table[aria-label="Replicas"] tbody tr').allTextContents();
    const statuses = await page
      .locator('table[aria-label="Replicas"] tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')));
    const versions = await page
      .locator('table[aria-label="Replicas"] tbody tr td:nth-child(4)')
      .allTextContents();
    const verdict = await page.locator('p[role="status"]').textContent();
    const heading = await page.getByRole('heading', { level: 1 }).textContent();
    await page.close();

    // Assert
    expect(heading).toBe('Replicas');
    expect(rows).toHaveLength(2);
    expect(statuses).toEqual(['in-sync', 'in-sync']);
    expect(rows.every((row) => row.includes('IN SYNC'))).toBe(true);
    expect(rows[0]).toContain('eu-central-1');
    expect(rows[1]).toContain('releases/web-7.zip');
    expect(rows.every((row) => row.includes('SSE-S3'))).toBe(true);
    expect(versions.every((version) => version.length > 0)).toBe(true);
    expect(verdict).toBe('All 2 targets in sync.');
  });

  it('refuses a cross-origin POST that carries no token with 403', async () => {
    // Arrange
    const page = await browser.newPage();
    await page.goto('about:blank');
    const arn = `arn:aws:states:${SOURCE_REGION}:${h.stack.accountId}:execution:${relay.deployed.stateMachineArn.split(':').at(-1)}:${executionName}`;
    const target = `${server.url}api/executions/${encodeURIComponent(arn)}/redrive`;

    // Act
    const status = await page.evaluate(async (url) => {
      const response = await fetch(url, { method: 'POST', mode: 'no-cors', body: '{}' }).catch(
        () => undefined,
      );
      return response?.status ?? -1;
    }, target);
    const direct = await fetch(target, { method: 'POST', headers: { origin: 'http://evil.example' } });
    await page.close();

    // Assert
    expect(status).not.toBe(200);
    expect(direct.status).toBe(403);
    expect(((await direct.json()) as { error: string }).error).toBe('CrossOriginRequest');
  });
});
