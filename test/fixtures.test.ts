/**
 * One case per folder under test/fixtures/<case>/: the hand-written source tree in `source/` and
 * the expected route model in `expected/routes.json`. Feature-level assertions on the same
 * models live in routes.test.ts; this file guards the whole output byte for byte.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureCases, fixtureModel, fixturesDir } from './helpers.js';

describe('route model of each fixture tree', () => {
  it.each(fixtureCases())('%s', async (name) => {
    const model = fixtureModel(name);
    await expect(JSON.stringify(model, null, 2) + '\n').toMatchFileSnapshot(join(fixturesDir, name, 'expected', 'routes.json'));
  });
});
