import { describe, expect, it } from 'vitest';
import { isEmailAddress, parseSnsTopicArn } from '../../../../core/config/alarms.ts';
import { parseConfig } from '../../../../core/config/parse.ts';
import { ConfigInvalid } from '../../../../core/errors.ts';
import { validConfig } from './valid-config.ts';

function problemsOf(value: unknown): readonly string[] {
  try {
    parseConfig(value, 'test.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigInvalid);
    return (err as ConfigInvalid).problems;
  }
  throw new Error('expected parseConfig to throw ConfigInvalid');
}

describe('the configuration’s alarms', () => {
  it('accepts a topic ARN, and an e-mail address, each alone', () => {
    // Arrange
    const topicArn = 'arn:aws:sns:us-west-2:111122223333:relay-alarms';

    // Act
    const byTopic = parseConfig({ ...validConfig(), alarms: { topicArn } }, 'test.json');
    const byMail = parseConfig({ ...validConfig(), alarms: { email: 'ops@example.com' } }, 'test.json');

    // Assert
    expect(byTopic.alarms).toEqual({ topicArn });
    expect(byMail.alarms).toEqual({ email: 'ops@example.com' });
  });

  it('is optional, and absent when not given', () => {
    // Act
    const config = parseConfig(validConfig(), 'test.json');

    // Assert
    expect(config.alarms).toBeUndefined();
  });

  it('rejects a topic ARN that is not an SNS topic’s, saying what one looks like', () => {
    // Act
    const problems = problemsOf({
      ...validConfig(),
      alarms: { topicArn: 'arn:aws:sqs:us-west-2:111122223333:relay-alarms' },
    });

    // Assert
    expect(problems).toEqual([
      'alarms.topicArn: not an SNS topic ARN (got "arn:aws:sqs:us-west-2:111122223333:relay-alarms"; allowed: arn:aws:sns:<region>:<account>:<topic name>)',
    ]);
  });

  it('rejects an address without a domain, and both a topic and an address at once', () => {
    // Act
    const malformed = problemsOf({ ...validConfig(), alarms: { email: 'ops' } });
    const both = problemsOf({
      ...validConfig(),
      alarms: { topicArn: 'arn:aws:sns:us-west-2:111122223333:relay-alarms', email: 'ops@example.com' },
    });

    // Assert
    expect(malformed).toEqual([expect.stringMatching(/^alarms\.email: not an e-mail address/)]);
    expect(both).toEqual([expect.stringMatching(/^alarms\.email: give topicArn or email, not both/)]);
  });

  it('rejects an unknown key, suggesting the one meant', () => {
    // Act
    const problems = problemsOf({ ...validConfig(), alarms: { emial: 'ops@example.com' } });

    // Assert
    expect(problems).toEqual([expect.stringMatching(/^alarms\.emial: .*email/)]);
  });
});

describe('parseSnsTopicArn', () => {
  it('reads region, account and name, FIFO and other partitions included', () => {
    // Act / Assert
    expect(parseSnsTopicArn('arn:aws:sns:eu-central-1:111122223333:alarms')).toEqual({
      region: 'eu-central-1',
      account: '111122223333',
      name: 'alarms',
    });
    expect(parseSnsTopicArn('arn:aws-cn:sns:cn-north-1:111122223333:alarms.fifo')?.name).toBe('alarms.fifo');
    expect(parseSnsTopicArn('arn:aws:sns:us-west-2:1111:alarms')).toBeUndefined();
    expect(parseSnsTopicArn('arn:aws:sns:us-west-2:111122223333:bad name')).toBeUndefined();
  });
});

describe('isEmailAddress', () => {
  it('takes local@domain.tld and refuses spaces or a missing part', () => {
    // Act / Assert
    expect(isEmailAddress('ops+relay@example.co.uk')).toBe(true);
    expect(isEmailAddress('ops @example.com')).toBe(false);
    expect(isEmailAddress('@example.com')).toBe(false);
    expect(isEmailAddress('ops@localhost')).toBe(false);
  });
});
