/**
 * Places in kept results: every `{ file, line }` of a result (evidence, handlers, diagnostics),
 * and an operation's `changesData.line`, which is a line of its handler's file. A result kept by
 * the cache (memo.ts) says lines of the files it read; when a definition it used has moved (lines
 * added above it) but is the same text, its lines move with it.
 *
 * Consumes: plain JSON data. Produces: a visit of each place, the data's lines changed in place
 * to what the visit answers.
 */

/**
 * Calls `visit(file, line)` for every place in plain data (inner places first); a number it
 * answers becomes the place's line, in the data itself.
 */
export function visitPlaces(value: unknown, visit: (file: string, line: number) => number | void): void {
  if (Array.isArray(value)) {
    for (const v of value) visitPlaces(v, visit);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const o = value as Record<string, unknown>;
  // An operation's `changesData` has a line of its handler's file and no file of its own.
  const handler = o['handler'] as Record<string, unknown> | null | undefined;
  const handlerFile = typeof handler === 'object' && handler !== null && typeof handler['file'] === 'string' ? handler['file'] : undefined;
  for (const k in o) {
    const v = o[k];
    if (k === 'changesData' && handlerFile !== undefined && typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)['line'] === 'number') {
      const c = v as Record<string, unknown>;
      const line = visit(handlerFile, c['line'] as number);
      if (typeof line === 'number') c['line'] = line;
      continue;
    }
    if (typeof v === 'object' && v !== null) visitPlaces(v, visit);
  }
  if (typeof o['file'] === 'string' && typeof o['line'] === 'number') {
    const line = visit(o['file'], o['line']);
    if (typeof line === 'number') o['line'] = line;
  }
}

/** A copy of plain data with every place's line mapped by `line`. */
export function mapPlaces<T>(value: T, line: (file: string, line: number) => number): T {
  const copy = JSON.parse(JSON.stringify(value)) as T;
  visitPlaces(copy, line);
  return copy;
}
