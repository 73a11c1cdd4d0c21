/** The route model's JSON Schema (generator/model/route-model.schema.json) describes what the builder writes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES } from '../generator/diagnostics.js';
import { SCHEMA_VERSION } from '../generator/model/types.js';
import { fixtureCases, fixtureModel, repoRoot } from './helpers.js';

const schema = JSON.parse(readFileSync(join(repoRoot, 'generator/model/route-model.schema.json'), 'utf8'));
const validate = new Ajv2020.default({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);

describe('route model JSON Schema', () => {
  it.each(fixtureCases())('validates the model of %s', (name) => {
    const model = fixtureModel(name);
    const ok = validate(model);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    for (const d of model.diagnostics) expect(Object.keys(DIAGNOSTIC_CODES)).toContain(d.code);
  });

  it('rejects a model with an unknown field or a wrong type', () => {
    const model = structuredClone(fixtureModel('era-2021-path')) as unknown as { routes: Array<Record<string, unknown>> };
    model.routes[0]!['surprise'] = 1;
    expect(validate(model)).toBe(false);
    const other = structuredClone(fixtureModel('era-2021-path')) as unknown as { routes: Array<Record<string, unknown>> };
    other.routes[0]!['projectScoped'] = 'yes';
    expect(validate(other)).toBe(false);
  });

  it('carries the schema version of the code', () => {
    expect(schema.properties.schemaVersion.const).toBe(SCHEMA_VERSION);
  });
});
