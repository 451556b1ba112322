/**
 * Backfills in the console against a real backfill on the local stack (in-process): the relay deployed by the
 * workflow harness, its backfill beside it (local/backfill.ts, as `relay local` deploys it), three builds
 * already in the source bucket, one of which the target refuses (AccessDenied injected on its copy).
 *
 * - In Chromium: the Backfills list shows the work list's counts and the items done / failed; the backfill's
 *   page shows its map run (status, MaxConcurrency, tolerated share, counts, progress), the failed item, and
 *   the child executions, one linking to the relay execution it started, which opens in the execution page.
 * - Through the API: a backfill that failed past its tolerated share shows its failed item from the FAILED
 *   file its map run wrote (found beside the manifest, since a failed backfill has no output), and the
 *   console's Redrive — a POST with the page's token — redrives its map run, which relays that item only.
 */
import { ListExecutionsCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackfillDetailView, BackfillPage, RedriveAnswer } from '../../../console/api-types.ts';
import { TOKEN_HEADER } from '../../../console/api-types.ts';
import type { ConsoleServer } from '../../../console/server/server.ts';
import { type DeployedBackfill, deployBackfill } from '../../../local/backfill.ts';
import { type Relay, startWorkflowHarness, type WorkflowHarness } from '../workflow/harness.ts';
import { unnamedControls } from './accessibility.ts';
import { HAS_CHROMIUM, launchChromium, serveConsole } from './support.ts';

const REGION = 'us-west-2';
const KEYS = ['builds/app-1.zip', 'builds/app-2.zip', 'builds/broken-3.zip'] as const;
const BROKEN = 'builds/broken-3.zip';

describe.runIf(HAS_CHROMIUM)('backfills in the relay console (local stack)', () => {
  let h: WorkflowHarness;
  let relay: Relay;
  let backfill: DeployedBackfill;
  let server: ConsoleServer;
  let browser: Browser;
  let source: string;
  let faultId: string;
  /** Tolerates one failure in three: SUCCEEDED, with a FAILED file. */
  let tolerantArn: string;

  async function runBackfill(name: string, input: Record<string, unknown>): Promise<string> {
    const started = await h.sfn(REGION).send(
      new StartExecutionCommand({
        stateMachineArn: backfill.stateMachineArn,
        name,
        input: JSON.stringify({ source: { bucket: source, prefix: 'builds/' }, ...input }),
      }),
    );
    const arn = started.executionArn ?? '';
    await h.stack.stepFunctions.waitForExecution(arn);
    return arn;
  }

  async function api<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
    const response = await fetch(new URL(path, server.url), init);
    return { status: response.status, body: (await response.json()) as T };
  }

  beforeAll(async () => {
    h = await startWorkflowHarness();
    source = h.name('bf-console-src');
    const frankfurt = h.name('bf-console-eu');
    const results = h.name('bf-console-results');
    await h.bucket(source, REGION);
    await h.bucket(frankfurt, 'eu-central-1');
    await h.bucket(results, REGION, { versioned: false });
    // The builds were there before the relay: no event relays them, the backfill does.
    for (const key of KEYS) await h.put(REGION, { Bucket: source, Key: key, Body: `bytes of ${key}` });
    relay = await h.deploy({
      sources: [
        {
          bucket: source,
          region: REGION,
          rules: [
            { name: 'builds', prefix: 'builds/', targets: [{ bucket: frankfurt, region: 'eu-central-1' }] },
          ],
        },
      ],
    });
    const relayName = relay.deployed.stateMachineArn.split(':').at(-1) ?? '';
    backfill = await deployBackfill(h.stack, {
      config: relay.config,
      relay: relay.deployed,
      relayName,
      resultsBucket: results,
    });
    faultId = h.stack.faults.add({
      kind: 'access-denied',
      bucket: frankfurt,
      prefix: 'builds/broken',
      operations: ['CopyObject', 'CreateMultipartUpload', 'UploadPartCopy', 'PutObject'],
    });
    tolerantArn = await runBackfill('bf-tolerant', { toleratedFailurePercentage: 50 });
    server = await serveConsole(h, relay, { backfillStateMachineArn: backfill.stateMachineArn });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    h?.stack.faults.clear();
    await h?.dispose();
  });

  it('lists the backfill with its counts, and its page shows the map run, the failed item and a child linking to its relay execution', async () => {
    // Arrange
    const page = await browser.newPage();
    await page.goto(`${server.url}#/backfills`);
    const row = page.locator('tr[data-backfill="bf-tolerant"]');
    await row.waitFor();
    const listed = (await row.textContent()) ?? '';

    // Act
    await row.getByRole('link').click();
    await page.locator('[data-map-run]').waitFor();
    await page.locator('tr[data-child]').nth(2).waitFor();
    const workList = (await page.locator('[data-work-list]').textContent()) ?? '';
    const mapRun = (await page.locator('[data-map-run]').textContent()) ?? '';
    const progress = await page
      .getByRole('progressbar', { name: 'Items done' })
      .getAttribute('aria-valuenow');
    const itemCounts = await page.locator('tr[data-counts="items"] td').allInnerTexts();
    const failedFrom = await page.locator('[data-failed-from]').getAttribute('data-failed-from');
    const failedRow = (await page.locator(`tr[data-failed-item="${BROKEN}"]`).textContent()) ?? '';
    const children = await page.locator('table[aria-label="Child executions"] tbody tr').allInnerTexts();
    const unnamed = await unnamedControls(page.locator('main'));
    const succeeded = page.locator('tr[data-child]', { hasText: 'builds/app-1.zip' });
    const relayArn = await succeeded.locator('a[data-relay-execution]').getAttribute('data-relay-execution');
    await succeeded.locator('a[data-relay-execution]').click();
    await page.locator('tr[data-target="1"]').waitFor();
    const heading = (await page.getByRole('heading', { level: 1 }).textContent()) ?? '';
    const target = (await page.locator('tr[data-target="1"]').textContent()) ?? '';
    await page.goto(`${server.url}#/executions/${encodeURIComponent(tolerantArn)}`);
    await page.getByRole('link', { name: 'its map run, child executions and failed items' }).click();
    const back = await page.locator('[data-map-run]').getAttribute('data-map-run');
    await page.close();

    // Assert: the list row
    expect(listed).toContain('SUCCEEDED');
    expect(listed).toContain('3 listed');
    expect(listed).toContain('3 queued');
    expect(listed).toContain('3/3 done');
    expect(listed).toContain('1 failed');
    // Assert: the work list and the map run
    expect(workList).toMatch(/Listed\s*3/);
    expect(workList).toMatch(/In sync\s*0/);
    expect(workList).toMatch(/Queued\s*3/);
    expect(mapRun).toContain('SUCCEEDED');
    expect(mapRun).toMatch(/Max concurrency\s*40/);
    expect(mapRun).toMatch(/Tolerated failures\s*50%/);
    expect(mapRun).toMatch(/\/manifest\.json \(written\)/);
    expect(progress).toBe('3');
    // pending, running, succeeded, failed, timed out, aborted, total
    expect(itemCounts).toEqual(['0', '0', '2', '1', '0', '0', '3']);
    // Assert: the failed item, from the FAILED file, with the relay's own error
    expect(failedFrom).toBe('results');
    expect(failedRow).toContain('FAILED');
    expect(failedRow).toContain('AccessDenied');
    // Assert: three children; a succeeded one opens the relay execution it started
    expect(children).toHaveLength(3);
    expect(unnamed).toEqual([]);
    expect(relayArn).toContain(`:execution:${relay.deployed.stateMachineArn.split(':').at(-1)}:`);
    expect(heading).toContain(relayArn?.split(':').at(-1) ?? 'the relay execution');
    expect(heading).toContain('SUCCEEDED');
    expect(target).toContain('copied');
    // Assert: the backfill's own execution page leads back to its map run
    expect(back).toBeTruthy();
  });

  it('shows a backfill failed past its tolerated share with its failed item, and redrives it from the console to SUCCEEDED', async () => {
    // Arrange: the two good builds are in sync now; the broken one fails again, and nothing is tolerated
    const failedArn = await runBackfill('bf-strict', { toleratedFailurePercentage: 0 });
    const path = `/api/backfills/${encodeURIComponent(failedArn)}`;

    // Act
    const list = await api<BackfillPage>('/api/backfills');
    const before = await api<BackfillDetailView>(path);
    const tokenless = await api<{ error: string }>(
      `/api/executions/${encodeURIComponent(failedArn)}/redrive`,
      {
        method: 'POST',
      },
    );
    h.stack.faults.remove(faultId);
    const redriven = await api<RedriveAnswer>(`/api/executions/${encodeURIComponent(failedArn)}/redrive`, {
      method: 'POST',
      headers: { [TOKEN_HEADER]: server.token },
    });
    await h.stack.stepFunctions.waitForExecution(failedArn);
    const after = await api<BackfillDetailView>(path);
    const relayed = await h
      .sfn(REGION)
      .send(new ListExecutionsCommand({ stateMachineArn: relay.deployed.stateMachineArn, maxResults: 100 }));

    // Assert: both backfills listed, newest first
    expect(list.status).toBe(200);
    expect(list.body.backfills.map((b) => b.name)).toEqual(['bf-strict', 'bf-tolerant']);
    expect(list.body.backfills[0]?.workList).toMatchObject({ listed: 3, inSync: 2, queued: 1 });
    // Assert: the failed backfill, its map run and the failed item read from the FAILED file
    expect(before.status).toBe(200);
    expect(before.body.summary.status).toBe('FAILED');
    expect(before.body.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(before.body.notRedrivable).toBeNull();
    const [run] = before.body.mapRuns;
    expect(run).toMatchObject({ status: 'FAILED', toleratedFailurePercentage: 0 });
    expect(run?.items).toMatchObject({ total: 1, failed: 1, succeeded: 0 });
    expect(run?.results).toMatchObject({ bucket: expect.any(String), written: true });
    expect(run?.results?.manifestKey).toBe(`backfills/${run?.mapRunArn.split(':').at(-1)}/manifest.json`);
    expect(before.body.failed.from).toBe('results');
    expect(before.body.failed.total).toBe(1);
    expect(before.body.failed.items[0]).toMatchObject({
      status: 'FAILED',
      object: { bucket: source, key: BROKEN },
      relayStatus: 'FAILED',
    });
    expect(before.body.failed.items[0]?.message).toContain('AccessDenied');
    expect(before.body.failed.items[0]?.relayExecutionArn).toContain(':execution:');
    // Assert: Redrive needs the token; with it the map run relays the failed item, and the backfill succeeds
    expect(tokenless.status).toBe(403);
    expect(redriven.body.action).toBe('redriven');
    expect(after.body.summary.status).toBe('SUCCEEDED');
    expect(after.body.redriveCount).toBe(1);
    expect(after.body.mapRuns[0]).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(after.body.mapRuns[0]?.items).toMatchObject({ total: 1, succeeded: 1, failed: 0 });
    expect(after.body.failed).toMatchObject({ from: 'results', total: 0, items: [] });
    expect(after.body.notRedrivable).toBe('not failed (it is SUCCEEDED)');
    // Assert: one relay execution per backfilled item and one for the redriven item — none for the in-sync builds
    expect(relayed.executions?.length).toBe(KEYS.length + 2);
  });
});
