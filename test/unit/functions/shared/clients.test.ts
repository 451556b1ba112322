import { describe, expect, it } from 'vitest';
import {
  clientSettingsFromEnv,
  createCodeDeployClientFactory,
  createS3ClientFactory,
} from '../../../../functions/shared/clients.ts';

describe('client factories', () => {
  it('reads the endpoint override and path-style flag from the environment', () => {
    // Arrange
    const env = { RELAY_ENDPOINT_URL: 'http://127.0.0.1:4566', RELAY_S3_FORCE_PATH_STYLE: 'true' };

    // Act
    const settings = clientSettingsFromEnv(env);

    // Assert
    expect(settings).toEqual({ endpoint: 'http://127.0.0.1:4566', forcePathStyle: true });
    expect(clientSettingsFromEnv({})).toEqual({});
  });

  it('creates one S3 client per region and reuses it', async () => {
    // Arrange
    let created = 0;
    const s3ClientFor = createS3ClientFactory(
      { endpoint: 'http://127.0.0.1:4566', forcePathStyle: true },
      (client) => {
        created++;
        return client;
      },
    );

    // Act
    const first = s3ClientFor('eu-central-1');
    const again = s3ClientFor('eu-central-1');
    const other = s3ClientFor('ap-northeast-2');

    // Assert
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(created).toBe(2);
    expect(await first.config.region()).toBe('eu-central-1');
    expect(first.config.forcePathStyle).toBe(true);
    const endpoint = await first.config.endpoint?.();
    expect(endpoint?.hostname).toBe('127.0.0.1');
  });

  it('creates CodeDeploy clients in the asked region', async () => {
    // Arrange
    const codeDeployClientFor = createCodeDeployClientFactory({});

    // Act
    const client = codeDeployClientFor('ap-northeast-2');

    // Assert
    expect(await client.config.region()).toBe('ap-northeast-2');
    expect(codeDeployClientFor('ap-northeast-2')).toBe(client);
  });
});
