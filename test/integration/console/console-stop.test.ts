/**
 * Stop and Relay again in a real headless Chromium (Debian's, never downloaded) against a relay on the
 * local stack whose copy task is held open (a task hook waits on a gate the test opens), so the
 * execution is RUNNING for as long as the test needs — no sleeps: Stop, confirmed, ends it ABORTED on
 * the page; Relay again for its source starts replay's execution for the object's current version
 * (the plain request, replay's name), and pressed again starts no second one.
 */
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleServer } from '../../../console/server/server.ts';
import { executionName } from '../../../core/naming.ts';
import { type Relay, startWorkflowHarness, type WorkflowHarness } from '../workflow/harness.ts';
import { HAS_CHROMIUM, launchChromium, serveConsole } from './support.ts';

const SOURCE_REGION = 'us-west-2';
const KEY = 'builds/web-3.zip';

/** A promise the test resolves when it chooses. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe.runIf(HAS_CHROMIUM)('Stop and Relay again in the relay console (Chromium, local stack)', () => {
  let h: WorkflowHarness;
  let relay: Relay;
  let server: ConsoleServer;
  let browser: Browser;
  let executionArn: string;
  let source: string;
  const copying = gate();
  const release = gate();

  beforeAll(async () => {
    h = await startWorkflowHarness();
    source = h.name('console-stop-src');
    const frankfurt = h.name('console-stop-eu');
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(frankfurt, 'eu-central-1');
    relay = await h.deploy(
      {
        sources: [
          {
            bucket: source,
            region: SOURCE_REGION,
            rules: [
              {
                name: 'builds',
                prefix: 'builds/',
                targets: [{ bucket: frankfurt, region: 'eu-central-1' }],
              },
            ],
          },
        ],
      },
      {
        afterTask: async (role) => {
          if (role !== 'copy-object') return;
          copying.open();
          await release.opened;
        },
      },
    );
    await h.put(SOURCE_REGION, { Bucket: source, Key: KEY, Body: 'build 3' });
    const [arn] = await relay.triggered();
    executionArn = arn ?? '';
    await copying.opened;
    server = await serveConsole(h, relay);
    browser = await launchChromium();
  });

  afterAll(async () => {
    release.open();
    await browser?.close();
    await server?.close();
    await h?.dispose();
  });

  it('stops the running execution once confirmed: ABORTED on the page', async () => {
    // Arrange
    const page = await browser.newPage();
    await page.goto(`${server.url}#/executions/${encodeURIComponent(executionArn)}`);
    await page.locator('#execution-heading .badge', { hasText: 'RUNNING' }).waitFor();

    // Act
    await page.getByRole('button', { name: 'Stop this execution' }).click();
    const question = await page.locator('fieldset legend').textContent();
    await page.getByRole('button', { name: 'Stop now' }).click();
    await page.locator('#execution-heading .badge', { hasText: 'ABORTED' }).waitFor();
    const said = await page.locator('p[role="status"]', { hasText: 'Stopped' }).textContent();
    const stopOffered = await page.getByRole('button', { name: 'Stop this execution' }).count();
    await page.close();
    const ended = await relay.wait(executionArn);

    // Assert
    expect(question).toContain('Stop this execution?');
    expect(said).toBe('Stopped.');
    expect(stopOffered).toBe(0);
    expect(ended.status).toBe('ABORTED');
  });

  it("relays the source again as relay replay does: replay's execution for the current version, started once", async () => {
    // Arrange
    const page = await browser.newPage();
    await page.goto(`${server.url}#/executions/${encodeURIComponent(executionArn)}`);
    await page.locator('#execution-heading .badge').waitFor();
    const [current] = await h.versions(SOURCE_REGION, source, KEY);
    const replayName = executionName(source, KEY, current?.VersionId ?? '');
    const relayAgain = async (): Promise<string> => {
      await page.getByRole('button', { name: /^Relay s3:\/\/.+ again/ }).click();
      await page.getByRole('button', { name: 'Relay now' }).click();
      const said = page.locator('.actions p[role="status"]').last();
      await said.waitFor();
      return (await said.textContent()) ?? '';
    };

    // Act
    const first = await relayAgain();
    await page.getByRole('link', { name: replayName }).waitFor();
    const second = await relayAgain();
    await page.getByRole('link', { name: replayName }).first().click();
    await page.locator('#execution-heading', { hasText: replayName }).waitFor();
    const input = await page.locator('summary:text-is("Input") + pre').textContent();
    await page.close();
    const listed = await h
      .sfn(SOURCE_REGION)
      .send(new ListExecutionsCommand({ stateMachineArn: relay.deployed.stateMachineArn }));

    // Assert
    expect(first).toBe(`Relaying version ${current?.VersionId} again: ${replayName}`);
    expect(second).toContain(replayName);
    expect(listed.executions?.map((e) => e.name).sort()).toEqual(
      [executionArn.split(':').at(-1), replayName].sort(),
    );
    expect(JSON.parse(input ?? '')).toEqual({ bucket: source, key: KEY, versionId: current?.VersionId });
  });
});
