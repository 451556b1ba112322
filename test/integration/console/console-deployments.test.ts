/**
 * The Deployments view in a real headless Chromium (Debian's, never downloaded) against a relay on the
 * local stack whose target deploys with CodeDeploy: after a relay run, the view shows that region's
 * deployment group with the deployment the relay created and its revision (the replica's bucket, key
 * and version).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleServer } from '../../../console/server/server.ts';
import { zipWithAppspec } from '../../helpers/bundles.ts';
import { relayOutput, startWorkflowHarness, type WorkflowHarness } from '../workflow/harness.ts';
import { HAS_CHROMIUM, launchChromium, serveConsole } from './support.ts';

const SOURCE_REGION = 'us-west-2';
const TARGET_REGION = 'ap-northeast-2';

describe.runIf(HAS_CHROMIUM)('the Deployments view of the relay console (Chromium, local stack)', () => {
  let h: WorkflowHarness;
  let server: ConsoleServer;
  let browser: Browser;
  let seoul: string;
  let deploymentId: string;

  beforeAll(async () => {
    h = await startWorkflowHarness();
    const source = h.name('console-deploy-src');
    seoul = h.name('console-deploy-ap');
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(seoul, TARGET_REGION);
    await h.deploymentGroup(TARGET_REGION, 'console-web', 'console-prod');
    const relay = await h.deploy({
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          rules: [
            {
              name: 'builds',
              prefix: 'builds/',
              targets: [
                {
                  bucket: seoul,
                  region: TARGET_REGION,
                  deploy: {
                    application: 'console-web',
                    deploymentGroup: 'console-prod',
                    bundleType: 'zip',
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    await h.put(SOURCE_REGION, {
      Bucket: source,
      Key: 'builds/web-5.zip',
      Body: await zipWithAppspec({ 'index.html': 'build 5' }),
    });
    const [execution] = await relay.settle();
    if (execution === undefined) throw new Error('the relay started no execution');
    const result = relayOutput(execution).results[0];
    const deployment = result !== undefined && 'deployment' in result ? result.deployment : undefined;
    deploymentId = deployment !== undefined && 'id' in deployment ? deployment.id : '';
    server = await serveConsole(h, relay);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.dispose();
  });

  it('shows the deployment the relay created, with its revision and status, under its region and group', async () => {
    // Arrange
    const page = await browser.newPage();
    await page.goto(server.url);

    // Act
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Deployments' }).click();
    const row = page.locator(`tr[data-deployment="${deploymentId}"]`);
    await row.waitFor();
    const text = (await row.textContent()) ?? '';
    const region = await page.getByRole('heading', { level: 2 }).allTextContents();
    const group = await page.getByRole('heading', { level: 3 }).allTextContents();
    await page.close();

    // Assert
    expect(deploymentId).toMatch(/^d-/);
    expect(region).toEqual([TARGET_REGION]);
    expect(group).toEqual([`console-web / console-prod in ${TARGET_REGION}`]);
    expect(text).toContain(`s3://${seoul}/builds/web-5.zip`);
    expect(text).toContain('version ');
    expect(text).toMatch(/Created|Queued|InProgress|Succeeded/);
  });
});
