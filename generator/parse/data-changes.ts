/**
 * Code that changes data: Django model saves and deletes, manager and queryset writes, related
 * managers' add/remove/set/clear, helpers named for a write, files opened for writing, `login()`
 * and `logout()` (the session), Celery tasks queued with `.delay()`/`.apply_async()`, SQL that
 * changes tables. What `verify` must never call, and what makes the SDK call a view with POST.
 *
 * Consumes: the call matches of view-body.scm (by the called name) and a function body's text.
 * Produces: the text of each change, or undefined for a call of the same name that is not one.
 */
import { stringLiteral } from './literals.js';
import type { SyntaxNode } from './parser.js';

/** One place where a function changes data, and what it is. */
export interface DataChange {
  /** What was seen, e.g. `.save()`, `FavoriteProject.objects.get_or_create()`, `SQL INSERT`. */
  evidence: string;
  line: number;
  /** Methods of the `request.method` block it is in, when it is in one. */
  methods?: string[];
  /** A call of a helper named for a write (`update_…()`): the name, so that the model can look inside it. */
  helper?: string;
}

const MODEL_WRITES = new Set(['save', 'delete', 'create', 'bulk_create', 'bulk_update', 'get_or_create', 'update_or_create', 'update', 'add', 'remove', 'set', 'clear']);
/** Helpers named for a write: update_group_memberships(…), delete_projects(…), assign_perm(…). */
const WRITE_HELPER = /^_?(add|assign|clear|create|delete|insert|remove|rename|reset|save|set|store|update|upload|write)_/;
/** …but not helpers that build a value: create_annotation_query, create_roi_path. */
const VALUE_BUILDER = /_(query|path|url|name|string)$/;

/** A method call that changes data (`obj.save()`, `task.delay()`, `adapter.logout(request)`, `h5py.File(p, 'a')`). */
export function methodChange(name: string, object: SyntaxNode, args: SyntaxNode, call: SyntaxNode): string | undefined {
  if (MODEL_WRITES.has(name)) return modelWrite(object, name, args);
  if (name === 'delay' || name === 'apply_async') return `${call.childForFieldName('function')!.text}() (a queued task)`;
  if (name === 'login' || name === 'logout') return `${call.childForFieldName('function')!.text}() (the session)`;
  if (name === 'open' || name === 'File') return fileMode(`${object.text}.${name}`, args);
  return undefined;
}

/** A function call that changes data, and for a helper named for a write its name (the model looks inside it). */
export function functionChange(name: string, args: SyntaxNode): { evidence: string; helper?: string } | undefined {
  if (name === 'login' || name === 'logout') return { evidence: `${name}() (the session)` };
  if (name === 'open' || name === 'File') {
    const evidence = fileMode(name, args);
    return evidence ? { evidence } : undefined;
  }
  if (WRITE_HELPER.test(name) && !VALUE_BUILDER.test(name)) return { evidence: `${name}()`, helper: name };
  return undefined;
}

/** `open(path, 'w')`: a file opened in a mode that writes. */
function fileMode(opener: string, args: SyntaxNode): string | undefined {
  const positional = args.namedChildren.filter((a) => a.type !== 'comment');
  const modeNode = positional[1];
  if (!modeNode || modeNode.type !== 'string') return undefined;
  const mode = stringLiteral(modeNode);
  return mode !== undefined && /^[rwax]b?\+?b?$/.test(mode) && /[wax+]/.test(mode) ? `${opener}(…, '${mode}')` : undefined;
}

/** SQL that changes tables, in the string literals of a body (found in its text, checked to be in a string). */
const SQL_WRITE = /INSERT\s+INTO|UPDATE\s+[A-Za-z_.]+\s+SET|DELETE\s+FROM|TRUNCATE\s/g;

export function sqlWrites(body: SyntaxNode): Array<{ evidence: string; node: SyntaxNode }> {
  const text = body.text;
  const out: Array<{ evidence: string; node: SyntaxNode }> = [];
  const seen = new Set<number>();
  for (const m of text.matchAll(SQL_WRITE)) {
    const at = body.descendantForIndex(body.startIndex + m.index!);
    const string = at.type === 'string_content' ? at.parent : undefined;
    if (!string || seen.has(string.id)) continue;
    seen.add(string.id);
    out.push({ evidence: `SQL ${/INSERT|UPDATE|DELETE|TRUNCATE/.exec(m[0])![0]}`, node: string });
  }
  return out;
}

/** Receivers that are Django managers or querysets: `Model.objects…`, `….filter(…)`, `x.user_set`. */
const QUERYSET = /\bobjects\b|\.(filter|exclude|all|select_related|prefetch_related)\(|\.\w+_set$/;
/** Related managers whose add/remove/set/clear change membership tables. */
const RELATED_MANAGER = /\.(\w+_set|groups|user_permissions)$/;

/**
 * A Django model write: `x.save()` and `x.delete()` without positional arguments (not
 * `image.save(buffer, 'PNG')`), create/update on a manager or queryset (not `dict.update(…)`),
 * add/remove/set/clear on a related manager.
 */
function modelWrite(object: SyntaxNode, method: string, args: SyntaxNode): string | undefined {
  const positional = args.namedChildren.filter((a) => a.type !== 'comment' && a.type !== 'keyword_argument' && a.type !== 'dictionary_splat');
  const receiver = object.text.replace(/\s+/g, '');
  const shown = abbreviateArguments(receiver);
  switch (method) {
    case 'save':
    case 'delete':
      return positional.length === 0 ? `${shown}.${method}()` : undefined;
    case 'add':
    case 'remove':
    case 'set':
    case 'clear':
      return RELATED_MANAGER.test(receiver) ? `${shown}.${method}()` : undefined;
    default:
      return QUERYSET.test(receiver) ? `${shown}.${method}()` : undefined;
  }
}

/** `A.objects.filter(x=f(1)).all()` as `A.objects.filter(…).all()`: the receiver without its arguments. */
function abbreviateArguments(text: string): string {
  let out = text;
  for (let previous = ''; previous !== out; ) {
    previous = out;
    out = out.replace(/\((?:[^()]|\(…\))+\)/g, (m) => (m === '(…)' ? m : '(…)'));
  }
  return out;
}
