/**
 * A rollback from the Replicas view in a real headless Chromium (Debian's, never downloaded) against a
 * relay on the local stack whose target does not deploy: the group runs build 2 (deployed from the
 * console); the newer replica is withdrawn (its version deleted), so build 1's replica is the one in
 * sync. Deploying it refuses — newest wins — until the operator confirms a second time that it is a
 * rollback; then it deploys, and the group's ledger records it as a rollback from build 2. The question
 * is answered with the keyboard (it takes the focus; Cancel gives it back to Deploy…), its controls labelled.
 */
import { DeleteObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleServer } from '../../../console/server/server.ts';
import { replicasHref } from '../../../console/ui/routes.ts';
import { ledgerKey, ledgerRecordSchema } from '../../../core/deployment-ledger.ts';
import { zipWithAppspec } from '../../helpers/bundles.ts';
import { startWorkflowHarness, type WorkflowHarness } from '../workflow/harness.ts';
import { unnamedControls } from './accessibility.ts';
import { HAS_CHROMIUM, launchChromium, serveConsole } from './support.ts';

const SOURCE_REGION = 'us-west-2';
const TARGET_REGION = 'ap-northeast-2';
const KEY = 'builds/web.zip';
const APP = 'console-rb';
const GROUP = 'console-rb-prod';

describe.runIf(HAS_CHROMIUM)(
  'a rollback from the Replicas view of the relay console (Chromium, local stack)',
  () => {
    let h: WorkflowHarness;
    let server: ConsoleServer;
    let browser: Browser;
    let source: string;
    let seoul: string;
    let build1: { source: string; replica: string };
    let build2: { source: string; replica: string };
    let build2Deployment: string;

    /** Uploads a build of KEY and waits until the relay copied it: the source and replica version ids. */
    async function relayBuild(page: string): Promise<{ source: string; replica: string }> {
      const put = await h.put(SOURCE_REGION, {
        Bucket: source,
        Key: KEY,
        Body: await zipWithAppspec({ 'index.html': page }),
      });
      await relaySettled();
      const [replica] = await h.versions(TARGET_REGION, seoul, KEY);
      return { source: put.VersionId ?? '', replica: replica?.VersionId ?? '' };
    }
    let relaySettled: () => Promise<unknown>;

    /** Opens the Replicas view of one source version and its Deploy… form, filled in for the group. */
    async function openDeployForm(page: Page, versionId: string): Promise<void> {
      await page.goto(`${server.url}${replicasHref({ bucket: source, key: KEY, versionId })}`);
      await page.locator('tr[data-status="in-sync"]').waitFor();
      await page.getByRole('button', { name: `Deploy s3://${seoul}/${KEY}`, exact: false }).click();
      await page.getByLabel('Application').fill(APP);
      await page.getByLabel('Deployment group').fill(GROUP);
    }

    const ended = (page: Page) =>
      page.locator('[data-deployment-status="Succeeded"], [data-deployment-status="Failed"]');

    beforeAll(async () => {
      h = await startWorkflowHarness();
      source = h.name('console-rb-src');
      seoul = h.name('console-rb-ap');
      await h.bucket(source, SOURCE_REGION);
      await h.bucket(seoul, TARGET_REGION);
      await h.deploymentGroup(TARGET_REGION, APP, GROUP);
      const relay = await h.deploy({
        sources: [
          {
            bucket: source,
            region: SOURCE_REGION,
            rules: [
              { name: 'builds', prefix: 'builds/', targets: [{ bucket: seoul, region: TARGET_REGION }] },
            ],
          },
        ],
      });
      relaySettled = () => relay.settle();
      build1 = await relayBuild('build 1');
      build2 = await relayBuild('build 2');
      server = await serveConsole(h, relay);
      browser = await launchChromium();
      // The group runs build 2, deployed on demand from the console.
      const page = await browser.newPage();
      await openDeployForm(page, build2.source);
      await page.getByRole('button', { name: 'Deploy now' }).click();
      await ended(page).waitFor({ timeout: 90_000 });
      build2Deployment = (await ended(page).getAttribute('data-deployment')) ?? '';
      await page.close();
      // Build 2's replica is withdrawn: build 1's is the target's current object again, in sync with build 1.
      await h
        .s3(TARGET_REGION)
        .send(new DeleteObjectCommand({ Bucket: seoul, Key: KEY, VersionId: build2.replica }));
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await h?.dispose();
    });

    it('refuses to deploy the older build without the second confirmation, and Cancel (keyboard) deploys nothing', async () => {
      // Arrange
      const page = await browser.newPage();
      await openDeployForm(page, build1.source);

      // Act
      await page.getByRole('button', { name: 'Deploy now' }).click();
      const question = page.getByRole('group', { name: 'This is a rollback' });
      await question.waitFor();
      const explained = (await question.textContent()) ?? '';
      const focused = await page.locator(':focus').textContent();
      const unnamed = await unnamedControls(question);
      const whileAsking = await h.deployments(TARGET_REGION, APP, GROUP);
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await question.waitFor({ state: 'detached' });
      const focusAfterCancel = await page.locator(':focus').getAttribute('aria-label');
      const afterCancel = await h.deployments(TARGET_REGION, APP, GROUP);
      const offeredAgain = await page
        .getByRole('button', { name: `Deploy s3://${seoul}/${KEY}`, exact: false })
        .count();
      await page.close();

      // Assert
      expect(explained).toContain('Not deployed');
      expect(explained).toContain('rolls the group back');
      expect(focused).toBe('Roll back to this build');
      expect(unnamed).toEqual([]);
      expect(focusAfterCancel).toContain(`Deploy s3://${seoul}/${KEY}`);
      expect(whileAsking.map((d) => d.deploymentId)).toEqual([build2Deployment]);
      expect(afterCancel.map((d) => d.deploymentId)).toEqual([build2Deployment]);
      expect(offeredAgain).toBe(1);
    });

    it('deploys the older build once the rollback is confirmed (Enter), and records it as a rollback from the newer build', async () => {
      // Arrange
      const page = await browser.newPage();
      await openDeployForm(page, build1.source);
      await page.getByRole('button', { name: 'Deploy now' }).click();
      await page.getByRole('group', { name: 'This is a rollback' }).waitFor();

      // Act
      await page.getByRole('button', { name: 'Roll back to this build' }).click();
      await ended(page).waitFor({ timeout: 90_000 });
      const deploymentId = (await ended(page).getAttribute('data-deployment')) ?? '';
      const text = (await ended(page).textContent()) ?? '';
      await page.close();
      const deployments = await h.deployments(TARGET_REGION, APP, GROUP);
      const ledger = await h
        .s3(TARGET_REGION)
        .send(new GetObjectCommand({ Bucket: seoul, Key: ledgerKey(APP, GROUP) }));
      const record = ledgerRecordSchema.parse(JSON.parse((await ledger.Body?.transformToString()) ?? 'null'));

      // Assert
      expect(text).toContain('Rolling back');
      expect(text).toContain('Succeeded');
      expect(deploymentId).toMatch(/^d-/);
      expect(deploymentId).not.toBe(build2Deployment);
      const rolledBack = deployments.find((d) => d.deploymentId === deploymentId);
      expect(rolledBack?.revision?.s3Location).toMatchObject({
        bucket: seoul,
        key: KEY,
        version: build1.replica,
      });
      expect(deployments).toHaveLength(2);
      expect(record).toMatchObject({
        deploymentId,
        build: { revision: { versionId: build1.replica } },
        rolledBackFrom: { bucket: source, key: KEY, versionId: build2.source },
      });
    });
  },
);
