import { describe, expect, it } from 'vitest';
import { TOKEN_HEADER } from '../../../console/api-types.ts';
import { ForbiddenError } from '../../../console/server/errors.ts';
import { createToken, guardRequest } from '../../../console/server/guard.ts';

const TOKEN = createToken();

function refusal(request: Parameters<typeof guardRequest>[0]): string | undefined {
  try {
    guardRequest(request, TOKEN);
    return undefined;
  } catch (err) {
    return err instanceof ForbiddenError ? err.code : 'other';
  }
}

describe('the console guard', () => {
  it('serves a GET naming a loopback host', () => {
    // Arrange
    const hosts = ['127.0.0.1:4567', 'localhost:4567', '[::1]:4567', 'console.localhost'];

    // Act
    const found = hosts.map((host) => refusal({ method: 'GET', headers: { host } }));

    // Assert
    expect(found).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('answers 403 HostNotAllowed when the Host is another name (DNS rebinding)', () => {
    // Act
    const found = refusal({ method: 'GET', headers: { host: 'rebind.attacker.example:4567' } });

    // Assert
    expect(found).toBe('HostNotAllowed');
  });

  it('answers 403 InvalidToken to a POST without the token or with another', () => {
    // Act
    const missing = refusal({ method: 'POST', headers: { host: '127.0.0.1:4567' } });
    const wrong = refusal({ method: 'POST', headers: { host: '127.0.0.1:4567', [TOKEN_HEADER]: 'guess' } });

    // Assert
    expect(missing).toBe('InvalidToken');
    expect(wrong).toBe('InvalidToken');
  });

  it('answers 403 CrossOriginRequest to a POST from another origin, even with the token', () => {
    // Act
    const found = refusal({
      method: 'POST',
      headers: { host: '127.0.0.1:4567', origin: 'http://evil.example', [TOKEN_HEADER]: TOKEN },
    });

    // Assert
    expect(found).toBe('CrossOriginRequest');
  });

  it("accepts a POST from the console's own page with the token", () => {
    // Act
    const found = refusal({
      method: 'POST',
      headers: { host: '127.0.0.1:4567', origin: 'http://127.0.0.1:4567', [TOKEN_HEADER]: TOKEN },
    });

    // Assert
    expect(found).toBeUndefined();
  });
});
