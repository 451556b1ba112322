/**
 * The executions list's filters: by start time (ListExecutions' `startDate`, describing only what
 * matches, never reading past `since`, continuing in the middle of a ListExecutions page) and by source
 * key (searching the page asked for, describing nothing beyond it).
 */

import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseStateMachineArn } from '../../../cli/aws/arn.ts';
import type { ExecutionSummary } from '../../../console/api-types.ts';
import { matchesKey } from '../../../console/key-filter.ts';
import type { ConsoleBackend } from '../../../console/server/api.ts';
import { decodeCursor } from '../../../console/server/cursor.ts';
import { handleRequest, type RouteDeps } from '../../../console/server/routes.ts';
import { parseConfig } from '../../../core/config/parse.ts';

const MACHINE_ARN = 'arn:aws:states:us-west-2:111122223333:stateMachine:artifact-relay';
const arnOf = (name: string) => `arn:aws:states:us-west-2:111122223333:execution:artifact-relay:${name}`;

const sfn = mockClient(SFNClient);
const backend: ConsoleBackend = {
  sfnFor: () => new SFNClient({ region: 'us-west-2' }),
  s3For: (region) => new S3Client({ region }),
  codeDeployFor: (region) => new CodeDeployClient({ region }),
  machine: async () => parseStateMachineArn(MACHINE_ARN)!,
  config: async () => parseConfig({ sources: [] }, 'test config'),
};
const deps: RouteDeps = { backend, token: 't', ui: async () => ({ script: '', style: '' }) };
const HOST = { host: '127.0.0.1:4567' };

function item(name: string, startDate: string) {
  return {
    executionArn: arnOf(name),
    stateMachineArn: MACHINE_ARN,
    name,
    status: 'SUCCEEDED' as const,
    startDate: new Date(startDate),
  };
}

function describedAs(name: string, startDate: string) {
  return {
    executionArn: arnOf(name),
    stateMachineArn: MACHINE_ARN,
    name,
    status: 'SUCCEEDED' as const,
    startDate: new Date(startDate),
    stopDate: new Date(startDate),
    input: JSON.stringify({ bucket: 'src', key: `builds/${name}.zip` }),
    redriveCount: 0,
  };
}

beforeEach(() => {
  sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
});

afterEach(() => {
  sfn.reset();
});

describe('the executions list filter by start time', () => {
  it('describes only the executions started within since and until, and stops at one older than since', async () => {
    // Arrange
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        item('late', '2026-12-01T12:00:00Z'),
        item('inside', '2026-12-01T10:00:00Z'),
        item('early', '2026-12-01T08:00:00Z'),
      ],
      nextToken: 'n2',
    });
    sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
      const name = input.executionArn.split(':').at(-1) ?? '';
      return describedAs(name, '2026-12-01T10:00:00Z');
    });

    // Act
    const reply = await handleRequest(
      {
        method: 'GET',
        url: '/api/executions?since=2026-12-01T09:00:00Z&until=2026-12-01T11:00:00Z',
        headers: HOST,
      },
      deps,
    );

    // Assert
    expect(reply.status).toBe(200);
    const body = JSON.parse(reply.body);
    expect(body.executions.map((e: ExecutionSummary) => e.name)).toEqual(['inside']);
    expect(body.nextToken).toBeNull();
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(1);
    expect(sfn.commandCalls(ListExecutionsCommand)).toHaveLength(1);
  });

  it('passes over pages newer than until without describing them', async () => {
    // Arrange
    sfn
      .on(ListExecutionsCommand)
      .resolves({ executions: [item('new', '2026-12-02T00:00:00Z')], nextToken: 'n2' });
    sfn
      .on(ListExecutionsCommand, { nextToken: 'n2' })
      .resolves({ executions: [item('old', '2026-11-30T00:00:00Z')], nextToken: 'n3' });
    sfn.on(ListExecutionsCommand, { nextToken: 'n3' }).resolves({ executions: [] });
    sfn.on(DescribeExecutionCommand).resolves(describedAs('old', '2026-11-30T00:00:00Z'));

    // Act
    const reply = await handleRequest(
      { method: 'GET', url: '/api/executions?until=2026-12-01T00:00:00Z', headers: HOST },
      deps,
    );

    // Assert
    const body = JSON.parse(reply.body);
    expect(body.executions.map((e: ExecutionSummary) => e.name)).toEqual(['old']);
    expect(body.nextToken).toBeNull();
    expect(body.scanned).toBe(2);
    expect(sfn.commandCalls(ListExecutionsCommand)).toHaveLength(3);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(1);
  });

  it('ends a full page in the middle of a ListExecutions page and goes on from there', async () => {
    // Arrange
    const names = ['a', 'b', 'c', 'd'];
    sfn.on(ListExecutionsCommand).resolves({
      executions: names.map((name) => item(name, '2026-11-30T00:00:00Z')),
      nextToken: 'n2',
    });
    sfn.on(ListExecutionsCommand, { nextToken: 'n2' }).resolves({ executions: [] });
    sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
      const name = input.executionArn.split(':').at(-1) ?? '';
      return describedAs(name, '2026-11-30T00:00:00Z');
    });
    const url = '/api/executions?until=2026-12-01T00:00:00Z&limit=3';

    // Act
    const first = JSON.parse((await handleRequest({ method: 'GET', url, headers: HOST }, deps)).body);
    const second = JSON.parse(
      (
        await handleRequest(
          { method: 'GET', url: `${url}&next=${encodeURIComponent(first.nextToken)}`, headers: HOST },
          deps,
        )
      ).body,
    );

    // Assert
    expect(first.executions.map((e: ExecutionSummary) => e.name)).toEqual(['a', 'b', 'c']);
    expect(second.executions.map((e: ExecutionSummary) => e.name)).toEqual(['d']);
    expect(second.nextToken).toBeNull();
    const reads = sfn.commandCalls(ListExecutionsCommand).map((call) => call.args[0].input);
    expect(reads[0]).toMatchObject({ maxResults: 1000 });
    expect(reads[0]?.nextToken).toBeUndefined();
    expect(reads[1]?.nextToken).toBeUndefined();
    expect(reads[2]).toMatchObject({ nextToken: 'n2', maxResults: 1000 });
  });

  it('answers 400 BadRequest to a since that is not a date', async () => {
    // Arrange / Act
    const reply = await handleRequest(
      { method: 'GET', url: '/api/executions?since=yesterday', headers: HOST },
      deps,
    );

    // Assert
    expect(reply.status).toBe(400);
    expect(sfn.commandCalls(ListExecutionsCommand)).toHaveLength(0);
  });

  it('answers 400 BadRequest when since is later than until', async () => {
    // Arrange / Act
    const reply = await handleRequest(
      {
        method: 'GET',
        url: '/api/executions?since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z',
        headers: HOST,
      },
      deps,
    );

    // Assert
    expect(reply.status).toBe(400);
  });
});

describe('the executions list filter by source key', () => {
  it('describes only the page asked for and answers the rows whose source key matches, with how many it searched', async () => {
    // Arrange
    sfn.on(ListExecutionsCommand).resolves({
      executions: ['web-1', 'api-1', 'web-2'].map((name) => item(name, '2026-12-01T10:00:00Z')),
      nextToken: 'n2',
    });
    sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
      const name = input.executionArn.split(':').at(-1) ?? '';
      return describedAs(name, '2026-12-01T10:00:00Z');
    });

    // Act
    const reply = await handleRequest(
      { method: 'GET', url: '/api/executions?key=builds/WEB&limit=3', headers: HOST },
      deps,
    );

    // Assert
    const body = JSON.parse(reply.body);
    expect(body.executions.map((e: ExecutionSummary) => e.name)).toEqual(['web-1', 'web-2']);
    expect(body.scanned).toBe(3);
    expect(decodeCursor(body.nextToken, 3)).toMatchObject({ token: 'n2', skip: 0 });
    expect(sfn.commandCalls(ListExecutionsCommand)).toHaveLength(1);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(3);
  });

  it('answers 400 BadRequest to a next token it did not give out', async () => {
    // Arrange / Act
    const reply = await handleRequest(
      { method: 'GET', url: '/api/executions?next=not-a-token', headers: HOST },
      deps,
    );

    // Assert
    expect(reply.status).toBe(400);
    expect(sfn.commandCalls(ListExecutionsCommand)).toHaveLength(0);
  });

  const row = {
    executionArn: arnOf('web-1-abc'),
    name: 'web-1-abc',
    source: { bucket: 'src', key: 'builds/web-1.zip' },
  } as ExecutionSummary;

  it('matches a loaded execution by part of its source key, ignoring case', () => {
    // Arrange / Act / Assert
    expect(matchesKey(row, 'BUILDS/web')).toBe(true);
    expect(matchesKey(row, 's3://src/builds/')).toBe(true);
  });

  it('matches by execution name when the input is unknown', () => {
    // Arrange / Act / Assert
    expect(matchesKey({ ...row, source: null }, 'web-1')).toBe(true);
    expect(matchesKey({ ...row, source: null }, 'api')).toBe(false);
  });

  it('keeps every row when the filter is empty', () => {
    // Arrange / Act / Assert
    expect(matchesKey(row, '  ')).toBe(true);
  });
});
