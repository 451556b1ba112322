/**
 * Executions whose output the console does not read, in a real headless Chromium (Debian's, never
 * downloaded) against the local stack: hand-made records written to the local Step Functions store — one
 * whose output is `{"something":"else"}` from an input of no known shape, one whose results list holds
 * an item of an unknown shape — still have their row in the list and their page, with "unknown" where
 * a field cannot be read, never a blank page or an error.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relayExecution } from './seed-executions.ts';
import { type SeededConsole, startSeededConsole } from './seeded-console.ts';
import { HAS_CHROMIUM, launchChromium } from './support.ts';

const BASE = new Date('2026-11-20T08:00:00Z');
const HAND_MADE = 'hand-made-1';
const OLDER_SHAPE = 'older-shape-1';

describe.runIf(HAS_CHROMIUM)('executions of an output shape the console does not read (Chromium)', () => {
  let seeded: SeededConsole;
  let browser: Browser;

  beforeAll(async () => {
    const known = relayExecution(0, BASE, 'builds-src');
    const readable = (known.output as { results: unknown[] }).results[0];
    seeded = await startSeededConsole({ name: 'relay-odd', region: 'us-west-2' }, [
      known,
      {
        name: OLDER_SHAPE,
        status: 'SUCCEEDED',
        startDate: new Date(BASE.getTime() + 60_000),
        durationMs: 1200,
        input: { bucket: 'builds-src', key: 'builds/web-2.zip' },
        output: { results: [readable, { outcome: 'copied', where: 'somewhere' }] },
      },
      {
        name: HAND_MADE,
        status: 'SUCCEEDED',
        startDate: new Date(BASE.getTime() + 120_000),
        durationMs: 1000,
        input: { made: 'by hand' },
        output: { something: 'else' },
      },
    ]);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await seeded?.dispose();
  });

  it('lists the hand-made execution with its source and targets unknown, beside the readable ones', async () => {
    // Arrange
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));

    // Act
    await page.goto(seeded.server.url);
    const row = page.locator(`tr[data-execution="${HAND_MADE}"]`);
    await row.waitFor();
    const cells = await row.locator('td').allInnerTexts();
    const known = await page.locator(`tr[data-execution="${relayExecution(0, BASE, 'x').name}"]`).innerText();
    const rows = await page.locator('table[aria-label="Executions"] tbody tr').count();
    await page.close();

    // Assert
    expect(rows).toBe(3);
    expect(cells[0]).toBe('SUCCEEDED');
    expect(cells[2]).toBe('unknown');
    expect(cells[3]).toBe('unknown');
    expect(known).toContain('2 ok');
    expect(errors).toEqual([]);
  });

  it("opens the hand-made execution's page with unknown cells, its input and output as they are", async () => {
    // Arrange
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(seeded.server.url);

    // Act
    await page.locator(`tr[data-execution="${HAND_MADE}"]`).getByRole('link').click();
    await page.locator('tr[data-target="unknown"]').waitFor();
    const heading = await page.getByRole('heading', { level: 1 }).innerText();
    const cells = await page.locator('tr[data-target="unknown"] td').allInnerTexts();
    const targetsFact = await page.locator('dd[data-fact="targets"]').innerText();
    const note = await page.getByRole('note').innerText();
    await page.getByText('Output', { exact: true }).click();
    const output = await page.locator('details[open] pre').innerText();
    const alerts = await page.getByRole('alert').count();
    await page.close();

    // Assert
    expect(heading).toContain(HAND_MADE);
    expect(cells).toEqual(['unknown', 'unknown', 'unknown', 'unknown', 'unknown']);
    expect(targetsFact).toBe('unknown');
    expect(note).toContain('does not read');
    expect(JSON.parse(output)).toEqual({ something: 'else' });
    expect(alerts).toBe(0);
    expect(errors).toEqual([]);
  });

  it('shows the results it can read of an older output shape, and unknown for the item it cannot', async () => {
    // Arrange
    const page = await browser.newPage();

    // Act
    await page.goto(
      `${seeded.server.url}#/executions/${encodeURIComponent(seeded.executionArn(OLDER_SHAPE))}`,
    );
    await page.locator('tr[data-target="2"]').waitFor();
    const first = await page.locator('tr[data-target="1"]').innerText();
    const second = await page.locator('tr[data-target="2"] td').allInnerTexts();
    await page.close();

    // Assert
    expect(first).toContain('eu-central-1');
    expect(first).toContain('copied');
    expect(second.slice(1, 7)).toEqual(['unknown', 'target #2', 'unknown', 'unknown', 'unknown', 'unknown']);
  });
});
