import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types (scripts/openapi-normalize.mjs)
import { normalizeOpenApi } from '../../scripts/openapi-normalize.mjs';

describe('OpenAPI normalization before type generation', () => {
  const doc = {
    components: {
      schemas: {
        A: {
          type: 'object',
          properties: {
            version: { pattern: '^-?(?:0|[1-9]\\d*)$', type: ['integer', 'string'], format: 'int32' },
            published: { pattern: '^-?(?:0|[1-9]\\d*)$', type: ['null', 'integer', 'string'], format: 'int32' },
            amount: { pattern: 'x', type: ['number', 'string'], format: 'double' },
            name: { type: 'string' },
            either: { type: ['null', 'string'] },
          },
        },
        JsonObject: { type: 'object' },
      },
    },
  };
  it('describes numbers as numbers and keeps strings', () => {
    const out = normalizeOpenApi(doc);
    const p = out.components.schemas.A.properties;
    expect(p.version).toEqual({ type: 'integer', format: 'int32' });
    expect(p.published).toEqual({ type: ['null', 'integer'], format: 'int32' });
    expect(p.amount.type).toBe('number');
    expect(p.name).toEqual({ type: 'string' });
    expect(p.either).toEqual({ type: ['null', 'string'] });
  });
  it('treats JsonObject as any object and does not modify its input', () => {
    const out = normalizeOpenApi(doc);
    expect(out.components.schemas.JsonObject).toEqual({ type: 'object', additionalProperties: {} });
    expect(doc.components.schemas.JsonObject).toEqual({ type: 'object' });
    expect(doc.components.schemas.A.properties.version.type).toEqual(['integer', 'string']);
  });
});
