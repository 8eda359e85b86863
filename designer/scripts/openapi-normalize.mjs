// Pure adjustments of the server's OpenAPI document before type generation (tested in src/lib/openapi.test.ts).

const numeric = new Set(['integer', 'number']);

/** `["integer","string"]` (+ pattern) → `"integer"`; `["null","integer","string"]` → `["null","integer"]`. */
function fixNumber(schema) {
  if (!Array.isArray(schema.type)) return;
  if (!schema.type.some((t) => numeric.has(t)) || !schema.type.includes('string')) return;
  const types = schema.type.filter((t) => t !== 'string');
  schema.type = types.length === 1 ? types[0] : types;
  delete schema.pattern;
}

function walk(node) {
  if (Array.isArray(node)) {
    node.forEach(walk);
    return;
  }
  if (!node || typeof node !== 'object') return;
  fixNumber(node);
  for (const v of Object.values(node)) walk(v);
}

/** Returns a normalized deep copy of an OpenAPI document. */
export function normalizeOpenApi(doc) {
  const copy = structuredClone(doc);
  walk(copy);
  const schemas = copy.components?.schemas ?? {};
  if (schemas.JsonObject) schemas.JsonObject = { type: 'object', additionalProperties: {} };
  return copy;
}
