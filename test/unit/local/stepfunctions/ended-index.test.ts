import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type EndedExecutions,
  EndedIndex,
  type EndedItem,
} from '../../../../local/stepfunctions/ended-index.ts';
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

/** A fresh, opened index in a temporary directory; `dispose` closes and removes it. */
async function openIndex(): Promise<{ index: EndedIndex; dir: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'ended-index-'));
  const index = new EndedIndex(join(dir, 'index'));
  await index.open();
  return {
    index,
    dir,
    async dispose() {
      await index.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function all(executions: EndedExecutions): Promise<EndedItem[]> {
  const out: EndedItem[] = [];
  for await (const item of executions.newestFirst()) out.push(item);
  return out;
}

describe('EndedIndex', () => {
  let opened: Awaited<ReturnType<typeof openIndex>>;
  beforeEach(async () => {
    opened = await openIndex();
  });
  afterEach(async () => {
    await opened.dispose();
  });

  it('lists executions newest first however they arrive and makes their summaries anew, ARN included', async () => {
    // Arrange
    const { index } = opened;
    const added = [
      summary('late', BASE + 20, 'SUCCEEDED'),
      summary('early', BASE, 'FAILED', { redriveCount: 2, redriveDate: new Date(BASE + 5).toISOString() }),
      summary('tie-b', BASE + 10, 'TIMED_OUT'),
      summary('tie-a', BASE + 10, 'FAILED', { historyLimitReached: true }),
      summary('déjà-vu', BASE + 30, 'ABORTED'),
      summary('elsewhere', BASE + 15, 'SUCCEEDED', { stateMachineArn: OTHER }),
    ];
    const seqs = [5, 1, 3, 2, 4, 6];

    // Act
    await Promise.all(added.map((item, i) => index.add(item, seqs[i] ?? 0)));
    const listed = await all(index.of(MACHINE, 'relay', REGION));

    // Assert
    expect(listed.map((item) => item.summary)).toEqual([added[4], added[0], added[2], added[3], added[1]]);
    expect(listed.map((item) => item.key)).toEqual([
      { startMs: BASE + 30, seq: 4 },
      { startMs: BASE + 20, seq: 5 },
      { startMs: BASE + 10, seq: 3 },
      { startMs: BASE + 10, seq: 2 },
      { startMs: BASE, seq: 1 },
    ]);
  });

  it('finds an execution by ARN, lets it go with its seq once, and another state machine keeps its own', async () => {
    // Arrange
    const { index } = opened;
    const one = summary('one', BASE, 'FAILED');
    const two = summary('two', BASE + 1, 'SUCCEEDED');
    const namesake = summary('one', BASE + 2, 'SUCCEEDED', { stateMachineArn: OTHER });
    await Promise.all([index.add(one, 7), index.add(two, 8), index.add(namesake, 9)]);
    const executions = index.of(MACHINE, 'relay', REGION);

    // Act
    const found = await executions.find(one.executionArn);
    const removals = await Promise.all([index.remove(one), index.remove(one)]);
    const afterwards = await executions.find(one.executionArn);

    // Assert
    expect(found).toEqual({ key: { startMs: BASE, seq: 7 }, summary: one });
    expect(removals).toEqual([7, undefined]);
    expect(afterwards).toBeUndefined();
    expect(await index.has(one)).toBe(false);
    expect(await index.has(two)).toBe(true);
    expect(await index.has({ ...two, startDate: new Date(BASE + 99).toISOString() })).toBe(false);
    expect((await all(index.of(OTHER, 'other', REGION))).map((item) => item.summary)).toEqual([namesake]);
    expect(await executions.find(namesake.executionArn)).toBeUndefined();
  });

  it('applies changes in the order asked: an add after a remove of the same execution stays', async () => {
    // Arrange
    const { index } = opened;
    const item = summary('again', BASE, 'FAILED');
    await index.add(item, 3);

    // Act: removed (a redrive), then added back (it ended again) without waiting in between
    const removed = index.remove(item);
    const added = index.add({ ...item, status: 'SUCCEEDED', redriveCount: 1 }, 3);
    await Promise.all([removed, added]);

    // Assert
    expect(await removed).toBe(3);
    expect((await all(index.of(MACHINE, 'relay', REGION))).map((e) => e.summary)).toEqual([
      { ...item, status: 'SUCCEEDED', redriveCount: 1 },
    ]);
  });

  it('forgets every execution of a state machine, naming each, and keeps the other state machines’', async () => {
    // Arrange
    const { index } = opened;
    const names = Array.from({ length: 1203 }, (_, i) => `execution-${i}`);
    await Promise.all(names.map((name, i) => index.add(summary(name, BASE + i, 'SUCCEEDED'), i + 1)));
    const other = summary('kept', BASE, 'SUCCEEDED', { stateMachineArn: OTHER });
    await index.add(other, 5000);
    const visited: string[] = [];

    // Act
    await index.forget(MACHINE, async (name) => {
      visited.push(name);
    });

    // Assert
    expect(visited.sort()).toEqual([...names].sort());
    expect(await all(index.of(MACHINE, 'relay', REGION))).toEqual([]);
    expect(await index.of(MACHINE, 'relay', REGION).newestFirst(undefined, 'SUCCEEDED').next()).toEqual({
      done: true,
      value: undefined,
    });
    expect((await all(index.of(OTHER, 'other', REGION))).map((e) => e.summary)).toEqual([other]);
  });

  it('builds a new index in a folder of its own, removed at close, and removes one a process that is gone left', async () => {
    // Arrange
    const { dir } = opened;
    const root = join(dir, 'index');
    const [mine] = await readdir(root);
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid;
    await mkdir(join(root, `${deadPid}-0badc0de`));
    const second = new EndedIndex(root);

    // Act
    await second.open();
    const whileOpen = (await readdir(root)).sort();
    const listed = await all(second.of(MACHINE, 'relay', REGION));
    await second.close();
    const afterClose = await readdir(root);

    // Assert
    expect(whileOpen).toHaveLength(2);
    expect(whileOpen).toContain(mine);
    expect(whileOpen).not.toContain(`${deadPid}-0badc0de`);
    expect(listed).toEqual([]);
    expect(afterClose).toEqual([mine]);
  });
});

describe('listExecutions over the executions held in memory and the ended index', () => {
  /** One execution as the service holds it: in memory (running, or ended a moment ago) or in the index. */
  interface Held {
    summary: ExecutionSummary;
    readonly seq: number;
    inIndex: boolean;
  }

  let opened: Awaited<ReturnType<typeof openIndex>>;
  beforeEach(async () => {
    opened = await openIndex();
  });
  afterEach(async () => {
    await opened.dispose();
  });

  /** 400 executions with many equal start times; a few of another state machine. */
  async function population(next: () => number): Promise<{ items: Held[]; ended: EndedExecutions }> {
    await opened.index.forget(MACHINE, async () => undefined);
    await opened.index.forget(OTHER, async () => undefined);
    const statuses: ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
    const items: Held[] = [];
    const ended = opened.index.of(MACHINE, 'relay', REGION);
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
      if (inIndex) await opened.index.add(item, seq);
    }
    return { items, ended };
  }

  /** What happens between two calls: a running execution ends, an ended one settles or is redriven. */
  async function change(held: Held, next: () => number): Promise<void> {
    const { summary: was } = held;
    if (was.status === 'RUNNING') {
      const status = next() < 0.5 ? 'SUCCEEDED' : 'FAILED';
      held.summary = { ...was, status, stopDate: new Date(BASE + 200).toISOString() };
    } else if (held.inIndex) {
      await opened.index.remove(was);
      const { stopDate: _stop, ...rest } = was;
      held.summary = { ...rest, status: 'RUNNING', redriveCount: was.redriveCount + 1 };
      held.inIndex = false;
      return;
    }
    if (next() < 0.7) {
      await opened.index.add(held.summary, held.seq);
      held.inIndex = true;
    }
  }

  it('pages exactly as sorting every summary on each call would: filters, ties, tokens, and executions ending or redriven between pages', async () => {
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
        const { items, ended } = await population(next);
        const mine = items.filter((item) => item.summary.stateMachineArn === MACHINE);

        // Act
        const pages: unknown[] = [];
        const expected: unknown[] = [];
        let token: string | undefined;
        do {
          const options = { ...filter, maxResults, ...(token ? { nextToken: token } : {}) };
          const live = items.filter((item) => !item.inIndex);
          const page = await listExecutions(live, ended, MACHINE, { stateMachineArn: MACHINE, ...options });
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
          if (lastHeld && next() < 0.5) await change(lastHeld, next);
          for (let i = 0; i < 2; i++) await change(mine[Math.floor(next() * mine.length)] ?? lastHeld!, next);
        } while (token);

        // Assert
        expect(pages).toEqual(expected);
      }
    }
  });

  it('continues after the start date of the last item seen once it has left the filter', async () => {
    // Arrange
    const running = [1, 2, 3, 4].map((i) => summary(`r${i}`, BASE + i * 10, 'RUNNING'));
    const live: LiveExecution[] = running.map((item, i) => ({ summary: item, seq: i + 1 }));
    const ended = opened.index.of(MACHINE, 'relay', REGION);
    const options = { stateMachineArn: MACHINE, statusFilter: 'RUNNING' as const, maxResults: 2 };
    const first = await listExecutions(live, ended, MACHINE, options);

    // Act: r3, the last listed, ends and goes to the ended index
    const [done] = live.splice(2, 1);
    await opened.index.add({ ...(done?.summary ?? running[2]!), status: 'SUCCEEDED' }, done?.seq ?? 0);
    const second = await listExecutions(live, ended, MACHINE, { ...options, nextToken: first.nextToken });

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

  it('stay listed from memory, with a line on stderr, when the index cannot take one', async () => {
    // Arrange
    const arn = await f.createMachine({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });
    const failing = vi.spyOn(EndedIndex.prototype, 'add').mockRejectedValueOnce(new Error('disk full'));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);

    // Act
    const { executionArn } = await f.sfn.startExecution({ stateMachineArn: arn, name: 'kept' });
    await f.sfn.waitForExecution(executionArn);
    const listed = await f.call<Page>('ListExecutions', { stateMachineArn: arn });
    const described = await f.call<{ status: string }>('DescribeExecution', { executionArn });
    const written = stderr.mock.calls.map(([line]) => String(line)).join('');
    failing.mockRestore();
    stderr.mockRestore();

    // Assert
    expect(listed.executions.map((e) => `${e.name}:${e.status}`)).toEqual(['kept:SUCCEEDED']);
    expect(described.status).toBe('SUCCEEDED');
    expect(written).toContain(
      `could not index the ended execution ${executionArn} (kept in memory): Error: disk full`,
    );
  });

  it('refuse to start, naming the index, when the ended executions cannot be indexed', async () => {
    // Arrange
    const arn = await f.createMachine({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });
    const { executionArn } = await f.sfn.startExecution({ stateMachineArn: arn, name: 'one' });
    await f.sfn.waitForExecution(executionArn);
    await f.sfn.close();
    const failing = vi.spyOn(EndedIndex.prototype, 'add').mockRejectedValue(new Error('disk full'));

    // Act
    const refused = await f.reopen().catch((error: unknown) => error);
    failing.mockRestore();

    // Assert
    expect((refused as Error).message).toBe(
      'could not list the ended executions in ended-index/: Error: disk full',
    );
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
