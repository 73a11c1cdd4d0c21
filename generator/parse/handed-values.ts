/**
 * Calls that hand request values on: to another function (`helper(request)`,
 * `helper(project_id, request.POST)`, `f(*args, **kwargs)` — a {@link ForwardingCall}, which the
 * model follows into the callee), or to a function that may refuse to go without them
 * (`validate_state(ids, request.POST.get('state'))` — a {@link ValueCall}).
 *
 * Consumes: call nodes of a function body and its {@link ReadContext}. Produces: plain data with lines.
 */
import { stringLiteral } from './literals.js';
import { originsOf, type Origin } from './origins.js';
import type { SyntaxNode } from './parser.js';
import { CATMAID_READERS, type ReadContext } from './request-reads.js';

const lineOf = (n: SyntaxNode) => n.startPosition.row + 1;

/** A call handing request values to another function. */
export interface ForwardingCall {
  /** The called expression: `helper`, `module.helper`. */
  callee: string;
  /** Positional arguments: origins, `*name` (a `*args` parameter passed on), or null for anything else. */
  positional: Array<ForwardedArg | null>;
  /** Keyword arguments that carry request values. */
  keywords: Record<string, ForwardedArg>;
  /** `**kwargs` is passed on. */
  doubleSplat: boolean;
  /** Literal keyword arguments (`format='swc'`, also set as `kwargs['format'] = 'swc'` before `**kwargs`). */
  constants?: Record<string, string>;
  line: number;
  /** Methods of the `request.method` block the call is in. */
  methods?: string[];
}

export type ForwardedArg = { origins: Origin[] } | { splat: string };

/**
 * A call at the top of the function (or of a method block) that is handed a value: a read
 * (`validate_state(ids, request.POST.get('state'))`), or a name (a parameter, or a variable a read
 * was assigned to). When the callee refuses to go without that argument, so does this function.
 */
export interface ValueCall {
  callee: string;
  args: Array<{ position?: number; keyword?: string } & ({ read: number } | { name: string })>;
  line: number;
}

/**
 * A call that is handed a request value (a {@link ForwardingCall}), or undefined. Only plain and
 * dotted names are followed (`helper`, `module.helper`), not `self.x` or `d.get`.
 */
export function readForwardingCall(ctx: ReadContext, call: SyntaxNode): ForwardingCall | undefined {
  const fn = call.childForFieldName('function')!;
  const fnName = fn.type === 'identifier' ? fn.text : fn.childForFieldName('attribute')?.text ?? '';
  if (CATMAID_READERS.has(fnName)) return undefined;
  if (!/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(fn.text) || (fn.type === 'attribute' && originsOf(fn.childForFieldName('object')!, ctx.scope))) return undefined;
  const args = call.childForFieldName('arguments')!.namedChildren.filter((a) => a.type !== 'comment');
  const positional: Array<ForwardedArg | null> = [];
  const keywords: Record<string, ForwardedArg> = {};
  const constants: Record<string, string> = {};
  let doubleSplat = false;
  let carries = false;
  for (const a of args) {
    if (a.type === 'keyword_argument') {
      const value = a.childForFieldName('value');
      if (value?.type === 'string') {
        const literal = stringLiteral(value);
        if (literal !== undefined) constants[a.childForFieldName('name')!.text] = literal;
      }
      const origins = value ? originsOf(value, ctx.scope) : undefined;
      if (origins) {
        keywords[a.childForFieldName('name')!.text] = { origins };
        carries = true;
      }
    } else if (a.type === 'list_splat') {
      const inner = a.namedChildren[0];
      if (inner?.type === 'identifier' && ctx.varargs.has(inner.text)) {
        positional.push({ splat: inner.text });
        carries = true;
      } else {
        positional.push(null);
      }
    } else if (a.type === 'dictionary_splat') {
      doubleSplat = true;
      Object.assign(constants, ctx.kwargConstants.get(a.namedChildren[0]?.text ?? '') ?? {});
    } else {
      const origins = originsOf(a, ctx.scope);
      positional.push(origins ? { origins } : null);
      if (origins) carries = true;
    }
  }
  if (!carries) return undefined;
  const methods = ctx.branchOf(call);
  return { callee: fn.text, positional, keywords, doubleSplat, ...(Object.keys(constants).length ? { constants } : {}), line: lineOf(call), ...(methods ? { methods } : {}) };
}

/**
 * The values a call at the top of the function hands on (see {@link ValueCall}); undefined when
 * it hands none, or is not at the top.
 */
export function readValueCall(ctx: ReadContext, call: SyntaxNode): ValueCall | undefined {
  const fn = call.childForFieldName('function')!;
  if (!/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(fn.text) || CATMAID_READERS.has(fn.text.replace(/^.*\./, ''))) return undefined;
  // Names worth following: the function's parameters, and variables a read was assigned to.
  const targets = new Set(ctx.targets.values());
  const out: ValueCall['args'] = [];
  let position = 0;
  for (const a of call.childForFieldName('arguments')!.namedChildren) {
    if (a.type === 'comment') continue;
    if (a.type === 'list_splat' || a.type === 'dictionary_splat') break;
    const keyword = a.type === 'keyword_argument' ? a.childForFieldName('name')!.text : undefined;
    const value = keyword ? a.childForFieldName('value') : a;
    const at = keyword ? { keyword } : { position };
    if (!keyword) position++;
    if (!value) continue;
    // The read itself, or the read inside a conversion: f(int(request.POST.get('k')))
    let inner: SyntaxNode | undefined = value;
    while (inner && !ctx.readsAt.has(inner.id) && inner.type === 'call' && ['int', 'float', 'str', 'bool'].includes(inner.childForFieldName('function')?.text ?? '')) {
      inner = inner.childForFieldName('arguments')?.namedChildren[0];
    }
    const reads = inner ? ctx.readsAt.get(inner.id) : undefined;
    if (reads) for (const r of reads) out.push({ ...at, read: ctx.reads.indexOf(r) });
    else if (value.type === 'identifier' && (ctx.scope.params.has(value.text) || targets.has(value.text))) out.push({ ...at, name: value.text });
  }
  return out.length && ctx.atTop(call) ? { callee: fn.text, args: out, line: lineOf(call) } : undefined;
}

