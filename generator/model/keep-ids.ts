/**
 * Regenerating an SDK repository: the operation ids users already call stay as they were. Each
 * operation of the new model that is an operation of the earlier generation (its `routes.json`;
 * matched as `diff` matches them: by view and method, then path, then id) takes the earlier id.
 * A new operation whose id one of those now holds takes its module-qualified id instead
 * (`stack.tags` → `stackTags`, numbered if that is taken too), with an `operation-id-kept` finding.
 *
 * Consumes: the new route model and the earlier one. Produces: the new model with ids changed in
 * place, and diagnostics added to it.
 */
import { compareDiagnostics, DIAGNOSTIC_CODES } from '../diagnostics.js';
import { pairOperations } from '../diff/index.js';
import { withModule } from './operation-ids.js';
import type { Operation, Route, RouteModel } from './types.js';

/** Gives the new model's operations the ids the earlier generation had; returns how many changed. */
export function keepOperationIds(model: RouteModel, earlier: RouteModel): number {
  const pairs = pairOperations(earlier, model);
  const kept = new Map<Operation, string>(pairs.map((p) => [p.newer, p.older.operationId]));
  const taken = new Set(kept.values());
  let changed = 0;
  for (const [op, id] of kept) {
    if (op.operationId !== id) changed++;
    op.operationId = id;
  }
  // Operations without an earlier counterpart keep their ids unless a kept one holds it.
  for (const route of model.routes) {
    for (const op of route.operations) {
      if (kept.has(op)) continue;
      if (!taken.has(op.operationId)) {
        taken.add(op.operationId);
        continue;
      }
      const old = op.operationId;
      op.operationId = qualified(route, old, taken);
      taken.add(op.operationId);
      changed++;
      model.diagnostics.push({
        level: DIAGNOSTIC_CODES['operation-id-kept'],
        code: 'operation-id-kept',
        message: `${op.method} ${route.path}: id ${old} is kept by the operation that had it in the earlier generation; named ${op.operationId}`,
        file: route.source.file,
        line: route.source.line,
      });
    }
  }
  model.diagnostics.sort(compareDiagnostics);
  return changed;
}

/** The id qualified with its module (`stack` + `tags` → `stackTags`), numbered while taken. */
function qualified(route: Route, id: string, taken: ReadonlySet<string>): string {
  const base = withModule(route, id);
  let candidate = base;
  for (let n = 2; taken.has(candidate); n++) candidate = `${base}${n}`;
  return candidate;
}
