import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import {
  BACKFILL_OBJECTS_ENV,
  backfillObjectCount,
  cpuBetween,
  FULL_BACKFILL_OBJECTS,
  growthFromTenthToEnd,
  heapSlope,
  inFlightAt,
  latestStop,
  maxInFlight,
  perSecond,
  progressOf,
  QUICK_BACKFILL_OBJECTS,
  type RssSample,
  rssByTenth,
  rssTrend,
  workListPhase,
} from '../../../bench/lib/backfill-measure.ts';

/**
 * The backfill case (bench/cases/backfill.ts) reports its figures through these helpers: how many objects
 * it runs, the work-list phase out of the backfill's history, the stack's memory at each tenth of the
 * objects done, the most executions in flight and the CPU a phase used. A wrong helper would publish a
 * wrong figure without failing the run, so each is held to hand-made inputs here.
 */

const T0 = Date.parse('2026-12-02T10:00:00.000Z');
const at = (ms: number): Date => new Date(T0 + ms);

describe('backfillObjectCount', () => {
  it('runs the issue’s 100,000 objects in a full run and 2,000 in a quick one', () => {
    // Act / Assert
    expect(backfillObjectCount({ quick: false })).toBe(FULL_BACKFILL_OBJECTS);
    expect(backfillObjectCount({ quick: true })).toBe(QUICK_BACKFILL_OBJECTS);
    expect(backfillObjectCount({ quick: false, env: '  ' })).toBe(FULL_BACKFILL_OBJECTS);
  });

  it('takes the flag over the environment, and either over the mode', () => {
    // Act / Assert
    expect(backfillObjectCount({ quick: false, env: '3000' })).toBe(3000);
    expect(backfillObjectCount({ quick: true, flag: '500', env: '3000' })).toBe(500);
  });

  it('refuses a count that is not a whole number of at least 10, naming where it came from', () => {
    // Act / Assert
    expect(() => backfillObjectCount({ quick: false, flag: '2e3' })).toThrow(/--backfill-objects: '2e3'/);
    expect(() => backfillObjectCount({ quick: false, flag: '' })).toThrow(/--backfill-objects/);
    expect(() => backfillObjectCount({ quick: false, env: '9' })).toThrow(
      new RegExp(`${BACKFILL_OBJECTS_ENV}: '9' is not a whole number of objects of at least 10`),
    );
  });
});

describe('workListPhase', () => {
  const event = (type: string, ms: number, name?: string): HistoryEvent =>
    ({
      type,
      timestamp: at(ms),
      id: ms,
      ...(name === undefined
        ? {}
        : type.endsWith('Entered')
          ? { stateEnteredEventDetails: { name } }
          : { stateExitedEventDetails: { name } }),
    }) as HistoryEvent;

  it('spans the first entry of the state to its last exit, one call per entry', () => {
    // Arrange: BuildWorkList called twice (not done, then done), then the map run
    const events = [
      event('ExecutionStarted', 0),
      event('TaskStateEntered', 10, 'BuildWorkList'),
      event('TaskStateExited', 900, 'BuildWorkList'),
      event('ChoiceStateEntered', 901, 'Work list built?'),
      event('ChoiceStateExited', 902, 'Work list built?'),
      event('TaskStateEntered', 903, 'BuildWorkList'),
      event('TaskStateExited', 1500, 'BuildWorkList'),
      event('MapStateEntered', 1502, 'RelayObjects'),
      event('MapStateExited', 9000, 'RelayObjects'),
    ];

    // Act
    const phase = workListPhase(events, 'BuildWorkList');

    // Assert
    expect(phase).toEqual({ from: T0 + 10, to: T0 + 1500, ms: 1490, calls: 2 });
  });

  it('says so when the state was never left (the backfill failed in it)', () => {
    // Act / Assert
    expect(() => workListPhase([event('TaskStateEntered', 10, 'BuildWorkList')], 'BuildWorkList')).toThrow(
      /never left BuildWorkList/,
    );
  });
});

describe('rssByTenth and growthFromTenthToEnd', () => {
  it('takes, for each tenth, the first sample at or past it — several tenths from one sample', () => {
    // Arrange: 100 objects; a sample jumps from 5 to 25 done
    const samples = [
      { done: 0, rss: 100 },
      { done: 5, rss: 110 },
      { done: 25, rss: 150 },
      { done: 60, rss: 160 },
      { done: 99, rss: 170 },
      { done: 100, rss: 175 },
    ];

    // Act
    const tenths = rssByTenth(samples, 100);

    // Assert
    expect(tenths.map((t) => [t.percent, t.rss])).toEqual([
      [10, 150],
      [20, 150],
      [30, 160],
      [40, 160],
      [50, 160],
      [60, 160],
      [70, 170],
      [80, 170],
      [90, 170],
      [100, 175],
    ]);
    expect(growthFromTenthToEnd(tenths)).toBe(25);
  });

  it('rounds a tenth of an odd count up, so 10% of 15 is reached at 2 objects, not 1.5', () => {
    // Act
    const tenths = rssByTenth(
      [
        { done: 1, rss: 1 },
        { done: 2, rss: 2 },
      ],
      15,
    );

    // Assert
    expect(tenths).toEqual([{ percent: 10, done: 2, rss: 2 }]);
  });

  it('refuses a growth when the samples never reached the end', () => {
    // Act / Assert
    expect(() => growthFromTenthToEnd(rssByTenth([{ done: 50, rss: 1 }], 100))).toThrow(
      /neither 10% nor 100%/,
    );
  });
});

describe('progressOf', () => {
  it('counts the executions stopped by each sample, whatever order either comes in', () => {
    // Arrange
    const samples: RssSample[] = [
      { at: T0 + 300, rss: 3, cpuMs: 0 },
      { at: T0 + 100, rss: 1, cpuMs: 0 },
      { at: T0 + 200, rss: 2, cpuMs: 0 },
    ];
    const executions = [
      { stopDate: at(250) },
      { stopDate: at(100) },
      { stopDate: undefined },
      { stopDate: at(400) },
    ];

    // Act
    const progress = progressOf(samples, executions);

    // Assert: a stop at the very instant of a sample counts
    expect(progress).toEqual([
      { done: 1, rss: 1 },
      { done: 1, rss: 2 },
      { done: 2, rss: 3 },
    ]);
  });
});

describe('maxInFlight', () => {
  it('finds the most executions running at once, one that stops as another starts not counted twice', () => {
    // Arrange: a [0,100), b [50,150), c [100,200), d [120, never stopped)
    const executions = [
      { startDate: at(0), stopDate: at(100) },
      { startDate: at(50), stopDate: at(150) },
      { startDate: at(100), stopDate: at(200) },
      { startDate: at(120) },
    ];

    // Act / Assert: at 120–150, b, c and d run
    expect(maxInFlight(executions)).toBe(3);
    expect(
      maxInFlight([
        { startDate: at(0), stopDate: at(100) },
        { startDate: at(100), stopDate: at(200) },
      ]),
    ).toBe(1);
    expect(maxInFlight([])).toBe(0);
  });
});

describe('inFlightAt', () => {
  it('counts the executions started by an instant and not yet stopped then', () => {
    // Arrange
    const executions = [
      { startDate: at(0), stopDate: at(100) },
      { startDate: at(50), stopDate: at(150) },
      { startDate: at(100) },
      { startDate: at(101), stopDate: at(120) },
    ];

    // Act / Assert: at 100 the first has just stopped and the third has just started
    expect(inFlightAt(executions, T0 + 100)).toBe(2);
    expect(inFlightAt(executions, T0 + 200)).toBe(1);
  });
});

describe('cpuBetween', () => {
  it('reads the CPU used between two instants from the first samples at or after each', () => {
    // Arrange
    const samples: RssSample[] = [
      { at: T0, rss: 0, cpuMs: 1000 },
      { at: T0 + 250, rss: 0, cpuMs: 1100 },
      { at: T0 + 500, rss: 0, cpuMs: 1300 },
      { at: T0 + 750, rss: 0, cpuMs: 1600 },
    ];

    // Act / Assert
    expect(cpuBetween(samples, T0 + 200, T0 + 500)).toBe(200);
    // An end after the last sample reads the last one.
    expect(cpuBetween(samples, T0, T0 + 10_000)).toBe(600);
    expect(() => cpuBetween(samples, T0 + 800, T0 + 900)).toThrow(/no sample of the process/);
  });
});

describe('rssTrend', () => {
  it('fits the RSS per object through every reading, so one reading off the line moves it little', () => {
    // Arrange: 1 KiB per object, and the 50% reading 40 MiB above the line
    const readings = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((tenth) => ({
      percent: tenth * 10,
      done: tenth * 10_000,
      heapUsed: 0,
      rss: 300 * 2 ** 20 + tenth * 10_000 * 1024 + (tenth === 5 ? 40 * 2 ** 20 : 0),
    }));
    const onTheLine = readings.map((r) => (r.percent === 50 ? { ...r, rss: r.rss - 40 * 2 ** 20 } : r));

    // Act
    const fitted = rssTrend(readings);

    // Assert
    expect(rssTrend(onTheLine)).toBeCloseTo(1024, 6);
    expect(fitted).toBeCloseTo(1024, 6); // the outlier sits at the mean count: the slope does not move
    expect(rssTrend([readings[0]!, { ...readings[8]!, rss: readings[8]!.rss + 80_000 * 100 }])).toBeCloseTo(
      1124,
      6,
    );
  });

  it('refuses to report a trend from fewer than two readings at different counts', () => {
    // Act / Assert
    expect(() => rssTrend([{ percent: 10, done: 100, heapUsed: 1, rss: 0 }])).toThrow(/fewer than two/);
    expect(() =>
      rssTrend([
        { percent: 10, done: 100, heapUsed: 1, rss: 0 },
        { percent: 20, done: 100, heapUsed: 1, rss: 5 },
      ]),
    ).toThrow(/fewer than two/);
  });
});

describe('heapSlope', () => {
  it('divides the heap gained from the first reading to the last by the objects done in between', () => {
    // Arrange: warm-up before 10% (not counted), then 1 KiB per object
    const readings = [
      { percent: 10, done: 100, heapUsed: 50_000_000, rss: 0 },
      { percent: 20, done: 205, heapUsed: 49_000_000, rss: 0 },
      { percent: 90, done: 900, heapUsed: 50_000_000 + 800 * 1024, rss: 0 },
    ];

    // Act / Assert
    expect(heapSlope(readings)).toBe(1024);
  });

  it('refuses to report a slope from fewer than two readings', () => {
    // Act / Assert
    expect(() => heapSlope([{ percent: 10, done: 100, heapUsed: 1, rss: 0 }])).toThrow(/fewer than two/);
  });
});

describe('perSecond and latestStop', () => {
  it('turns a count and milliseconds into a rate, and finds the latest stop', () => {
    // Act / Assert
    expect(perSecond(500, 2000)).toBe(250);
    expect(perSecond(500, 0)).toBeNaN();
    expect(latestStop([{ stopDate: at(5) }, {}, { stopDate: at(9) }, { stopDate: at(1) }])).toBe(T0 + 9);
    expect(latestStop([{}])).toBeNaN();
  });
});
