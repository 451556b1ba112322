import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  buildRelayJsonSchema,
  RELAY_SCHEMA_FILE,
  renderRelayJsonSchema,
} from '../../../../core/config/json-schema.ts';

const COMMITTED = fileURLToPath(new URL(`../../../../${RELAY_SCHEMA_FILE}`, import.meta.url));

describe('relay.schema.json', () => {
  it('is current (regenerate with: npx tsx scripts/generate-schema.ts)', async () => {
    // Arrange
    const expected = renderRelayJsonSchema();

    // Act
    const committed = await readFile(COMMITTED, 'utf8');

    // Assert
    expect(committed).toBe(expected);
  });

  it('is a draft 2020-12 schema that rejects unknown keys and describes the file as written', () => {
    // Arrange / Act
    const schema = buildRelayJsonSchema() as {
      $schema: string;
      additionalProperties: boolean;
      required: string[];
      properties: Record<string, { default?: unknown }>;
    };

    // Assert
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['sources']);
    expect(Object.keys(schema.properties)).toEqual(['$schema', 'sources', 'defaults', 'alarms', 'waves']);
    expect(schema.properties.defaults?.default).toEqual({});
  });

  it('advertises the bucket name and region patterns to editors', () => {
    // Arrange
    const text = renderRelayJsonSchema();

    // Act
    const patterns = [...text.matchAll(/"pattern": "([^"]+)"/g)].map((m) => m[1]);

    // Assert
    expect(patterns).toContain('^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$');
    expect(patterns).toContain('^([a-z]{2}(-gov|-iso[a-z]?)?|eusc-[a-z]{2})-[a-z]+-[0-9]{1,2}$');
  });
});
