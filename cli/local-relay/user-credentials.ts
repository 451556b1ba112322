/**
 * The credentials the user's own AWS CLI would sign with, for `relay local --strict-auth`: resolved once
 * by the AWS SDK's default credential provider chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, then
 * AWS_PROFILE or the default profile of ~/.aws/credentials and ~/.aws/config, SSO, credential_process,
 * container and instance roles), as "Configuration and credential file settings" of the AWS CLI user
 * guide describes the order.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import type { KeyPair } from '../../local/index.ts';
import { CliError } from '../errors.ts';

/** How a person makes credentials available, for the message when none are found. */
const HOW_TO_SET =
  'run `aws configure` (or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE), then start relay local --strict-auth again';

/**
 * The key pair the default provider chain finds.
 * @throws CliError when the chain finds none, saying how to set them.
 */
export async function resolveUserCredentials(): Promise<KeyPair> {
  // Any client's config resolves the chain; the region is irrelevant to credentials.
  const probe = new SFNClient({ region: 'us-east-1' });
  try {
    const { accessKeyId, secretAccessKey } = await probe.config.credentials();
    return { accessKeyId, secretAccessKey };
  } catch (cause) {
    throw new CliError(
      `--strict-auth accepts the credentials your AWS CLI uses, and none were found (${cause instanceof Error ? cause.message : String(cause)}): ${HOW_TO_SET}`,
      undefined,
      { cause },
    );
  } finally {
    probe.destroy();
  }
}
