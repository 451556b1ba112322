/**
 * Approvals of deployment waves in a real headless Chromium (Debian's, never downloaded) against relays on
 * the local stack: Seoul deploys in wave 1, Frankfurt in wave 2, which requires an approval. The execution
 * page shows the pending approval — its wave, the targets it would deploy, the deadline, who the decision
 * is recorded as — and Approve lets wave 2 deploy, while Reject (offered only once a reason is typed)
 * holds it: the execution fails with Frankfurt `held`, the reason on the page.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultApprover } from '../../../cli/actions/approve.ts';
import { fetchHistory } from '../../../cli/executions/history.ts';
import type { ConsoleServer } from '../../../console/server/server.ts';
import { approvalsOf } from '../../../core/approvals.ts';
import { zipWithAppspec } from '../../helpers/bundles.ts';
import { type Relay, startWorkflowHarness, type WorkflowHarness } from '../workflow/harness.ts';
import { unnamedControls } from './accessibility.ts';
import { HAS_CHROMIUM, launchChromium, serveConsole } from './support.ts';

const SOURCE_REGION = 'us-west-2';
const KEY = 'build_artifacts/web.zip';

describe.runIf(HAS_CHROMIUM)(
  'approving and rejecting a deployment wave in the console (Chromium, local stack)',
  () => {
    let h: WorkflowHarness;
    let browser: Browser;
    const servers: ConsoleServer[] = [];

    beforeAll(async () => {
      h = await startWorkflowHarness();
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      for (const server of servers) await server.close();
      await h?.dispose();
    });

    /**
     * A relay whose wave 2 (Frankfurt) requires an approval, its execution for a fresh build waiting for it,
     * and a console beside it; the names carry `prefix`.
     */
    async function waitingForApproval(
      prefix: string,
    ): Promise<{ relay: Relay; arn: string; server: ConsoleServer; frankfurt: string }> {
      const source = h.name(`${prefix}-src`);
      const seoul = h.name(`${prefix}-seoul`);
      const frankfurt = h.name(`${prefix}-fra`);
      await h.bucket(source, SOURCE_REGION);
      await h.bucket(seoul, 'ap-northeast-2');
      await h.bucket(frankfurt, 'eu-central-1');
      await h.deploymentGroup('ap-northeast-2', prefix, 'prod');
      await h.deploymentGroup('eu-central-1', prefix, 'prod');
      const deploy = (wave: number) => ({
        application: prefix,
        deploymentGroup: 'prod',
        bundleType: 'zip' as const,
        wave,
      });
      const relay = await h.deploy({
        sources: [
          {
            bucket: source,
            region: SOURCE_REGION,
            rules: [
              {
                name: 'all',
                targets: [
                  { bucket: seoul, region: 'ap-northeast-2', deploy: deploy(1) },
                  { bucket: frankfurt, region: 'eu-central-1', deploy: deploy(2) },
                ],
              },
            ],
          },
        ],
        waves: { '2': { approval: { timeoutSeconds: 3600 } } },
      });
      await h.put(SOURCE_REGION, { Bucket: source, Key: KEY, Body: await zipWithAppspec() });
      const [arn = 'none'] = await relay.triggered();
      const sfn = h.sfn(relay.deployed.region);
      for (let i = 0; ; i++) {
        if (approvalsOf(await fetchHistory(sfn, arn)).at(-1)?.status === 'pending') break;
        if (i > 400) throw new Error(`${arn} never asked for an approval`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const server = await serveConsole(h, relay);
      servers.push(server);
      return { relay, arn, server, frankfurt };
    }

    async function openExecution(page: Page, server: ConsoleServer, arn: string): Promise<void> {
      await page.goto(`${server.url}#/executions/${encodeURIComponent(arn)}`);
      await page.locator('#execution-heading .badge').waitFor();
    }

    it('shows the pending approval and approves it from the page: wave 2 deploys, the approval recorded with the comment', async () => {
      // Arrange
      const { relay, arn, server, frankfurt } = await waitingForApproval('ui-appr');
      const page = await browser.newPage();
      await openExecution(page, server, arn);
      const panel = page.getByRole('region', { name: 'Approval', exact: true });
      await panel.waitFor();

      // Act: read the panel, then approve with a comment
      const heading = await page.locator('#execution-heading .badge').textContent();
      const text = (await panel.textContent()) ?? '';
      const targets = await panel
        .getByRole('table', { name: 'Targets wave 2 would deploy' })
        .locator('tbody tr')
        .allInnerTexts();
      const deadline = (await panel.locator('[data-fact="deadline"]').textContent()) ?? '';
      const decidesAs = await panel.locator('[data-fact="decides-as"]').textContent();
      const frankfurtRow = (await page.locator('tr[data-target="2"]').textContent()) ?? '';
      const graphWhileWaiting = await page.locator('[data-state="Approve wave 2"]').getAttribute('data-run');
      const unnamed = await unnamedControls(panel);
      const rejectOffered = await panel.getByRole('button', { name: 'Reject wave 2' }).isEnabled();
      await panel.getByLabel('Comment (optional)').fill('canary looks good');
      await panel.getByRole('button', { name: 'Approve wave 2' }).click();
      await page.locator('#execution-heading .badge', { hasText: 'SUCCEEDED' }).waitFor({ timeout: 90_000 });
      const said = await page.getByRole('status').filter({ hasText: 'Wave 2 approved' }).textContent();
      const panelsLeft = await page.getByRole('region', { name: 'Approval', exact: true }).count();
      const rows = await page.locator('table[aria-label="Per-target results"] tbody tr').allInnerTexts();
      const recorded = (
        await page.locator('table[aria-label="Approval requests"] tbody tr').allInnerTexts()
      ).join('\n');
      const graphAfter = await page.locator('[data-state="Approve wave 2"]').getAttribute('data-run');
      await page.close();

      // Assert: the panel named the wave, its target and group, the deadline and the approver
      expect(heading).toBe('RUNNING');
      expect(text).toContain('Deployment wave 2 waits for a decision');
      expect(targets).toHaveLength(1);
      expect(targets[0]).toContain('eu-central-1');
      expect(targets[0]).toContain(`s3://${frankfurt}/${KEY}`);
      expect(targets[0]).toContain('ui-appr / prod');
      expect(deadline).toMatch(/^Deadline: .+ \(in (59|60) min/);
      expect(decidesAs).toBe(defaultApprover());
      expect(frankfurtRow).toContain('awaiting-approval');
      expect(frankfurtRow).toContain('deploys in wave 2');
      expect(graphWhileWaiting).toBe('running');
      expect(unnamed).toEqual([]);
      expect(rejectOffered).toBe(false);
      // Assert: approved as the operator, wave 2 deployed once, the record on the page
      expect(said).toContain(`Wave 2 approved by ${defaultApprover()}`);
      expect(panelsLeft).toBe(0);
      expect(rows.every((row) => row.includes('Succeeded'))).toBe(true);
      expect(recorded).toContain('approved');
      expect(recorded).toContain(defaultApprover());
      expect(recorded).toContain('canary looks good');
      expect(graphAfter).toBe('succeeded');
      expect(await h.deployments('eu-central-1', 'ui-appr', 'prod')).toHaveLength(1);
      const [request] = approvalsOf(await relay.history(arn));
      expect(request).toMatchObject({
        status: 'approved',
        decision: { by: defaultApprover(), comment: 'canary looks good' },
      });
    });

    it('rejects with a reason typed first: the execution fails with wave 2 held and the reason on the page', async () => {
      // Arrange
      const { relay, arn, server } = await waitingForApproval('ui-rej');
      const page = await browser.newPage();
      await openExecution(page, server, arn);
      const panel = page.getByRole('region', { name: 'Approval', exact: true });
      await panel.waitFor();
      const reject = panel.getByRole('button', { name: 'Reject wave 2' });

      // Act
      const offeredBlank = await reject.isEnabled();
      await panel.getByLabel('Reason (required)').fill('   ');
      const offeredSpaces = await reject.isEnabled();
      await panel.getByLabel('Reason (required)').fill('error rate up in Seoul');
      const offeredWithReason = await reject.isEnabled();
      await reject.click();
      await page.locator('#execution-heading .badge', { hasText: 'FAILED' }).waitFor({ timeout: 90_000 });
      const said = await page.getByRole('status').filter({ hasText: 'Wave 2 rejected' }).textContent();
      const frankfurtRow = (await page.locator('tr[data-target="2"]').textContent()) ?? '';
      const recorded = (
        await page.locator('table[aria-label="Approval requests"] tbody tr').allInnerTexts()
      ).join('\n');
      const graph = await page.locator('[data-state="Approve wave 2"]').getAttribute('data-run');
      const error = await page.locator('.facts dd.bad').textContent();
      await page.close();
      const ended = await relay.wait(arn);
      const [request] = approvalsOf(await relay.history(arn));

      // Assert
      expect([offeredBlank, offeredSpaces, offeredWithReason]).toEqual([false, false, true]);
      expect(said).toContain(`Wave 2 rejected by ${defaultApprover()}`);
      expect(frankfurtRow).toContain('held');
      expect(frankfurtRow).toContain('error rate up in Seoul');
      expect(recorded).toContain('rejected');
      expect(recorded).toContain('error rate up in Seoul');
      expect(graph).toBe('failed');
      expect(error).toBe(
        `Relay.ApprovalRejected: wave 2: rejected by ${defaultApprover()} at ${request?.decision?.at}: error rate up in Seoul`,
      );
      expect(ended.status).toBe('FAILED');
      expect(await h.deployments('eu-central-1', 'ui-rej', 'prod')).toEqual([]);
      expect(await h.deployments('ap-northeast-2', 'ui-rej', 'prod')).toHaveLength(1);
    });
  },
);
