import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventBridgeBridge, InvalidRuleNameError } from '../../../../local/eventbridge/bridge.ts';
import { type EventPattern, InvalidEventPatternError } from '../../../../local/eventbridge/pattern.ts';
import type { S3BucketEvent, S3ObjectCreatedEvent } from '../../../../local/types.ts';

const objectCreated = JSON.parse(
  readFileSync(new URL('../../../fixtures/events/eventbridge-object-created.json', import.meta.url), 'utf8'),
) as S3ObjectCreatedEvent;

const SOURCE_RULE: EventPattern = {
  source: ['aws.s3'],
  'detail-type': ['Object Created'],
  detail: {
    bucket: { name: ['build-artifacts-oregon'] },
    object: { key: [{ wildcard: 'build_artifacts/*.zip' }] },
  },
};

function eventWith(id: string, key: string): S3ObjectCreatedEvent {
  return {
    ...objectCreated,
    id,
    detail: { ...objectCreated.detail, object: { ...objectCreated.detail.object, key } },
  };
}

function recorder(): {
  received: S3BucketEvent[];
  target: (e: S3BucketEvent) => Promise<void>;
} {
  const received: S3BucketEvent[] = [];
  return {
    received,
    target: async (event) => {
      received.push(event);
    },
  };
}

describe('EventBridgeBridge', () => {
  it('delivers a matching event to the rule target', async () => {
    // Arrange
    const bridge = new EventBridgeBridge();
    const { received, target } = recorder();
    bridge.addRule({ name: 'relay-web-bundles', eventPattern: SOURCE_RULE, target });

    // Act
    bridge.publish(objectCreated);
    await bridge.idle();

    // Assert
    expect(received).toEqual([objectCreated]);
    expect(received[0]?.detail.object.key).toBe('build_artifacts/10:47:07 web.zip');
    expect(bridge.deliveries()).toEqual([{ rule: 'relay-web-bundles', eventId: objectCreated.id, ok: true }]);
  });

  it('does not deliver an event the pattern rejects', async () => {
    // Arrange
    const bridge = new EventBridgeBridge();
    const { received, target } = recorder();
    bridge.addRule({ name: 'relay-web-bundles', eventPattern: SOURCE_RULE, target });

    // Act
    bridge.publish(eventWith('e-tar', 'build_artifacts/web.tar'));
    await bridge.idle();

    // Assert
    expect(received).toEqual([]);
    expect(bridge.deliveries()).toEqual([]);
  });

  it('delivers asynchronously, after publish has returned', async () => {
    // Arrange
    const bridge = new EventBridgeBridge();
    const { received, target } = recorder();
    bridge.addRule({ name: 'r', eventPattern: SOURCE_RULE, target });

    // Act
    bridge.publish(objectCreated);
    const duringPublish = received.length;
    await bridge.idle();

    // Assert
    expect(duringPublish).toBe(0);
    expect(received).toHaveLength(1);
  });

  it('delivers to every matching rule, each with its own copy of the event', async () => {
    // Arrange
    const bridge = new EventBridgeBridge();
    const first = recorder();
    const second = recorder();
    const other = recorder();
    bridge.addRule({
      name: 'mutating',
      eventPattern: { source: ['aws.s3'] },
      target: async (event) => {
        (event.detail.object as { key: string }).key = 'changed';
        await first.target(event);
      },
    });
    bridge.addRule({ name: 'second', eventPattern: SOURCE_RULE, target: second.target });
    bridge.addRule({
      name: 'other-bucket',
      eventPattern: { detail: { bucket: { name: ['x'] } } },
      target: other.target,
    });

    // Act
    bridge.publish(objectCreated);
    await bridge.idle();

    // Assert
    expect(first.received).toHaveLength(1);
    expect(second.received[0]?.detail.object.key).toBe('build_artifacts/10:47:07 web.zip');
    expect(objectCreated.detail.object.key).toBe('build_artifacts/10:47:07 web.zip');
    expect(other.received).toEqual([]);
    expect(bridge.deliveries().map((d) => d.rule)).toEqual(['mutating', 'second']);
  });

  it('records a target failure without propagating it, and keeps delivering to others', async () => {
    // Arrange
    const lines: string[] = [];
    const bridge = new EventBridgeBridge({ log: (line) => lines.push(line) });
    const healthy = recorder();
    class ExecutionAlreadyExists extends Error {
      override readonly name = 'ExecutionAlreadyExists';
    }
    bridge.addRule({
      name: 'broken',
      eventPattern: SOURCE_RULE,
      target: async () => {
        throw new ExecutionAlreadyExists('execution relay-123 already exists');
      },
    });
    bridge.addRule({
      name: 'throws-synchronously',
      eventPattern: SOURCE_RULE,
      target: () => {
        throw new Error('not even a promise');
      },
    });
    bridge.addRule({ name: 'healthy', eventPattern: SOURCE_RULE, target: healthy.target });

    // Act
    bridge.publish(objectCreated);
    await bridge.idle();

    // Assert
    const byRule = [...bridge.deliveries()].sort((a, b) => a.rule.localeCompare(b.rule));
    expect(byRule).toEqual([
      {
        rule: 'broken',
        eventId: objectCreated.id,
        ok: false,
        error: 'ExecutionAlreadyExists: execution relay-123 already exists',
      },
      { rule: 'healthy', eventId: objectCreated.id, ok: true },
      { rule: 'throws-synchronously', eventId: objectCreated.id, ok: false, error: 'not even a promise' },
    ]);
    expect(healthy.received).toHaveLength(1);
    expect(lines).toHaveLength(2);
    expect(lines.find((line) => line.includes('rule broken:'))).toContain(objectCreated.id);
  });

  it('replaces a rule of the same name', async () => {
    // Arrange
    const bridge = new EventBridgeBridge();
    const old = recorder();
    const replacement = recorder();
    bridge.addRule({ name: 'relay', eventPattern: SOURCE_RULE, target: old.target });

    // Act
    bridge.addRule({
      name: 'relay',
      eventPattern: { detail: { reason: ['CopyObject'] } },
      target: replacement.target,
    });
    bridge.publish(objectCreated);
    await bridge.idle();

    // Assert
    expect(bridge.listRules()).toEqual([
      { name: 'relay', eventPattern: { detail: { reason: ['CopyObject'] } } },
    ]);
    expect(old.received).toEqual([]);
    expect(replacement.received).toEqual([]);
  });

  it('stops delivering to a removed rule', async () => {
    // Arrange
    const bridge = new EventBridgeBridge();
    const { received, target } = recorder();
    bridge.addRule({ name: 'relay', eventPattern: SOURCE_RULE, target });

    // Act
    const removed = bridge.removeRule('relay');
    bridge.publish(objectCreated);
    await bridge.idle();

    // Assert
    expect(removed).toBe(true);
    expect(bridge.removeRule('relay')).toBe(false);
    expect(bridge.listRules()).toEqual([]);
    expect(received).toEqual([]);
  });

  it('lists rules in the order they were added', () => {
    // Arrange
    const bridge = new EventBridgeBridge();
    const { target } = recorder();

    // Act
    bridge.addRule({ name: 'b-rule', eventPattern: SOURCE_RULE, target });
    bridge.addRule({ name: 'a-rule', eventPattern: { source: ['aws.s3'] }, target });

    // Assert
    expect(bridge.listRules().map((r) => r.name)).toEqual(['b-rule', 'a-rule']);
  });

  it('rejects an invalid pattern when the rule is added', () => {
    // Arrange
    const bridge = new EventBridgeBridge();
    const { target } = recorder();
    const eventPattern = { detail: { object: { key: 'build_artifacts/' } } } as unknown as EventPattern;

    // Act
    const act = () => bridge.addRule({ name: 'relay', eventPattern, target });

    // Assert
    expect(act).toThrow(InvalidEventPatternError);
    expect(act).toThrow('detail.object.key');
    expect(bridge.listRules()).toEqual([]);
  });

  it('rejects a rule name EventBridge would refuse', () => {
    // Arrange
    const bridge = new EventBridgeBridge();
    const { target } = recorder();

    // Act
    const act = () => bridge.addRule({ name: 'relay web', eventPattern: SOURCE_RULE, target });

    // Assert
    expect(act).toThrow(InvalidRuleNameError);
  });

  it('waits in idle until deliveries in flight settle, including ones they start', async () => {
    // Arrange
    const bridge = new EventBridgeBridge();
    const order: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    bridge.addRule({
      name: 'slow',
      eventPattern: { id: ['first'] },
      target: async (event) => {
        await gate;
        order.push(event.id);
        bridge.publish(eventWith('second', event.detail.object.key));
      },
    });
    bridge.addRule({
      name: 'follow-up',
      eventPattern: { id: ['second'] },
      target: async (event) => {
        order.push(event.id);
      },
    });
    bridge.publish(eventWith('first', 'build_artifacts/a.zip'));
    let idle = false;
    const waiting = bridge.idle().then(() => {
      idle = true;
    });

    // Act
    await Promise.resolve();
    const idleBeforeRelease = idle;
    release();
    await waiting;

    // Assert
    expect(idleBeforeRelease).toBe(false);
    expect(order).toEqual(['first', 'second']);
    expect(bridge.deliveries().map((d) => `${d.rule}:${d.eventId}:${d.ok}`)).toEqual([
      'slow:first:true',
      'follow-up:second:true',
    ]);
  });

  it('resolves idle at once when nothing is in flight', async () => {
    // Arrange
    const bridge = new EventBridgeBridge();

    // Act
    const result = await bridge.idle();

    // Assert
    expect(result).toBeUndefined();
  });

  it('keeps only the newest delivery records', async () => {
    // Arrange
    const bridge = new EventBridgeBridge({ maxDeliveryRecords: 2 });
    const { target } = recorder();
    bridge.addRule({ name: 'relay', eventPattern: SOURCE_RULE, target });

    // Act
    for (const id of ['e1', 'e2', 'e3']) bridge.publish(eventWith(id, 'build_artifacts/x.zip'));
    await bridge.idle();

    // Assert
    expect(bridge.deliveries().map((d) => d.eventId)).toEqual(['e2', 'e3']);
  });

  it('can be handed over as an unbound event sink', async () => {
    // Arrange
    const bridge = new EventBridgeBridge();
    const { received, target } = recorder();
    bridge.addRule({ name: 'relay', eventPattern: SOURCE_RULE, target });
    const sink = bridge.publish;

    // Act
    sink(objectCreated);
    await bridge.idle();

    // Assert
    expect(received).toHaveLength(1);
  });
});
