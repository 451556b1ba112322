/**
 * What the console's keyboard-and-labels tests share: reaching a control with Tab alone, and the
 * controls that have no accessible name in the accessibility tree Chromium computes for a part of the
 * page (Playwright's ARIA snapshot: `- button "Deploy now"` has a name, `- button` none).
 */
import type { Locator, Page } from 'playwright-core';

/** Roles a person operates: each must have a name a screen reader can say. */
const CONTROL_ROLES = new Set([
  'button',
  'checkbox',
  'combobox',
  'link',
  'listbox',
  'radio',
  'searchbox',
  'slider',
  'spinbutton',
  'switch',
  'textbox',
]);

/** The controls inside `part` that have no accessible name, as their snapshot lines. */
export async function unnamedControls(part: Locator): Promise<string[]> {
  const snapshot = await part.ariaSnapshot();
  return snapshot
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => {
      const match = /^- ([a-z]+)(.*)$/.exec(line);
      if (match === null || !CONTROL_ROLES.has(match[1] ?? '')) return false;
      return !(match[2] ?? '').trimStart().startsWith('"');
    });
}

/** Presses Tab until the focused element matches `selector` (or gives up after `limit` presses). */
export async function tabTo(page: Page, selector: string, limit = 60): Promise<boolean> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if ((await page.locator(`${selector}:focus-within`).count()) > 0) return true;
  }
  return false;
}
