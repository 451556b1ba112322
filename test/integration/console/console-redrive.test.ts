/**
 * The console in a real headless Chromium (Debian's, never downloaded) against a relay on the local stack
 * with one target failing (AccessDenied injected in the local S3): that target's Map iteration shows Copy
 * failed and its error, Redrive after lifting the fault ends in SUCCEEDED with only that target run
 * again, and the page is driven by the keyboard alone.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleServer } from '../../../console/server/server.ts';
import { type Relay, startWorkflowHarness, type WorkflowHarness } from '../workflow/harness.ts';
import { HAS_CHROMIUM, launchChromium, serveConsole } from './support.ts';

const SOURCE_REGION = 'us-west-2';

/** Presses Tab until the focused element matches `selector` (or gives up after `limit` presses). */
async function tabTo(page: Page, selector: string, limit = 60): Promise<boolean> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if ((await page.locator(`${selector}:focus-within`).count()) > 0) return true;
  }
  return false;
}

describe.runIf(HAS_CHROMIUM)('the relay console with a failing target (Chromium, local stack)', () => {
  let h: WorkflowHarness;
  let relay: Relay;
  let server: ConsoleServer;
  let browser: Browser;
  let executionArn: string;
  let virginia: string;
  let faultId: string;

  beforeAll(async () => {
    h = await startWorkflowHarness();
    const source = h.name('console-fail-src');
    const frankfurt = h.name('console-fail-eu');
    virginia = h.name('console-fail-us');
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(frankfurt, 'eu-central-1');
    await h.bucket(virginia, 'us-east-1');
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
                { bucket: virginia, region: 'us-east-1' },
              ],
            },
          ],
        },
      ],
    });
    faultId = h.stack.faults.add({ kind: 'access-denied', bucket: virginia });
    await h.put(SOURCE_REGION, { Bucket: source, Key: 'builds/web-9.zip', Body: 'build 9' });
    const [arn] = await relay.triggered();
    const failed = await relay.wait(arn ?? 'none');
    if (failed.status !== 'FAILED') throw new Error(`the execution should fail, it ${failed.status}`);
    executionArn = failed.arn;
    server = await serveConsole(h, relay);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    h?.stack.faults.clear();
    await h?.dispose();
  });

  const detailUrl = (): string => `${server.url}#/executions/${encodeURIComponent(executionArn)}`;

  it("draws the failing target's Copy failed in its Map iteration and shows its error in the results table", async () => {
    // Arrange
    const page = await browser.newPage();
    await page.goto(detailUrl());
    await page.locator('tr[data-target="2"]').waitFor();
    await page.locator('[data-state="Copy"]').waitFor();

    // Act
    const everyTarget = await page.locator('[data-state="Copy"]').getAttribute('data-run');
    const failedRow = (await page.locator('tr[data-target="2"]').textContent()) ?? '';
    await page.getByRole('button', { name: /Show the path of target 2/ }).click();
    await page.locator('svg[data-target="2"]').waitFor();
    const secondCopy = await page.locator('[data-state="Copy"]').getAttribute('data-run');
    const path = await page.locator('.target-path li').allInnerTexts();
    await page.getByRole('button', { name: /Show the path of target 1/ }).click();
    await page.locator('svg[data-target="1"]').waitFor();
    const firstCopy = await page.locator('[data-state="Copy"]').getAttribute('data-run');
    const firstRetry = await page.locator('[data-state="Copy (retry)"]').getAttribute('data-run');
    await page.close();

    // Assert
    expect(everyTarget).toBe('failed');
    expect(failedRow).toContain('us-east-1');
    expect(failedRow).toContain('failed');
    expect(failedRow).toContain('AccessDenied');
    expect(secondCopy).toBe('failed');
    expect(path.find((step) => step.startsWith('Copy '))).toContain('AccessDenied');
    expect(path.some((step) => step.startsWith('Copy (retry)') && step.includes('failed'))).toBe(true);
    expect(firstCopy).toBe('succeeded');
    expect(firstRetry).toBe('not-run');
  });

  it('opens an execution and redrives it with the keyboard alone: SUCCEEDED on the page, only the failed target ran again', async () => {
    // Arrange
    const page = await browser.newPage();
    const copiesBefore = await relay.taskCalls(executionArn, 'copy-object');
    h.stack.faults.remove(faultId);
    await page.goto(server.url);
    const name = executionArn.split(':').at(-1) ?? '';
    await page.locator(`tr[data-execution="${name}"]`).waitFor();

    // Act: Tab to the row, Enter opens it
    const reachedRow = await tabTo(page, `tr[data-execution="${name}"]`);
    await page.keyboard.press('Enter');
    await page.locator('tr[data-target="2"]').waitFor();
    // Act: Tab to Redrive, Enter asks, Enter confirms
    const reachedRedrive = await tabTo(page, 'button[aria-label^="Redrive this execution"]');
    const redriveLabel = await page.locator(':focus').getAttribute('aria-label');
    await page.keyboard.press('Enter');
    const confirmFocused = await page.locator(':focus').textContent();
    await page.keyboard.press('Enter');
    await page.locator('#execution-heading .badge', { hasText: 'SUCCEEDED' }).waitFor();
    const rows = await page.locator('table[aria-label="Per-target results"] tbody tr').allInnerTexts();
    await page.close();
    const copiesAfter = await relay.taskCalls(executionArn, 'copy-object');
    const history = await relay.history(executionArn);
    const redriven = history.filter((e) => e.type === 'ExecutionRedriven');
    const copiedAgain = history
      .filter((e) => e.id !== undefined && e.id > (redriven[0]?.id ?? Number.POSITIVE_INFINITY))
      .filter((e) => e.type === 'MapIterationStarted')
      .map((e) => e.mapIterationStartedEventDetails?.index);

    // Assert
    expect(reachedRow).toBe(true);
    expect(reachedRedrive).toBe(true);
    expect(redriveLabel).toContain('Redrive');
    expect(confirmFocused).toBe('Redrive now');
    expect(rows.every((row) => row.includes('copied'))).toBe(true);
    expect(redriven).toHaveLength(1);
    expect(copiesAfter).toBe(copiesBefore + 1);
    expect(copiedAgain).toEqual([1]);
  });
});
