/**
 * Places in kept results: every `{ file, line }` of a result (evidence, handlers, diagnostics),
 * and an operation's `changesData.line`, which is a line of its handler's file. A result kept by
 * the cache (memo.ts) says lines of the files it read; when a definition it used has moved (lines
 * added above it) but is the same text, its lines move with it.
 *
 * Consumes: plain JSON data. Produces: copies with lines mapped, or a visit of each place.
 */

/** Calls `visit(file, line)` for every place in plain data; its answer becomes the line of a copy. */
export function mapPlaces<T>(value: T, visit: (file: string, line: number) => number): T {
  return walk(value, visit, undefined) as T;
}

function walk(value: unknown, visit: (file: string, line: number) => number, handlerFile: string | undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => walk(v, visit, handlerFile));
  if (typeof value !== 'object' || value === null) return value;
  const o = value as Record<string, unknown>;
  // An operation's `changesData` has a line of its handler's file and no file of its own.
  const handler = o['handler'];
  const ownHandlerFile = typeof handler === 'object' && handler !== null && typeof (handler as Record<string, unknown>)['file'] === 'string' ? ((handler as Record<string, unknown>)['file'] as string) : undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'changesData' && ownHandlerFile !== undefined && typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)['line'] === 'number') {
      const c = v as Record<string, unknown>;
      out[k] = { ...c, line: visit(ownHandlerFile, c['line'] as number) };
      continue;
    }
    out[k] = walk(v, visit, handlerFile);
  }
  if (typeof o['file'] === 'string' && typeof o['line'] === 'number') out['line'] = visit(o['file'] as string, o['line'] as number);
  return out;
}

/** Calls `visit(file, line)` for every place in plain data, without copying it. */
export function forEachPlace(value: unknown, visit: (file: string, line: number) => void): void {
  if (Array.isArray(value)) {
    for (const v of value) forEachPlace(v, visit);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const o = value as Record<string, unknown>;
  const handler = o['handler'] as Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(o)) {
    if (k === 'changesData' && typeof handler?.['file'] === 'string' && typeof (v as Record<string, unknown> | null)?.['line'] === 'number') {
      visit(handler['file'] as string, (v as Record<string, unknown>)['line'] as number);
      continue;
    }
    forEachPlace(v, visit);
  }
  if (typeof o['file'] === 'string' && typeof o['line'] === 'number') visit(o['file'] as string, o['line'] as number);
}
