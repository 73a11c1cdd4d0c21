/**
 * Changes of what an operation answers between two releases: the format, and the shape of the
 * JSON — keys added or removed, a value's kind changed (an object became an array, a number a
 * string), a value that may be `null` now or no longer — each at its place in the answer (a JSON
 * pointer), with the evidence of both sides. Parts either side does not know (`{}`) are not
 * compared. For a client of the older release a removed key, a changed kind and a value that may
 * be null are breaking; an added key, or one that is never null now, is not.
 *
 * Consumes: the older and the newer {@link ResponseInfo} of a matched operation.
 * Produces: {@link ResponseChange}s.
 */
import type { JsonSchema, JsonValue, ResponseInfo } from '../model/types.js';
import { isJsonObject } from '../util/json.js';

export type ResponseChangeKind = 'response-format-changed' | 'response-key-removed' | 'response-key-added' | 'response-kind-changed' | 'response-nullable' | 'response-not-nullable' | 'response-typed';

export interface ResponseChange {
  kind: ResponseChangeKind;
  breaking: boolean;
  /** JSON pointer of the place in the answer ('' for the whole). */
  at: string;
  message: string;
  from?: JsonValue;
  to?: JsonValue;
}

/** How many changes one operation reports at most (a rewritten answer is one story, not fifty). */
const MAX_CHANGES = 12;
const MAX_DEPTH = 8;

/** What changed in an operation's answer. */
export function responseChanges(older: ResponseInfo | undefined, newer: ResponseInfo | undefined): ResponseChange[] {
  const out: ResponseChange[] = [];
  if (older && newer && older.format !== newer.format && older.format !== 'unknown' && newer.format !== 'unknown') {
    out.push({ kind: 'response-format-changed', breaking: true, at: '', message: `Answers ${newer.format} now (was ${older.format}).`, from: older.format, to: newer.format });
    return out;
  }
  const a = older?.schema ? resolved(older) : undefined;
  const b = newer?.schema ? resolved(newer) : undefined;
  if (!a && b) {
    out.push({ kind: 'response-typed', breaking: false, at: '', message: `The answer is typed now (from ${sources(newer)}).` });
    return out;
  }
  if (!a || !b) return out;
  compare(a, b, '', out, 0);
  const evidence = { from: sources(older), to: sources(newer) };
  return out.slice(0, MAX_CHANGES).map((c) => ({ ...c, message: `${c.message} (evidence: ${evidence.from} → ${evidence.to})` }));
}

function compare(a: JsonSchema, b: JsonSchema, at: string, out: ResponseChange[], depth: number): void {
  if (depth > MAX_DEPTH || out.length >= MAX_CHANGES || isOpen(a) || isOpen(b)) return;
  const na = nullable(a);
  const nb = nullable(b);
  const va = nonNull(a);
  const vb = nonNull(b);
  if (!na && nb) out.push({ kind: 'response-nullable', breaking: true, at, message: `${place(at)} may be null now.` });
  if (na && !nb) out.push({ kind: 'response-not-nullable', breaking: false, at, message: `${place(at)} is never null now.` });
  if (!va || !vb || isOpen(va) || isOpen(vb)) return;
  const ka = kindOf(va);
  const kb = kindOf(vb);
  if (ka !== kb) {
    if ((ka === 'integer' && kb === 'number') || ka === 'any' || kb === 'any') return;
    out.push({ kind: 'response-kind-changed', breaking: true, at, message: `${place(at)} is ${article(kb)} now (was ${article(ka)}).`, from: ka, to: kb });
    return;
  }
  if (ka === 'object') {
    const pa = (va['properties'] as Record<string, JsonSchema> | undefined) ?? {};
    const pb = (vb['properties'] as Record<string, JsonSchema> | undefined) ?? {};
    // A key gone only counts where the newer answer lists its keys (an object of known keys).
    const closed = Object.keys(pb).length > 0 && !vb['additionalProperties'];
    for (const k of Object.keys(pa)) {
      if (k in pb) compare(pa[k]!, pb[k]!, `${at}/${k}`, out, depth + 1);
      else if (closed) out.push({ kind: 'response-key-removed', breaking: true, at: `${at}/${k}`, message: `Key \`${k}\` removed from ${place(at).toLowerCase()}.` });
    }
    if (Object.keys(pa).length > 0) {
      for (const k of Object.keys(pb)) if (!(k in pa)) out.push({ kind: 'response-key-added', breaking: false, at: `${at}/${k}`, message: `Key \`${k}\` added to ${place(at).toLowerCase()}.` });
    }
    const aa = va['additionalProperties'] as JsonSchema | undefined;
    const ab = vb['additionalProperties'] as JsonSchema | undefined;
    if (aa && ab) compare(aa, ab, `${at}/*`, out, depth + 1);
    return;
  }
  if (ka === 'array') {
    const ta = va['prefixItems'] as JsonSchema[] | undefined;
    const tb = vb['prefixItems'] as JsonSchema[] | undefined;
    if (ta && tb) {
      if (ta.length !== tb.length) out.push({ kind: 'response-kind-changed', breaking: true, at, message: `${place(at)} is a tuple of ${tb.length} now (was ${ta.length}).`, from: ta.length, to: tb.length });
      ta.forEach((s, i) => tb[i] && compare(s, tb[i]!, `${at}/${i}`, out, depth + 1));
      return;
    }
    const ia = va['items'] as JsonSchema | undefined;
    const ib = vb['items'] as JsonSchema | undefined;
    if (ia && ib) compare(ia, ib, `${at}/0`, out, depth + 1);
  }
}

/** A response's schema with the docstring's `#/models/…` references inlined (bounded). */
function resolved(r: ResponseInfo): JsonSchema {
  const inline = (s: JsonSchema, depth: number): JsonSchema => {
    const ref = s['$ref'];
    if (typeof ref === 'string') {
      const target = r.models?.[ref.replace(/^#\/models\//, '')];
      return target && depth < 6 ? inline(target, depth + 1) : {};
    }
    const out: JsonSchema = {};
    for (const [k, v] of Object.entries(s)) {
      if (k === 'properties' && isJsonObject(v)) out[k] = Object.fromEntries(Object.entries(v).map(([n, p]) => [n, isJsonObject(p) ? inline(p, depth) : p]));
      else if ((k === 'items' || k === 'additionalProperties') && isJsonObject(v)) out[k] = inline(v, depth);
      else if ((k === 'anyOf' || k === 'prefixItems') && Array.isArray(v)) out[k] = v.map((m) => (isJsonObject(m) ? inline(m, depth) : m));
      else out[k] = v;
    }
    return out;
  };
  return inline(r.schema!, 0);
}

function sources(r: ResponseInfo | undefined): string {
  const list = [...new Set((r?.evidence ?? []).map((e) => e.source))];
  return list.length ? list.join(', ') : 'docstring';
}

function nullable(s: JsonSchema): boolean {
  return s['type'] === 'null' || (Array.isArray(s['anyOf']) && (s['anyOf'] as JsonSchema[]).some((m) => isJsonObject(m) && m['type'] === 'null'));
}

/** The schema without its `null` alternative; undefined when it is only `null`. */
function nonNull(s: JsonSchema): JsonSchema | undefined {
  if (s['type'] === 'null') return undefined;
  if (!Array.isArray(s['anyOf'])) return s;
  const rest = (s['anyOf'] as JsonSchema[]).filter((m) => !(isJsonObject(m) && m['type'] === 'null'));
  return rest.length === 1 ? rest[0]! : { anyOf: rest };
}

function kindOf(s: JsonSchema): string {
  if (typeof s['type'] === 'string') return s['type'];
  return s['prefixItems'] ? 'array' : 'any';
}

function isOpen(s: JsonSchema): boolean {
  return Object.keys(s).length === 0;
}

function place(at: string): string {
  return at ? `The value at \`${at}\`` : 'The answer';
}

function article(kind: string): string {
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;
}

