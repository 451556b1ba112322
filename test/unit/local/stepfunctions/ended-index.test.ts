import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EndedExecutions } from '../../../../local/stepfunctions/ended-index.ts';
import { type LiveExecution, listExecutions } from '../../../../local/stepfunctions/execution-queries.ts';
import { executionListItem } from '../../../../local/stepfunctions/execution-view.ts';
import type { ExecutionStatus, ExecutionSummary } from '../../../../local/stepfunctions/model.ts';
import { decodeToken, encodeToken, pageSize } from '../../../../local/stepfunctions/paging.ts';
import { ACCOUNT, deferred, errorCode, type Fixture, fn, REGION, startFixture } from './fixture.ts';

const MACHINE = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:relay`;
const OTHER = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:other`;
const BASE = Date.parse('2025-03-01T00:00:00.000Z');

function summary(
  name: string,
  startMs: number,
  status: ExecutionStatus,
  more: Partial<ExecutionSummary> = {},
): ExecutionSummary {
  const machineArn = more.stateMachineArn ?? MACHINE;
  const machineName = machineArn.split(':').at(-1) ?? '';
  return {
    executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:${machineName}:${name}`,
    stateMachineArn: machineArn,
    stateMachineName: machineName,
    name,
    region: REGION,
    status,
    startDate: new Date(startMs).toISOString(),
    ...(status === 'RUNNING' ? {} : { stopDate: new Date(startMs + 500).toISOString() }),
    redriveCount: 0,
    ...more,
  };
}

/** The list semantics before the ended index: every summary, in the order known, sorted on each call. */
function listBySorting(
  all: readonly ExecutionSummary[],
  stateMachineArn: string,
  options: {
    statusFilter?: ExecutionStatus;
    redriveFilter?: 'REDRIVEN' | 'NOT_REDRIVEN';
    maxResults?: number;
    nextToken?: string;
  },
): { executions: Record<string, unknown>[]; nextToken?: string } {
  const scope = `executions:${stateMachineArn}:${options.statusFilter ?? ''}:${options.redriveFilter ?? ''}`;
  const size = pageSize(options.maxResults);
  const records = all
    .filter((r) => r.stateMachineArn === stateMachineArn)
    .filter((r) => !options.statusFilter || r.status === options.statusFilter)
    .filter((r) =>
      options.redriveFilter === 'REDRIVEN'
        ? r.redriveCount > 0
        : options.redriveFilter === 'NOT_REDRIVEN'
          ? r.redriveCount === 0
          : true,
    )
    .reverse()
    .sort((a, b) => b.startDate.localeCompare(a.startDate));
  let start = 0;
  if (options.nextToken !== undefined) {
    const { after, startDate } = decodeToken(options.nextToken, scope) as {
      after: string;
      startDate: string;
    };
    const index = records.findIndex((r) => r.executionArn === after);
    start = index >= 0 ? index + 1 : records.filter((r) => r.startDate >= startDate).length;
  }
  const page = records.slice(start, start + size);
  const last = page.at(-1);
  const executions = page.map(executionListItem);
  return start + size < records.length && last
    ? { executions, nextToken: encodeToken({ scope, after: last.executionArn, startDate: last.startDate }) }
    : { executions };
}

/** A small deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('EndedExecutions', () => {
  it('keeps executions in list order however they arrive and makes their summaries anew, ARN included', () => {
    // Arrange
    const index = new EndedExecutions(MACHINE, 'relay', REGION);
    const added = [
      summary('late', BASE + 20, 'SUCCEEDED'),
      summary('early', BASE, 'FAILED', { redriveCount: 2, redriveDate: new Date(BASE + 5).toISOString() }),
      summary('tie-b', BASE + 10, 'TIMED_OUT'),
      summary('tie-a', BASE + 10, 'FAILED', { historyLimitReached: true }),
      summary('déjà-vu', BASE + 30, 'ABORTED'),
    ];
    const seqs = [5, 1, 3, 2, 4];

    // Act
    for (const [i, item] of added.entries()) index.add(item, seqs[i] ?? 0);
    const listed = Array.from({ length: index.size }, (_, i) => index.summary(i));

    // Assert
    expect(listed.map((s) => s.name)).toEqual(['early', 'tie-a', 'tie-b', 'late', 'déjà-vu']);
    expect(listed).toEqual([added[1], added[3], added[2], added[0], added[4]]);
  });

  it('lets an execution go with its seq, and keeps the others’ names through the arena’s compaction', () => {
    // Arrange
    const index = new EndedExecutions(MACHINE, 'relay', REGION);
    const names = Array.from({ length: 600 }, (_, i) => `execution-${i}-${'x'.repeat(i % 40)}`);
    for (const [i, name] of names.entries()) index.add(summary(name, BASE + i, 'SUCCEEDED'), i + 1);

    // Act: keep every third (most of the arena's bytes are then dead: it is compacted)
    const seqs: number[] = [];
    for (let i = 0; i < names.length; i++) {
      if (i % 3 !== 0) seqs.push(index.removeAt(index.indexOf(names[i] ?? '', BASE + i)));
    }

    // Assert
    expect(seqs).toEqual(Array.from({ length: 600 }, (_, i) => i + 1).filter((seq) => seq % 3 !== 1));
    expect(Array.from({ length: index.size }, (_, i) => index.name(i))).toEqual(
      names.filter((_, i) => i % 3 === 0),
    );
    expect(index.indexOfArn(summary(names[3] ?? '', 0, 'SUCCEEDED').executionArn, 'not a date')).toBe(1);
    expect(index.indexOfArn(summary(names[4] ?? '', 0, 'SUCCEEDED').executionArn, 'not a date')).toBe(-1);
  });
});

describe('listExecutions over the executions held in memory and the ended index', () => {
  /** One execution as the service holds it: in memory (running, or ended a moment ago) or in the index. */
  interface Held {
    summary: ExecutionSummary;
    readonly seq: number;
    inIndex: boolean;
  }

  /** 400 executions with many equal start times; a few of another state machine. */
  function population(next: () => number): { items: Held[]; ended: EndedExecutions } {
    const statuses: ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
    const items: Held[] = [];
    const ended = new EndedExecutions(MACHINE, 'relay', REGION);
    for (let seq = 1; seq <= 400; seq++) {
      const status = statuses[Math.floor(next() * statuses.length)] ?? 'RUNNING';
      const redriveCount = next() < 0.3 ? 1 + Math.floor(next() * 3) : 0;
      const machine = next() < 0.05 ? OTHER : MACHINE;
      const item = summary(`e${seq}`, BASE + Math.floor(next() * 60), status, {
        stateMachineArn: machine,
        redriveCount,
        ...(redriveCount > 0 ? { redriveDate: new Date(BASE + 100).toISOString() } : {}),
      });
      const inIndex = status !== 'RUNNING' && machine === MACHINE && next() < 0.9;
      items.push({ summary: item, seq, inIndex });
      if (inIndex) ended.add(item, seq);
    }
    return { items, ended };
  }

  /** What happens between two calls: a running execution ends, an ended one settles or is redriven. */
  function change(held: Held, ended: EndedExecutions, next: () => number): void {
    const { summary: was } = held;
    if (was.status === 'RUNNING') {
      const status = next() < 0.5 ? 'SUCCEEDED' : 'FAILED';
      held.summary = { ...was, status, stopDate: new Date(BASE + 200).toISOString() };
    } else if (held.inIndex) {
      ended.removeAt(ended.indexOf(was.name, Date.parse(was.startDate)));
      const { stopDate: _stop, ...rest } = was;
      held.summary = { ...rest, status: 'RUNNING', redriveCount: was.redriveCount + 1 };
      held.inIndex = false;
      return;
    }
    if (next() < 0.7) {
      ended.add(held.summary, held.seq);
      held.inIndex = true;
    }
  }

  it('pages exactly as sorting every summary on each call would: filters, ties, tokens, and executions ending or redriven between pages', () => {
    const filters = [
      {},
      { statusFilter: 'FAILED' as const },
      { statusFilter: 'RUNNING' as const },
      { redriveFilter: 'REDRIVEN' as const },
      { statusFilter: 'SUCCEEDED' as const, redriveFilter: 'NOT_REDRIVEN' as const },
    ];
    for (const [f, filter] of filters.entries()) {
      for (const maxResults of [1, 7, 100, 1000]) {
        // Arrange
        const next = random(f * 1000 + maxResults);
        const { items, ended } = population(next);
        const mine = items.filter((item) => item.summary.stateMachineArn === MACHINE);

        // Act
        const pages: unknown[] = [];
        const expected: unknown[] = [];
        let token: string | undefined;
        do {
          const options = { ...filter, maxResults, ...(token ? { nextToken: token } : {}) };
          const live = items.filter((item) => !item.inIndex);
          const page = listExecutions(live, ended, MACHINE, { stateMachineArn: MACHINE, ...options });
          pages.push(page);
          expected.push(
            listBySorting(
              items.map((item) => item.summary),
              MACHINE,
              options,
            ),
          );
          token = page.nextToken;
          // Often the last item listed changes (it may leave the filter), and two others
          const last = page.executions.at(-1)?.name;
          const lastHeld = mine.find((item) => item.summary.name === last);
          if (lastHeld && next() < 0.5) change(lastHeld, ended, next);
          for (let i = 0; i < 2; i++)
            change(mine[Math.floor(next() * mine.length)] ?? lastHeld!, ended, next);
        } while (token);

        // Assert
        expect(pages).toEqual(expected);
      }
    }
  });

  it('continues after the start date of the last item seen once it has left the filter', () => {
    // Arrange
    const running = [1, 2, 3, 4].map((i) => summary(`r${i}`, BASE + i * 10, 'RUNNING'));
    const live: LiveExecution[] = running.map((item, i) => ({ summary: item, seq: i + 1 }));
    const ended = new EndedExecutions(MACHINE, 'relay', REGION);
    const options = { stateMachineArn: MACHINE, statusFilter: 'RUNNING' as const, maxResults: 2 };
    const first = listExecutions(live, ended, MACHINE, options);

    // Act: r3, the last listed, ends and goes to the ended index
    const [done] = live.splice(2, 1);
    ended.add({ ...(done?.summary ?? running[2]!), status: 'SUCCEEDED' }, done?.seq ?? 0);
    const second = listExecutions(live, ended, MACHINE, { ...options, nextToken: first.nextToken });

    // Assert
    expect(first.executions.map((e) => e.name)).toEqual(['r4', 'r3']);
    expect(second.executions.map((e) => e.name)).toEqual(['r2', 'r1']);
    expect(second.nextToken).toBeUndefined();
  });
});

describe('ended executions of the service', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await startFixture(0.000001);
  });
  afterEach(async () => {
    vi.useRealTimers();
    await f.dispose();
  });
  type Page = { executions: Array<{ name: string; status: string; redriveCount: number }> };

  it('leave memory for the ended index, keep their names taken, and a redrive runs one again in its place', async () => {
    // Arrange
    vi.useFakeTimers({ toFake: ['Date'], now: BASE }); // one start time for all: the list order is theirs
    let fail = true;
    const release = deferred();
    f.sfn.registerTaskHandler(fn('step'), async (input) => {
      if (fail) throw new Error('broken');
      await release.promise;
      return input;
    });
    const arn = await f.createMachine({
      StartAt: 'Step',
      States: { Step: { Type: 'Task', Resource: fn('step'), End: true } },
    });
    for (const name of ['a', 'b', 'c']) {
      const { executionArn } = await f.sfn.startExecution({ stateMachineArn: arn, name });
      await f.sfn.waitForExecution(executionArn);
    }
    const manager = Reflect.get(f.sfn, 'executions') as object;
    const entries = Reflect.get(manager, 'entries') as Map<string, unknown>;
    const b = `arn:aws:states:${REGION}:${ACCOUNT}:execution:relay:b`;
    const heldWhenEnded = entries.size;

    // Act
    const again = await errorCode(f.sfn.startExecution({ stateMachineArn: arn, name: 'b' }));
    fail = false;
    await f.call('RedriveExecution', { executionArn: b });
    const whileRedriven = await f.call<Page>('ListExecutions', { stateMachineArn: arn });
    release.resolve();
    const redriven = await f.sfn.waitForExecution(b);
    const afterwards = await f.call<Page>('ListExecutions', { stateMachineArn: arn });

    // Assert
    expect(heldWhenEnded).toBe(0);
    expect(again).toBe('ExecutionAlreadyExists');
    expect(whileRedriven.executions.map((e) => `${e.name}:${e.status}`)).toEqual([
      'c:FAILED',
      'b:RUNNING',
      'a:FAILED',
    ]);
    expect(redriven).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(afterwards.executions.map((e) => `${e.name}:${e.status}:${e.redriveCount}`)).toEqual([
      'c:FAILED:0',
      'b:SUCCEEDED:1',
      'a:FAILED:0',
    ]);
    expect(entries.size).toBe(0);
  });

  it('are listed, described and forgotten with their state machine after a restart', async () => {
    // Arrange
    const arn = await f.createMachine({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });
    for (const name of ['one', 'two']) {
      const { executionArn } = await f.sfn.startExecution({ stateMachineArn: arn, name });
      await f.sfn.waitForExecution(executionArn);
    }
    await f.sfn.close();
    const restarted = await f.reopen();
    const call = <T>(operation: string, input: Record<string, unknown>) =>
      restarted.handle(operation, input, {
        region: REGION,
        requestId: 'R',
        accountId: ACCOUNT,
      }) as Promise<T>;
    const one = `arn:aws:states:${REGION}:${ACCOUNT}:execution:relay:one`;

    // Act
    const listed = await call<Page>('ListExecutions', { stateMachineArn: arn });
    const described = await call<{ status: string }>('DescribeExecution', { executionArn: one });
    const otherAccount = await errorCode(
      call('DescribeExecution', { executionArn: one.replace(ACCOUNT, '111111111111') }),
    );
    await call('DeleteStateMachine', { stateMachineArn: arn });
    const forgotten = await errorCode(call('DescribeExecution', { executionArn: one }));

    // Assert
    expect(listed.executions.map((e) => e.name)).toEqual(['two', 'one']);
    expect(described.status).toBe('SUCCEEDED');
    expect(otherAccount).toBe('ExecutionDoesNotExist');
    expect(forgotten).toBe('ExecutionDoesNotExist');
  });
});
