/**
 * The executions list over a few hundred executions on the local stack (written through the local Step
 * Functions store, then loaded by the stack like any it ran): the console's API answers the newest page
 * first with a `nextToken`, and following the tokens lists every execution exactly once, newest first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionPage } from '../../../console/api-types.ts';
import { relayExecution } from './seed-executions.ts';
import { type SeededConsole, startSeededConsole } from './seeded-console.ts';

const REGION = 'us-west-2';
const COUNT = 300;
const BASE = new Date('2026-11-01T00:00:00Z');

describe('the executions list over a few hundred executions (local stack)', () => {
  let seeded: SeededConsole;

  beforeAll(async () => {
    seeded = await startSeededConsole(
      { name: 'relay-paging', region: REGION },
      Array.from({ length: COUNT }, (_, i) => relayExecution(i, BASE, 'builds-src')),
    );
  });

  afterAll(async () => {
    await seeded?.dispose();
  });

  const page = async (query: string): Promise<ExecutionPage> => {
    const response = await fetch(`${seeded.server.url}api/executions${query}`);
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    return (await response.json()) as ExecutionPage;
  };

  it('answers the newest page first, with a nextToken', async () => {
    // Arrange
    const newest = Array.from(
      { length: 25 },
      (_, i) => relayExecution(COUNT - 1 - i, BASE, 'builds-src').name,
    );

    // Act
    const first = await page('');

    // Assert
    expect(first.executions.map((e) => e.name)).toEqual(newest);
    expect(first.nextToken).not.toBeNull();
    expect(first.executions[0]).toMatchObject({
      source: { bucket: 'builds-src', key: `builds/app-${(COUNT - 1) % 50}/web-${COUNT - 1}.zip` },
    });
  });

  it('lists every execution exactly once, newest first, when the nextTokens are followed', async () => {
    // Arrange
    const seen: string[] = [];
    const starts: number[] = [];
    let next: string | null = '';
    let pages = 0;

    // Act
    while (next !== null) {
      const query: string = next === '' ? '?limit=40' : `?limit=40&next=${encodeURIComponent(next)}`;
      const answer = await page(query);
      seen.push(...answer.executions.map((e) => e.name));
      starts.push(...answer.executions.map((e) => Date.parse(e.startDate)));
      next = answer.nextToken;
      pages++;
    }

    // Assert
    expect(pages).toBe(Math.ceil(COUNT / 40));
    expect(seen).toHaveLength(COUNT);
    expect(new Set(seen).size).toBe(COUNT);
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
  });

  it('pages a time window without repeating an execution, including a page that ends mid-way through a ListExecutions page', async () => {
    // Arrange: executions 100 … 199 started in the window
    const since = new Date(BASE.getTime() + 100 * 1000).toISOString();
    const until = new Date(BASE.getTime() + 199 * 1000).toISOString();
    const seen: string[] = [];
    let next: string | null = '';

    // Act
    while (next !== null) {
      const answer: ExecutionPage = await page(
        `?limit=30&since=${since}&until=${until}${next === '' ? '' : `&next=${encodeURIComponent(next)}`}`,
      );
      seen.push(...answer.executions.map((e) => e.name));
      next = answer.nextToken;
    }

    // Assert
    const expected = Array.from({ length: 100 }, (_, i) => relayExecution(199 - i, BASE, 'builds-src').name);
    expect(seen).toEqual(expected);
  });
});
