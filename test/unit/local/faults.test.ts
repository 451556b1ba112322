import { describe, expect, it } from 'vitest';
import {
  type FaultDecision,
  FaultPlan,
  type FaultRule,
  InvalidFaultRuleError,
  parseFaultRules,
} from '../../../local/faults.ts';

const PUT = { operation: 'PutObject', bucket: 'artifacts-seoul', key: 'releases/web.zip' };

function decideMany(plan: FaultPlan, count: number, request = PUT): Array<FaultDecision | undefined> {
  return Array.from({ length: count }, () => plan.decide(request));
}

function thrownBy(fn: () => unknown): InvalidFaultRuleError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidFaultRuleError) return err;
    throw err;
  }
  throw new Error('expected an InvalidFaultRuleError');
}

describe('FaultPlan', () => {
  describe('decisions', () => {
    it('returns undefined when no rule is configured', () => {
      // Arrange
      const plan = new FaultPlan();

      // Act
      const decision = plan.decide(PUT);

      // Assert
      expect(decision).toBeUndefined();
    });

    it('answers with the failure of a certain rule on every matching request', () => {
      // Arrange
      const plan = new FaultPlan({ rules: [{ kind: 'slowdown' }] });

      // Act
      const decisions = decideMany(plan, 3);

      // Assert
      expect(decisions).toEqual([
        { latencyMs: 0, failure: 'slowdown' },
        { latencyMs: 0, failure: 'slowdown' },
        { latencyMs: 0, failure: 'slowdown' },
      ]);
    });

    it('adds up the delays of every matching latency rule', () => {
      // Arrange
      const plan = new FaultPlan({
        rules: [
          { kind: 'latency', latencyMs: 100 },
          { kind: 'latency', latencyMs: 250, operations: ['PutObject'] },
          { kind: 'latency', latencyMs: 1000, operations: ['GetObject'] },
        ],
      });

      // Act
      const decision = plan.decide(PUT);

      // Assert
      expect(decision).toEqual({ latencyMs: 350 });
    });

    it('lets the first matching failure rule win and still adds latency', () => {
      // Arrange
      const plan = new FaultPlan({
        rules: [
          { kind: 'internal-error', operations: ['CopyObject'] },
          { kind: 'access-denied' },
          { kind: 'reset' },
          { kind: 'latency', latencyMs: 40 },
        ],
      });

      // Act
      const decision = plan.decide(PUT);

      // Assert
      expect(decision).toEqual({ latencyMs: 40, failure: 'access-denied' });
      expect(plan.list().map((r) => r.fired)).toEqual([0, 1, 0, 1]);
    });

    it('skips a failure rule whose draw misses and falls through to the next one', () => {
      // Arrange
      const plan = new FaultPlan({ rules: [{ kind: 'slowdown', rate: 0 }, { kind: 'reset' }] });

      // Act
      const decision = plan.decide(PUT);

      // Assert
      expect(decision).toEqual({ latencyMs: 0, failure: 'reset' });
    });
  });

  describe('scoping', () => {
    it('matches only the listed operations', () => {
      // Arrange
      const plan = new FaultPlan({
        rules: [{ kind: 'slowdown', operations: ['CopyObject', 'UploadPartCopy'] }],
      });

      // Act
      const copy = plan.decide({ ...PUT, operation: 'CopyObject' });
      const partCopy = plan.decide({ ...PUT, operation: 'UploadPartCopy' });
      const put = plan.decide(PUT);

      // Assert
      expect(copy?.failure).toBe('slowdown');
      expect(partCopy?.failure).toBe('slowdown');
      expect(put).toBeUndefined();
    });

    it('matches only the named bucket and never a request without a bucket', () => {
      // Arrange
      const plan = new FaultPlan({ rules: [{ kind: 'internal-error', bucket: 'artifacts-seoul' }] });

      // Act
      const same = plan.decide(PUT);
      const other = plan.decide({ ...PUT, bucket: 'artifacts-frankfurt' });
      const listBuckets = plan.decide({ operation: 'ListBuckets' });

      // Assert
      expect(same?.failure).toBe('internal-error');
      expect(other).toBeUndefined();
      expect(listBuckets).toBeUndefined();
    });

    it('matches only keys under the prefix and never a bucket-level request', () => {
      // Arrange
      const plan = new FaultPlan({ rules: [{ kind: 'access-denied', prefix: 'releases/' }] });

      // Act
      const under = plan.decide(PUT);
      const outside = plan.decide({ ...PUT, key: 'builds/web.zip' });
      const headBucket = plan.decide({ operation: 'HeadBucket', bucket: 'artifacts-seoul' });

      // Assert
      expect(under?.failure).toBe('access-denied');
      expect(outside).toBeUndefined();
      expect(headBucket).toBeUndefined();
    });
  });

  describe('rate and seed', () => {
    it('reproduces the same sequence of decisions for the same seed', () => {
      // Arrange
      const rules: FaultRule[] = [
        { kind: 'slowdown', rate: 0.3 },
        { kind: 'latency', latencyMs: 5, rate: 0.5 },
      ];
      const first = new FaultPlan({ seed: 42, rules });
      const second = new FaultPlan({ seed: 42, rules });

      // Act
      const a = decideMany(first, 200);
      const b = decideMany(second, 200);

      // Assert
      expect(a).toEqual(b);
      expect(a.some((d) => d === undefined)).toBe(true);
      expect(a.some((d) => d?.failure === 'slowdown')).toBe(true);
    });

    it('produces a different sequence for a different seed', () => {
      // Arrange
      const rules: FaultRule[] = [{ kind: 'slowdown', rate: 0.5 }];
      const first = new FaultPlan({ seed: 1, rules });
      const second = new FaultPlan({ seed: 2, rules });

      // Act
      const a = decideMany(first, 64).map((d) => d !== undefined);
      const b = decideMany(second, 64).map((d) => d !== undefined);

      // Assert
      expect(a).not.toEqual(b);
    });

    it('uses a fixed default seed so two plans without a seed agree', () => {
      // Arrange
      const rules: FaultRule[] = [{ kind: 'reset', rate: 0.25 }];

      // Act
      const a = decideMany(new FaultPlan({ rules }), 100);
      const b = decideMany(new FaultPlan({ rules }), 100);

      // Assert
      expect(a).toEqual(b);
    });

    it('fires a rule on roughly its rate of matching requests', () => {
      // Arrange
      const plan = new FaultPlan({ seed: 7, rules: [{ kind: 'slowdown', rate: 0.2 }] });

      // Act
      const hits = decideMany(plan, 10_000).filter((d) => d?.failure === 'slowdown').length;

      // Assert
      expect(hits).toBeGreaterThan(1_700);
      expect(hits).toBeLessThan(2_300);
      expect(plan.list()[0]?.fired).toBe(hits);
    });

    it('does not shift the random sequence when a certain rule is added', () => {
      // Arrange
      const chance: FaultRule = { kind: 'latency', latencyMs: 10, rate: 0.5 };
      const alone = new FaultPlan({ seed: 9, rules: [chance] });
      const withCertain = new FaultPlan({ seed: 9, rules: [{ kind: 'latency', latencyMs: 1 }, chance] });

      // Act
      const a = decideMany(alone, 50).map((d) => d?.latencyMs ?? 0);
      const b = decideMany(withCertain, 50).map((d) => (d?.latencyMs ?? 0) - 1);

      // Assert
      expect(b).toEqual(a);
    });
  });

  describe('runtime changes', () => {
    it('stops firing a rule after `times` hits', () => {
      // Arrange
      const plan = new FaultPlan({ rules: [{ kind: 'internal-error', times: 2 }] });

      // Act
      const decisions = decideMany(plan, 4);

      // Assert
      expect(decisions.map((d) => d?.failure)).toEqual([
        'internal-error',
        'internal-error',
        undefined,
        undefined,
      ]);
      expect(plan.list()[0]).toMatchObject({ kind: 'internal-error', times: 2, fired: 2 });
    });

    it('lifts a rule removed by id while keeping the others', () => {
      // Arrange
      const plan = new FaultPlan();
      const slow = plan.add({ kind: 'slowdown', operations: ['PutObject'] });
      plan.add({ kind: 'latency', latencyMs: 20 });
      const before = plan.decide(PUT);

      // Act
      const removed = plan.remove(slow);
      const after = plan.decide(PUT);

      // Assert
      expect(before).toEqual({ latencyMs: 20, failure: 'slowdown' });
      expect(removed).toBe(true);
      expect(after).toEqual({ latencyMs: 20 });
      expect(plan.remove(slow)).toBe(false);
    });

    it('lists rules in insertion order with their ids', () => {
      // Arrange
      const plan = new FaultPlan({ rules: [{ kind: 'reset', bucket: 'b' }] });
      const id = plan.add({ kind: 'latency', latencyMs: 3, prefix: 'p/' });

      // Act
      const listed = plan.list();

      // Assert
      expect(listed).toEqual([
        { kind: 'reset', bucket: 'b', id: expect.any(String), fired: 0 },
        { kind: 'latency', latencyMs: 3, prefix: 'p/', id, fired: 0 },
      ]);
      expect(listed[0]?.id).not.toBe(id);
    });

    it('clears every rule and pending corruption', () => {
      // Arrange
      const plan = new FaultPlan({ rules: [{ kind: 'slowdown' }] });
      plan.corruptNextCopy({ bucket: 'artifacts-seoul', key: 'releases/web.zip' });

      // Act
      plan.clear();

      // Assert
      expect(plan.decide(PUT)).toBeUndefined();
      expect(plan.list()).toEqual([]);
      expect(plan.takeCorruption('artifacts-seoul', 'releases/web.zip')).toBe(false);
    });
  });

  describe('copy corruption', () => {
    it('corrupts the next copy into the key exactly once', () => {
      // Arrange
      const plan = new FaultPlan();
      plan.corruptNextCopy({ bucket: 'artifacts-seoul', key: 'releases/web.zip' });

      // Act
      const first = plan.takeCorruption('artifacts-seoul', 'releases/web.zip');
      const second = plan.takeCorruption('artifacts-seoul', 'releases/web.zip');

      // Assert
      expect(first).toBe(true);
      expect(second).toBe(false);
    });

    it('leaves other keys and buckets untouched', () => {
      // Arrange
      const plan = new FaultPlan();
      plan.corruptNextCopy({ bucket: 'artifacts-seoul', key: 'releases/web.zip' });

      // Act
      const otherKey = plan.takeCorruption('artifacts-seoul', 'releases/api.zip');
      const otherBucket = plan.takeCorruption('artifacts-frankfurt', 'releases/web.zip');

      // Assert
      expect(otherKey).toBe(false);
      expect(otherBucket).toBe(false);
      expect(plan.takeCorruption('artifacts-seoul', 'releases/web.zip')).toBe(true);
    });

    it('arms one corruption per call', () => {
      // Arrange
      const plan = new FaultPlan();
      const target = { bucket: 'b', key: 'k' };
      plan.corruptNextCopy(target);
      plan.corruptNextCopy(target);

      // Act
      const taken = [
        plan.takeCorruption('b', 'k'),
        plan.takeCorruption('b', 'k'),
        plan.takeCorruption('b', 'k'),
      ];

      // Assert
      expect(taken).toEqual([true, true, false]);
    });
  });

  describe('validation', () => {
    it('requires latencyMs for a latency rule', () => {
      // Arrange
      const plan = new FaultPlan();

      // Act
      const error = thrownBy(() => plan.add({ kind: 'latency' }));

      // Assert
      expect(error.message).toContain("latencyMs: is required for kind 'latency'");
    });

    it('rejects latencyMs on a failure rule', () => {
      // Arrange
      const rules: FaultRule[] = [{ kind: 'slowdown', latencyMs: 10 }];

      // Act
      const error = thrownBy(() => new FaultPlan({ rules }));

      // Assert
      expect(error.issues).toEqual(["[0].latencyMs: is only allowed for kind 'latency', not 'slowdown'"]);
    });

    it('rejects a rate outside 0..1 naming the field', () => {
      // Arrange
      const plan = new FaultPlan();

      // Act
      const error = thrownBy(() => plan.add({ kind: 'reset', rate: 1.5 }));

      // Assert
      expect(error.issues).toEqual(['rate: must be between 0 and 1']);
      expect(plan.list()).toEqual([]);
    });

    it('rejects an unknown operation name', () => {
      // Arrange
      const plan = new FaultPlan();

      // Act
      const error = thrownBy(() => plan.add({ kind: 'reset', operations: ['PutObjects'] }));

      // Assert
      expect(error.message).toContain('operations[0]: unknown S3 operation "PutObjects"');
    });

    it('rejects a non-integer seed', () => {
      // Arrange
      const options = { seed: 1.5 };

      // Act
      const error = thrownBy(() => new FaultPlan(options));

      // Assert
      expect(error.issues).toEqual(['seed: must be an integer']);
    });
  });
});

describe('parseFaultRules', () => {
  it('parses a JSON array of rules, keeping only the fields that are set', () => {
    // Arrange
    const json = JSON.parse(
      '[{"kind":"slowdown","operations":["CopyObject"],"rate":0.1},{"kind":"latency","latencyMs":200,"times":3}]',
    ) as unknown;

    // Act
    const rules = parseFaultRules(json);

    // Assert
    expect(rules).toEqual([
      { kind: 'slowdown', operations: ['CopyObject'], rate: 0.1 },
      { kind: 'latency', latencyMs: 200, times: 3 },
    ]);
  });

  it('accepts a single rule object', () => {
    // Arrange
    const json: unknown = { kind: 'access-denied', bucket: 'artifacts-seoul', prefix: 'releases/' };

    // Act
    const rules = parseFaultRules(json);

    // Assert
    expect(rules).toEqual([{ kind: 'access-denied', bucket: 'artifacts-seoul', prefix: 'releases/' }]);
  });

  it('lists every problem of every rule with its path', () => {
    // Arrange
    const json: unknown = [
      { kind: 'slowdown', rte: 0.5 },
      { kind: 'explode' },
      { kind: 'latency', latencyMs: -1, times: 0 },
    ];

    // Act
    const error = thrownBy(() => parseFaultRules(json));

    // Assert
    expect(error.issues).toEqual([
      '[0]: unknown field "rte"',
      '[1].kind: must be one of slowdown, internal-error, reset, latency, access-denied',
      '[2].latencyMs: must be ≥ 0',
      '[2].times: must be ≥ 1',
    ]);
  });

  it('rejects something that is neither a rule nor a list of rules', () => {
    // Arrange
    const json: unknown = 'slowdown';

    // Act
    const error = thrownBy(() => parseFaultRules(json));

    // Assert
    expect(error.issues).toEqual(['(rules): must be an array of fault rules']);
  });

  it('reports a list element that is not an object', () => {
    // Arrange
    const json: unknown = [42];

    // Act
    const error = thrownBy(() => parseFaultRules(json));

    // Assert
    expect(error.issues).toEqual(['[0]: must be an object']);
  });
});
