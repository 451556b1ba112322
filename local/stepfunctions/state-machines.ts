/** The state machines of the local Step Functions: create, describe, list, update, delete. */
import { randomUUID } from 'node:crypto';
import { isValidName, parseStateMachineArn, stateMachineArn } from './arn.ts';
import { parseDefinition, sameDefinition } from './definition.ts';
import {
  invalidArn,
  invalidName,
  stateMachineAlreadyExists,
  stateMachineDoesNotExist,
  stateMachineTypeNotSupported,
  validation,
} from './errors.ts';
import type { StateMachineRecord } from './model.ts';
import { paginate } from './paging.ts';
import type { StepFunctionsStore } from './store.ts';

export interface CreateStateMachineInput {
  readonly name: string;
  readonly definition: string;
  readonly roleArn: string;
  readonly type?: string | undefined;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;

function checkRoleArn(roleArn: string): void {
  if (!ROLE_ARN.test(roleArn)) throw invalidArn(roleArn);
}

export class StateMachineRegistry {
  private readonly machines = new Map<string, StateMachineRecord>();

  constructor(
    private readonly store: StepFunctionsStore,
    private readonly accountId: string,
  ) {}

  async load(): Promise<void> {
    for (const record of await this.store.loadStateMachines()) {
      this.machines.set(record.stateMachineArn, record);
    }
  }

  /** The state machine `arn` names; `InvalidArn` / `StateMachineDoesNotExist` otherwise. */
  get(arn: string): StateMachineRecord {
    if (!parseStateMachineArn(arn)) throw invalidArn(arn);
    const record = this.machines.get(arn);
    if (!record) throw stateMachineDoesNotExist(arn);
    return record;
  }

  has(arn: string): boolean {
    return this.machines.has(arn);
  }

  /**
   * Creates a state machine. Idempotent like AWS: the same name with the same definition and type returns
   * the existing one (role differences are ignored); a different definition is `StateMachineAlreadyExists`.
   */
  async create(
    input: CreateStateMachineInput,
    region: string,
  ): Promise<{ stateMachineArn: string; creationDate: Date }> {
    if (!isValidName(input.name)) throw invalidName(input.name);
    const type = input.type ?? 'STANDARD';
    if (type !== 'STANDARD') throw stateMachineTypeNotSupported(type);
    checkRoleArn(input.roleArn);
    parseDefinition(input.definition);
    const arn = stateMachineArn(region, this.accountId, input.name);
    const existing = this.machines.get(arn);
    if (existing) {
      if (!sameDefinition(existing.definition, input.definition)) throw stateMachineAlreadyExists(arn);
      return { stateMachineArn: arn, creationDate: new Date(existing.creationDate) };
    }
    const record: StateMachineRecord = {
      stateMachineArn: arn,
      name: input.name,
      region,
      definition: input.definition,
      roleArn: input.roleArn,
      type: 'STANDARD',
      creationDate: new Date().toISOString(),
      revisionId: randomUUID(),
    };
    await this.store.saveStateMachine(record);
    this.machines.set(arn, record);
    return { stateMachineArn: arn, creationDate: new Date(record.creationDate) };
  }

  /** The DescribeStateMachine answer. */
  describe(arn: string): Record<string, unknown> {
    const record = this.get(arn);
    return {
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: 'ACTIVE',
      definition: record.definition,
      roleArn: record.roleArn,
      type: record.type,
      creationDate: new Date(record.creationDate),
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
      revisionId: record.revisionId,
    };
  }

  /** ListStateMachines for one region, by name. */
  list(
    region: string,
    options: { maxResults?: number | undefined; nextToken?: string | undefined },
  ): { stateMachines: Record<string, unknown>[]; nextToken?: string } {
    const items = [...this.machines.values()]
      .filter((record) => record.region === region)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const { page, nextToken } = paginate(items, (record) => record.stateMachineArn, {
      ...options,
      scope: `state-machines:${region}`,
    });
    const stateMachines = page.map((record) => ({
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      type: record.type,
      creationDate: new Date(record.creationDate),
    }));
    return nextToken ? { stateMachines, nextToken } : { stateMachines };
  }

  /** UpdateStateMachine: a new definition and/or role; running executions keep the one they started with. */
  async update(
    arn: string,
    changes: { definition?: string | undefined; roleArn?: string | undefined },
  ): Promise<{ updateDate: Date; revisionId: string }> {
    const record = this.get(arn);
    if (changes.definition === undefined && changes.roleArn === undefined) {
      throw validation('Either the definition or the roleArn must be specified');
    }
    if (changes.definition !== undefined) parseDefinition(changes.definition);
    if (changes.roleArn !== undefined) checkRoleArn(changes.roleArn);
    const updated: StateMachineRecord = {
      ...record,
      ...(changes.definition !== undefined ? { definition: changes.definition } : {}),
      ...(changes.roleArn !== undefined ? { roleArn: changes.roleArn } : {}),
      updateDate: new Date().toISOString(),
      revisionId: randomUUID(),
    };
    await this.store.saveStateMachine(updated);
    this.machines.set(arn, updated);
    return { updateDate: new Date(updated.updateDate ?? Date.now()), revisionId: updated.revisionId };
  }

  /** DeleteStateMachine; deleting one that does not exist succeeds, as in AWS. */
  async delete(arn: string): Promise<void> {
    if (!parseStateMachineArn(arn)) throw invalidArn(arn);
    const record = this.machines.get(arn);
    if (!record) return;
    this.machines.delete(arn);
    await this.store.deleteStateMachine(record);
  }
}
