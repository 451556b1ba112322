/**
 * The console in a real headless Chromium (Debian's, never downloaded) against a relay on the local stack
 * with one target failing (AccessDenied injected in the local S3): that target's Map iteration shows Copy
 * failed and its error, Redrive after lifting the fault ends in SUCCEEDED with only that target run
 * again, and the page is driven by the keyboard alone.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleServer } from '../../../console/server/server.ts';
import { type Relay, startWorkflowHarness, type WorkflowHarness } from '../workflow/harness.ts';
import { tabTo, unnamedControls } from './accessibility.ts';
import { HAS_CHROMIUM, launchChromium, serveConsole } from './support.ts';

const SOURCE_REGION = 'us-west-2';

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
    const secondRetry = await page.locator('[data-state="Copy (retry)"]').getAttribute('data-run');
    const path = await page.locator('.target-path li').allInnerTexts();
    await page.getByRole('button', { name: /Show the path of target 1/ }).click();
    await page.locator('svg[data-target="1"]').waitFor();
    const firstCopy = await page.locator('[data-state="Copy"]').getAttribute('data-run');
    const firstRetry = await page.locator('[data-state="Copy (retry)"]').getAttribute('data-run');
    await page.close();

    // Assert: the first pass's Copy caught the failure into the target's result; its retry failed it
    expect(everyTarget).toBe('caught');
    expect(failedRow).toContain('us-east-1');
    expect(failedRow).toContain('failed');
    expect(failedRow).toContain('AccessDenied');
    expect(secondCopy).toBe('caught');
    expect(secondRetry).toBe('failed');
    expect(path.find((step) => step.startsWith('Copy '))).toContain('AccessDenied');
    expect(path.some((step) => step.startsWith('Copy (retry)') && step.includes('failed'))).toBe(true);
    expect(firstCopy).toBe('succeeded');
    expect(firstRetry).toBe('not-run');
  });

  it('filters the list with the keyboard alone, every control of the list labelled', async () => {
    // Arrange
    const page = await browser.newPage();
    const name = executionArn.split(':').at(-1) ?? '';
    await page.goto(server.url);
    await page.locator(`tr[data-execution="${name}"]`).waitFor();

    // Act: Tab to the status filter, type the first letter of FAILED
    const unnamed = await unnamedControls(page.locator('body'));
    const reachedStatus = await tabTo(page, '#status-filter');
    await page.keyboard.type('F');
    const status = await page.locator('#status-filter').inputValue();
    await page.locator(`tr[data-execution="${name}"]`).waitFor();
    // Act: Tab on to the key filter and type a key that matches, then one that does not
    const reachedKey = await tabTo(page, '#key-filter');
    await page.keyboard.type('web-9');
    await page.getByRole('status').filter({ hasText: 'match “web-9”' }).waitFor();
    const matching = await page.locator('table[aria-label="Executions"] tbody tr').count();
    await page.keyboard.type('.tar');
    const none = await page.getByRole('status').filter({ hasText: '“web-9.tar”' }).textContent();
    await page.close();

    // Assert
    expect(unnamed).toEqual([]);
    expect(reachedStatus).toBe(true);
    expect(status).toBe('FAILED');
    expect(reachedKey).toBe(true);
    expect(matching).toBe(1);
    expect(none).toBe('The one execution searched has no source key containing “web-9.tar”.');
  });

  it("asks and cancels the failed execution's Redrive and Relay again with the keyboard, focus back on each button, every control labelled", async () => {
    // Arrange
    const page = await browser.newPage();
    await page.goto(`${server.url}#/executions/${encodeURIComponent(executionArn)}`);
    await page.locator('tr[data-target="2"]').waitFor();
    const focusedLabel = () => page.locator(':focus').getAttribute('aria-label');

    // Act: Redrive… asks, Tab to Cancel, Enter
    const unnamedOnPage = await unnamedControls(page.locator('main'));
    await tabTo(page, 'button[aria-label^="Redrive this execution"]');
    await page.keyboard.press('Enter');
    const redriveQuestion = page.getByRole('group', { name: "Run this execution's failed targets again?" });
    const unnamedInRedrive = await unnamedControls(redriveQuestion);
    const redriveConfirm = await page.locator(':focus').textContent();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const afterRedriveCancel = await focusedLabel();
    // Act: Relay again… asks, Tab to Cancel, Enter
    await tabTo(page, 'button[aria-label^="Relay s3://"]');
    await page.keyboard.press('Enter');
    const relayQuestion = page.getByRole('group', { name: /^Relay the current version of/ });
    const unnamedInRelay = await unnamedControls(relayQuestion);
    const relayConfirm = await page.locator(':focus').textContent();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const afterRelayCancel = await focusedLabel();
    const questionsLeft = await page.locator('fieldset').count();
    await page.close();
    const history = await relay.history(executionArn);

    // Assert
    expect(unnamedOnPage).toEqual([]);
    expect(unnamedInRedrive).toEqual([]);
    expect(unnamedInRelay).toEqual([]);
    expect(redriveConfirm).toBe('Redrive now');
    expect(afterRedriveCancel).toContain('Redrive this execution');
    expect(relayConfirm).toBe('Relay now');
    expect(afterRelayCancel).toMatch(/^Relay s3:\/\/.+ again/);
    expect(questionsLeft).toBe(0);
    expect(history.some((e) => e.type === 'ExecutionRedriven')).toBe(false);
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
    const afterRedrive = history.filter(
      (e) => e.id !== undefined && e.id > (redriven[0]?.id ?? Number.POSITIVE_INFINITY),
    );
    // The second pass iterates the failed targets only: its one iteration is the second target's.
    const iterations = afterRedrive
      .filter((e) => e.type === 'MapIterationStarted')
      .map((e) => e.mapIterationStartedEventDetails?.name);
    const copiedAgain = afterRedrive
      .filter((e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === 'Copy (retry)')
      .map(
        (e) =>
          (JSON.parse(e.stateEnteredEventDetails?.input ?? '{}') as { target?: { bucket?: string } }).target
            ?.bucket,
      );

    // Assert
    expect(reachedRow).toBe(true);
    expect(reachedRedrive).toBe(true);
    expect(redriveLabel).toContain('Redrive');
    expect(confirmFocused).toBe('Redrive now');
    expect(rows.every((row) => row.includes('copied'))).toBe(true);
    expect(redriven).toHaveLength(1);
    expect(copiesAfter).toBe(copiesBefore + 1);
    expect(iterations).toEqual(['RetryFailedTargets']);
    expect(copiedAgain).toEqual([virginia]);
  });
});
