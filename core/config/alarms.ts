import * as z from 'zod/mini';
import '../schema-locale.ts';

/**
 * Who the relay's CloudWatch alarms notify: an existing SNS topic (by ARN), or an e-mail address
 * (the stack then creates a topic with an e-mail subscription, which the recipient must confirm).
 * The shape of a topic ARN follows the Amazon SNS API reference (`arn:<partition>:sns:<region>:
 * <account>:<topic name>`; a name is 1-256 letters, digits, hyphens and underscores, `.fifo` at
 * the end of a FIFO topic's). Read by the CDK app only; the task functions ignore it.
 */

/** Pattern of an SNS topic ARN. */
export const SNS_TOPIC_ARN_PATTERN =
  '^arn:aws[a-z-]*:sns:([a-z]{2}(-gov|-iso[a-z]?)?|eusc-[a-z]{2})-[a-z]+-[0-9]{1,2}:[0-9]{12}:[A-Za-z0-9_-]{1,251}(\\.fifo)?$';

const SNS_TOPIC_ARN_REGEX = new RegExp(SNS_TOPIC_ARN_PATTERN);

/** The parts of an SNS topic ARN the relay checks. */
export interface SnsTopicArn {
  readonly region: string;
  readonly account: string;
  readonly name: string;
}

/** Splits an SNS topic ARN, or `undefined` when `arn` is not one. */
export function parseSnsTopicArn(arn: string): SnsTopicArn | undefined {
  if (!SNS_TOPIC_ARN_REGEX.test(arn)) return undefined;
  const [, , , region, account, name] = arn.split(':');
  if (region === undefined || account === undefined || name === undefined) return undefined;
  return { region, account, name };
}

/** Pattern of an e-mail address: something, `@`, a domain with a dot; no spaces. */
export const EMAIL_PATTERN = '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$';

const EMAIL_REGEX = new RegExp(EMAIL_PATTERN);

/** Whether `value` looks like an e-mail address. */
export function isEmailAddress(value: string): boolean {
  return EMAIL_REGEX.test(value);
}

/** The configuration's `alarms`. */
export const alarmsSchema = z
  .strictObject({
    topicArn: z
      .optional(
        z.string().check(
          z.superRefine((value, ctx) => {
            if (parseSnsTopicArn(value) === undefined) {
              ctx.addIssue({
                code: 'custom',
                message: 'not an SNS topic ARN',
                input: value,
                params: { allowed: 'arn:aws:sns:<region>:<account>:<topic name>' },
              });
            }
          }),
        ),
      )
      .check(
        z.meta({
          description:
            "An existing SNS topic (in the relay's region) the alarms notify on ALARM and on OK; its access policy must let cloudwatch.amazonaws.com publish.",
          pattern: SNS_TOPIC_ARN_PATTERN,
        }),
      ),
    email: z
      .optional(
        z.string().check(
          z.superRefine((value, ctx) => {
            if (!isEmailAddress(value)) {
              ctx.addIssue({
                code: 'custom',
                message: 'not an e-mail address',
                input: value,
                params: { allowed: 'an address such as ops@example.com' },
              });
            }
          }),
        ),
      )
      .check(
        z.meta({
          description:
            'An e-mail address the alarms notify: the stack creates a topic and subscribes the address (AWS sends a confirmation mail first).',
          pattern: EMAIL_PATTERN,
        }),
      ),
  })
  .check(
    z.superRefine((value, ctx) => {
      if (value.topicArn !== undefined && value.email !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['email'],
          message: 'give topicArn or email, not both (subscribe the address to the topic instead)',
          input: value.email,
          params: { allowed: 'only one of topicArn and email' },
        });
      }
    }),
    z.meta({
      description:
        'Who the CloudWatch alarms of the CDK stack notify; `-c alarmTopicArn=…` or `-c alarmEmail=…` override it. Without either, the alarms notify nobody (synth warns).',
    }),
  );

/** Who the alarms notify. */
export type AlarmsConfig = z.output<typeof alarmsSchema>;
