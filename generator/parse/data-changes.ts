/**
 * Code that changes data: Django model saves and deletes, manager and queryset writes, related
 * managers' add/remove/set/clear, helpers named for a write, files opened for writing, SQL that
 * changes tables. What `verify` must never call, and what makes the SDK call a view with POST.
 *
 * Consumes: the `@write…` matches of view-body.scm. Produces: the text of the change, or undefined
 * for a call of the same name that is not one.
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

/** Receivers that are Django managers or querysets: `Model.objects…`, `….filter(…)`, `x.user_set`. */
const QUERYSET = /\bobjects\b|\.(filter|exclude|all|select_related|prefetch_related)\(|\.\w+_set$/;
/** Related managers whose add/remove/set/clear change membership tables. */
const RELATED_MANAGER = /\.(\w+_set|groups|user_permissions)$/;

/**
 * A Django model write: `x.save()` and `x.delete()` without positional arguments (not
 * `image.save(buffer, 'PNG')`), create/update on a manager or queryset (not `dict.update(…)`),
 * add/remove/set/clear on a related manager.
 */
export function modelWrite(object: SyntaxNode, method: string, args: SyntaxNode): string | undefined {
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

/** `open(path, 'w')`, `h5py.File(path, 'a')`: a file opened in a mode that writes. */
export function fileWrite(opener: SyntaxNode, modeNode: SyntaxNode): string | undefined {
  const mode = stringLiteral(modeNode);
  return mode !== undefined && /^[rwax]b?\+?b?$/.test(mode) && /[wax+]/.test(mode) ? `${opener.text}(…, '${mode}')` : undefined;
}

/** `SQL INSERT` for a string holding `INSERT INTO …` (the query matched only such strings). */
export function sqlWrite(sql: SyntaxNode): string {
  return `SQL ${/INSERT|UPDATE|DELETE|TRUNCATE/.exec(sql.text)![0]}`;
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
