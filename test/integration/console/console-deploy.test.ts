/**
 * Deploy… on the Replicas view in a real headless Chromium (Debian's, never downloaded) against a relay
 * on the local stack whose target does not deploy: the operator names an application and deployment
 * group, the console runs `relay deploy`'s logic with its own connection, shows the deployment id and
 * follows it until CodeDeploy says it ended — with the mouse, and with the keyboard alone (every
 * control of the form labelled; the same revision again is the same deployment, exactly once).
 */
import { GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleServer } from '../../../console/server/server.ts';
import { replicasHref } from '../../../console/ui/routes.ts';
import { zipWithAppspec } from '../../helpers/bundles.ts';
import { startWorkflowHarness, type WorkflowHarness } from '../workflow/harness.ts';
import { tabTo, unnamedControls } from './accessibility.ts';
import { HAS_CHROMIUM, launchChromium, serveConsole } from './support.ts';

const SOURCE_REGION = 'us-west-2';
const TARGET_REGION = 'ap-northeast-2';
const KEY = 'builds/web-7.zip';

describe.runIf(HAS_CHROMIUM)(
  'Deploy… on the Replicas view of the relay console (Chromium, local stack)',
  () => {
    let h: WorkflowHarness;
    let server: ConsoleServer;
    let browser: Browser;
    let source: string;
    let seoul: string;

    beforeAll(async () => {
      h = await startWorkflowHarness();
      source = h.name('console-od-src');
      seoul = h.name('console-od-ap');
      await h.bucket(source, SOURCE_REGION);
      await h.bucket(seoul, TARGET_REGION);
      await h.deploymentGroup(TARGET_REGION, 'console-od', 'console-od-prod');
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
      await h.put(SOURCE_REGION, {
        Bucket: source,
        Key: KEY,
        Body: await zipWithAppspec({ 'index.html': 'build 7' }),
      });
      await relay.settle();
      server = await serveConsole(h, relay);
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await h?.dispose();
    });

    it('deploys an in-sync replica to the group the operator names and follows the deployment until it ends', async () => {
      // Arrange
      const page = await browser.newPage();
      await page.goto(`${server.url}${replicasHref({ bucket: source, key: KEY })}`);
      await page.locator('tr[data-status="in-sync"]').waitFor();

      // Act
      await page.getByRole('button', { name: `Deploy s3://${seoul}/${KEY}`, exact: false }).click();
      await page.getByLabel('Application').fill('console-od');
      await page.getByLabel('Deployment group').fill('console-od-prod');
      await page.getByRole('button', { name: 'Deploy now' }).click();
      const ended = page.locator('[data-deployment-status="Succeeded"], [data-deployment-status="Failed"]');
      await ended.waitFor({ timeout: 90_000 });
      const deploymentId = (await ended.getAttribute('data-deployment')) ?? '';
      const text = (await ended.textContent()) ?? '';
      await page.close();

      // Assert
      expect(deploymentId).toMatch(/^d-/);
      expect(text).toContain(deploymentId);
      expect(text).toContain(`console-od/console-od-prod in ${TARGET_REGION}`);
      expect(text).toContain('Succeeded');
      const info = await h.codeDeploy(TARGET_REGION).send(new GetDeploymentCommand({ deploymentId }));
      expect(info.deploymentInfo?.status).toBe('Succeeded');
      expect(info.deploymentInfo?.revision?.s3Location).toMatchObject({
        bucket: seoul,
        key: KEY,
        bundleType: 'zip',
      });
    });

    it('deploys with the keyboard alone, every control of the Deploy… form labelled, the same revision once', async () => {
      // Arrange
      const page = await browser.newPage();
      await page.goto(`${server.url}${replicasHref({ bucket: source, key: KEY })}`);
      await page.locator('tr[data-status="in-sync"]').waitFor();

      // Act: Tab to Deploy…, Enter opens the form with the focus in its first field
      const reached = await tabTo(page, `button[aria-label^="Deploy s3://${seoul}/${KEY}"]`);
      await page.keyboard.press('Enter');
      const form = page.getByRole('group', { name: /^Deploy s3:\/\// });
      await form.waitFor();
      const unnamed = await unnamedControls(page.locator('main'));
      const firstField = await page.locator(':focus').getAttribute('id');
      await page.keyboard.type('console-od');
      await page.keyboard.press('Tab');
      await page.keyboard.type('console-od-prod');
      await page.keyboard.press('Enter');
      const ended = page.locator('[data-deployment-status="Succeeded"], [data-deployment-status="Failed"]');
      await ended.waitFor({ timeout: 90_000 });
      const status = await ended.getAttribute('data-deployment-status');
      await page.close();
      const deployments = await h.deployments(TARGET_REGION, 'console-od', 'console-od-prod');

      // Assert
      expect(reached).toBe(true);
      expect(unnamed).toEqual([]);
      expect(firstField).toMatch(/^deploy-app-/);
      expect(status).toBe('Succeeded');
      expect(deployments).toHaveLength(1);
    });
  },
);
