/**
 * The value type and default of a request read, as the code shows them: the literal default it
 * falls back to (`.get('k', 0)`), the conversion around it (`int(request.GET.get('k'))`), CATMAID's
 * `map_fn=int`.
 *
 * Consumes: evaluated defaults and the nodes around a read. Produces: partial read facts.
 */
import { toJson, type JsonValue, type Value } from './evaluate.js';
import type { SyntaxNode } from './parser.js';
import type { SymbolicRead, ValueType } from './request-reads.js';

/** Type of a read from the literal default it falls back to. */
export function typeFromDefault(v: Value | undefined): Partial<SymbolicRead> {
  if (!v) return {};
  switch (v.kind) {
    case 'num':
      // `0` is also where CATMAID falls back for coordinates (`{'x': 0, 'y': 0, 'z': 0}`): a number,
      // not necessarily an integer, unless a conversion says so.
      return { type: Number.isInteger(v.value) && v.value !== 0 ? 'integer' : 'number' };
    case 'bool':
      // `request.POST.get('font_name', False)`: False stands for "not given". What arrives is text,
      // and `false` sent as text is truthy to the view: not a boolean unless the code converts it
      // (get_request_bool, bool()).
      return {};
    case 'str':
      return { type: 'string' };
    case 'seq':
      return { type: 'array' };
    case 'dict':
      return { type: 'object' };
    default:
      return {};
  }
}

export function defaultOf(v: Value): { default?: JsonValue } {
  if (v.kind === 'none' || v.kind === 'unknown' || v.kind === 'ref' || v.kind === 'call') return {};
  const json = toJson(v);
  return json === null ? {} : { default: json };
}

/** `int(request.GET.get('k'))`, `float(...)`, `bool(...)`, `json.loads(...)`: the type the code converts to. */
export function typeFromWrapper(node: SyntaxNode): Partial<SymbolicRead> {
  const args = node.parent;
  const call = args?.type === 'argument_list' ? args.parent : undefined;
  if (call?.type !== 'call' || args?.namedChildren[0]?.id !== node.id) return {};
  const fn = call.childForFieldName('function')?.text;
  if (fn === 'int') return { type: 'integer' };
  if (fn === 'float') return { type: 'number' };
  if (fn === 'bool') return { type: 'boolean' };
  if (fn === 'str') return { type: 'string' };
  if (fn === 'json.loads' || fn === 'ujson.loads') return { type: 'object' };
  return {};
}

export const MAP_FN_TYPES: Record<string, ValueType> = { int: 'integer', float: 'number', str: 'string', bool: 'boolean' };
