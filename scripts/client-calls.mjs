#!/usr/bin/env node
/**
 * Checks the route model against what CATMAID's own web client sends. The client's JavaScript
 * (`django/applications/catmaid/static/js/` and `static/libs/catmaid/`, tests left out) is read from
 * git at a ref and parsed with the TypeScript compiler's JavaScript parser (`typescript`, already a
 * devDependency); nothing of it is executed. Every API call it can read statically is extracted:
 *
 *   CATMAID.fetch(url, method, data, …)          CATMAID.fetch({url|relativeURL, method, data, …})
 *   requestQueue.register|replace(url, method, data, …)
 *   submit(url, method, params, …)               (a function made by (CATMAID.)submitterFn())
 *   fetchSkeletons(ids, skid => url, skid => data, …, method)
 *   $.ajax / jQuery.ajax({url, type|method, data}) $.getJSON(url, data)
 *   CATMAID.makeURL(…) anywhere else: a jstree/DataTables `ajax` option (method and data from its
 *   siblings), an image, tile or link (GET), a form's action (route only)
 *
 * URLs are evaluated from literals, template strings, `+` concatenations, ternaries,
 * `CATMAID.makeURL(…)`, local variables (by source order: the last declaration before the call
 * and the assignments after it, `+=` as optional suffixes, also from nested closures) and URL
 * helpers of the same file (`self.get_url(pid, '/sub')`: their returns with the call's
 * arguments); what stays unknown (`project.id`, a function parameter) is a hole. Parameters are
 * the keys of object literals (also set later with `params.k = …`, `params['k[' + i + ']'] = …`,
 * `formData.append('k', …)`, merged with `Object.assign`/`jQuery.extend`, or returned by a data
 * function), plus names written in a literal query string of the URL. Data that is not static (a
 * function parameter, a computed key) is listed, and required parameters are not checked then.
 *
 * Each call's URL becomes a regex (holes match one path segment, or more when that fails), tested
 * against the model's route paths; the URL with its holes filled in is also tested against each
 * route's own regex (Django's order breaks ties). Then the call is compared with the route's
 * operations: the client's method vs the model's operations (`method-accepted-not-operation` when
 * the model has another method whose `accepts` covers it: the client's data is then compared with
 * that operation), each parameter the client sends vs the operation's parameters
 * (`param-not-in-model`, or `param-location`: the client's queue sends GET/DELETE data in the
 * query string and POST/PUT data as a form, jQuery lists as `k[]`), required parameters the
 * client never sends (`required-not-sent`), and URLs that only match with a trailing slash added
 * or removed. A call whose URL has several alternatives counts a parameter as modelled when any
 * alternative's operation has it. Findings are leads: each needs reading the view (the client also
 * sends names the server ignores).
 *
 * Usage:  node scripts/client-calls.mjs CATMAID.git REF [--model routes.json] [--json] [--list] [--calls]
 *         (without --model, the model is made with dist/cli.js: build first)
 *
 * --list   prints every discrepancy (default: counts and the first few of each kind)
 * --calls  prints every extracted call with the route it matched
 * --json   prints { summary, calls } as JSON instead
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const args = process.argv.slice(2);
const flag = (f) => args.includes(f);
const option = (o) => {
  const i = args.indexOf(o);
  return i >= 0 ? args[i + 1] : undefined;
};
const positional = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--model');
const [repo, ref] = positional;
if (!repo || !ref) {
  console.error('usage: node scripts/client-calls.mjs CATMAID.git REF [--model routes.json] [--json] [--list] [--calls]');
  process.exit(2);
}

const git = (...a) => execFileSync('git', ['-C', repo, ...a], { encoding: 'utf8', maxBuffer: 1 << 28 });

// ---------------------------------------------------------------------------------------------
// The model

let model;
const modelPath = option('--model');
if (modelPath) model = JSON.parse(readFileSync(modelPath, 'utf8'));
else {
  const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
  model = JSON.parse(
    execFileSync('node', [cli, 'routes', '--source', repo, '--ref', ref, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 }),
  );
}

/** Python regex → JS regex (named groups, \Z), or null. */
function jsRegex(py) {
  try {
    return new RegExp(py.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>').replace(/\\Z/g, '$'));
  } catch {
    return null;
  }
}
const routes = model.routes
  .filter((r) => r.path && !r.shadowedBy)
  .map((r) => ({
    route: r,
    paths: [r.path, ...(r.variants ?? []).map((v) => (typeof v === 'string' ? v : v.path)).filter(Boolean)],
    re: jsRegex(r.regex),
  }));

// ---------------------------------------------------------------------------------------------
// Reading the client

const roots = ['django/applications/catmaid/static/js/', 'django/applications/catmaid/static/libs/catmaid/'];
const files = git('ls-tree', '-r', '--name-only', ref, '--', ...roots)
  .split('\n')
  .filter((f) => f.endsWith('.js') && !f.includes('/tests/'));

const MAX_ALTS = 24;
const isFn = (n) =>
  ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n) ||
  ts.isConstructorDeclaration(n) || ts.isGetAccessor(n) || ts.isSetAccessor(n);

/** Nodes of a scope's body without descending into nested functions. */
function* scopeNodes(scope) {
  const stack = [...(isFn(scope) ? (scope.body ? [scope.body] : []) : scope.statements ?? [])];
  while (stack.length) {
    const n = stack.pop();
    yield n;
    if (isFn(n)) continue;
    n.forEachChild((c) => {
      stack.push(c);
    });
  }
}
/** Like scopeNodes, but also into nested functions that do not declare `name` themselves. */
function* scopeNodesFor(scope, name) {
  const shadows = (f) =>
    f.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === name) ||
    [...scopeNodes(f)].some((n) => ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name);
  for (const n of scopeNodes(scope)) {
    if (isFn(n) && n !== scope) {
      if (!shadows(n)) yield* scopeNodesFor(n, name);
      continue;
    }
    yield n;
  }
}
const enclosingScope = (n) => {
  for (let p = n.parent; p; p = p.parent) if (isFn(p) || ts.isSourceFile(p)) return p;
  return undefined;
};

/**
 * Where a name is bound, starting at a use: the nearest scope declaring it. Returns `param` for a
 * function parameter, or the expressions assigned to it (`values`) and appended to it with `+=`
 * (`appended`). Definitions are taken by source order: the last declaration with an initializer
 * before the use and the assignments between it and the use (all branches of an `if`); with no
 * declaration before the use (a closure, hoisting), every one in the scope. `window` is the source
 * range those come from, for property assignments (`params.k = …`).
 */
function binding(id) {
  const name = id.text;
  const use = id.getStart();
  for (let scope = enclosingScope(id); scope; scope = enclosingScope(scope)) {
    if (isFn(scope) && scope.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === name)) {
      return { kind: 'param', scope };
    }
    const decls = [];
    const assigned = [];
    const appended = [];
    let declared = false;
    for (const n of scopeNodesFor(scope, name)) {
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name) {
        if (enclosingScope(n) !== scope) continue;
        declared = true;
        if (n.initializer) decls.push(n);
      } else if (ts.isBinaryExpression(n) && ts.isIdentifier(n.left) && n.left.text === name) {
        if (n.operatorToken.kind === ts.SyntaxKind.EqualsToken) assigned.push(n);
        else if (n.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken) appended.push(n);
      } else if (ts.isFunctionDeclaration(n) && n.name?.text === name) {
        declared = true;
      }
    }
    if (!declared && !assigned.length) continue;
    const byPos = (a, b) => a.pos - b.pos;
    const before = decls.filter((d) => d.getStart() < use).sort(byPos);
    let window = [scope.pos, scope.end];
    let chosenDecls = decls;
    if (before.length) {
      const d = before[before.length - 1];
      window = [d.getStart(), use];
      chosenDecls = [d];
    }
    const inWindow = (n) => n.getStart() >= window[0] && n.getStart() <= window[1];
    const values = [...chosenDecls.map((d) => d.initializer), ...assigned.filter(inWindow).map((a) => a.right)];
    return {
      kind: 'var', scope, window,
      values: values.sort(byPos),
      appended: appended.filter(inWindow).sort(byPos).map((a) => a.right),
    };
  }
  return null;
}

const lit = (s) => ({ lit: s });
const hole = (text) => ({ hole: text });
function concat(a, b) {
  const out = [];
  for (const x of a) for (const y of b) if (out.length < MAX_ALTS) out.push([...x, ...y]);
  return out;
}
const short = (n) => n.getText().replace(/\s+/g, ' ').slice(0, 60);

/** A URL expression as alternatives, each a list of literal pieces and holes. */
function evalUrl(e, depth = 0, env = new Map()) {
  if (!e || depth > 8) return [[hole('?')]];
  // concatenation and templates keep the depth; resolving a name or a helper adds to it
  const ev = (x) => evalUrl(x, depth, env);
  if (ts.isParenthesizedExpression(e)) return evalUrl(e.expression, depth, env);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return [[lit(e.text)]];
  if (ts.isNumericLiteral(e)) return [[lit(e.text)]];
  // `var url = null` before the branches that set it: no URL of its own
  if (e.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(e) && e.text === 'undefined')) return [];
  if (ts.isTemplateExpression(e)) {
    let alts = [[lit(e.head.text)]];
    for (const span of e.templateSpans) alts = concat(concat(alts, ev(span.expression)), [[lit(span.literal.text)]]);
    return alts;
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    return concat(ev(e.left), ev(e.right));
  }
  if (ts.isConditionalExpression(e)) return [...ev(e.whenTrue), ...ev(e.whenFalse)].slice(0, MAX_ALTS);
  if (ts.isCallExpression(e)) {
    const callee = e.expression.getText();
    if (/(^|\.)makeURL$/.test(callee) && e.arguments[0]) return ev(e.arguments[0]);
    if (/(^|\.)urlJoin$/.test(callee) && e.arguments.length === 2) return ev(e.arguments[1]);
    // a URL helper of the same file (`self.get_url(pid, '/sub')`): its one return, with the
    // call's arguments for its parameters
    const helper = urlHelper(e);
    if (helper) {
      const inner = new Map();
      helper.parameters.forEach((p, i) => {
        if (ts.isIdentifier(p.name)) inner.set(p.name.text, { expr: e.arguments[i] ?? p.initializer, env });
      });
      const alts = [];
      for (const r of returnsOf(helper)) for (const a of evalUrl(r, depth + 1, inner)) if (alts.length < MAX_ALTS) alts.push(a);
      return alts;
    }
    return [[hole(short(e))]];
  }
  if (ts.isIdentifier(e)) {
    if (e.text === 'django_url') return [[hole('django_url')]];
    if (env.has(e.text)) {
      const { expr, env: outer } = env.get(e.text);
      return expr ? evalUrl(expr, depth + 1, outer) : [[hole(e.text)]];
    }
    const b = binding(e);
    if (b?.kind === 'var' && b.values.length) {
      const alts = [];
      for (const v of b.values) for (const a of evalUrl(v, depth + 1, env)) if (alts.length < MAX_ALTS) alts.push(a);
      if (!alts.length) alts.push([hole(e.text)]);
      // `url += …` somewhere in the scope: with and without each suffix
      let out = alts;
      for (const suffix of b.appended) out = [...out, ...concat(out, evalUrl(suffix, depth + 1, env))].slice(0, MAX_ALTS);
      return out;
    }
    return [[hole(e.text)]];
  }
  return [[hole(short(e))]];
}

/**
 * The function a call names, when the same file defines exactly one function of that name
 * (`function f`, `f = function`, `x.f = function`, `f: function`) with a single return.
 */
const helperCache = new Map();
function urlHelper(call) {
  const name = ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : ts.isIdentifier(call.expression) ? call.expression.text : null;
  if (!name || /^(fetch|then|catch|map|join|replace|substr|slice|attr|val|get|toString)$/.test(name)) return null;
  const sf = call.getSourceFile();
  if (!helperCache.has(sf)) {
    const defs = new Map();
    const add = (n, fn) => defs.set(n, [...(defs.get(n) ?? []), fn]);
    const visit = (n) => {
      if (ts.isFunctionDeclaration(n) && n.name) add(n.name.text, n);
      else if ((ts.isFunctionExpression(n) || ts.isArrowFunction(n)) && n.parent) {
        const p = n.parent;
        if (ts.isBinaryExpression(p) && p.right === n) add(p.left.getText().split('.').pop(), n);
        else if ((ts.isPropertyAssignment(p) || ts.isVariableDeclaration(p)) && p.initializer === n) add(p.name.getText(), n);
      }
      n.forEachChild(visit);
    };
    visit(sf);
    helperCache.set(sf, defs);
  }
  const fns = helperCache.get(sf).get(name);
  return fns?.length === 1 && returnsOf(fns[0]).length ? fns[0] : null;
}

/** Merges adjacent literals; drops a leading base URL and a fragment; splits off a literal query string. */
function normalizeUrl(pieces) {
  let ps = [];
  for (const p of pieces) {
    if (p.lit !== undefined && ps.length && ps[ps.length - 1].lit !== undefined) ps[ps.length - 1] = lit(ps[ps.length - 1].lit + p.lit);
    else if (p.lit === '') continue;
    else ps.push(p);
  }
  if (ps.length && ps[0].hole && /django_url|backendURL|CATMAID\.makeURL|\.url$|api\.url/.test(ps[0].hole)) ps = ps.slice(1);
  // a fragment is not sent: drop it and what follows
  const hash = ps.findIndex((p) => p.lit?.includes('#'));
  if (hash >= 0) ps = [...ps.slice(0, hash), lit(ps[hash].lit.slice(0, ps[hash].lit.indexOf('#')))];
  const query = [];
  let path = [];
  let inQuery = false;
  for (const p of ps) {
    if (inQuery) {
      if (p.lit !== undefined) for (const m of p.lit.matchAll(/(?:^|&)([A-Za-z_][\w\[\]]*)=/g)) query.push(m[1].replace(/\[.*$/, ''));
      continue;
    }
    if (p.lit !== undefined && p.lit.includes('?')) {
      const [before, after] = [p.lit.slice(0, p.lit.indexOf('?')), p.lit.slice(p.lit.indexOf('?') + 1)];
      if (before) path.push(lit(before));
      for (const m of ('&' + after).matchAll(/&([A-Za-z_][\w\[\]]*)=/g)) query.push(m[1].replace(/\[.*$/, ''));
      inQuery = true;
      continue;
    }
    path.push(p);
  }
  return { path, query };
}
const urlText = (path) => path.map((p) => (p.lit !== undefined ? p.lit : `\${${p.hole}}`)).join('');

/**
 * The parameter a computed key names: a literal, or a concatenation/template that starts with a
 * literal name and a bracket (`'k[' + i + ']'` is `k`); null otherwise.
 */
function keyName(k) {
  if (ts.isStringLiteralLike(k)) return k.text;
  const alts = evalUrl(k);
  const names = new Set();
  for (const alt of alts) {
    const m = alt[0]?.lit !== undefined && /^([A-Za-z_][\w]*)\[/.exec(alt[0].lit);
    if (!m) return null;
    names.add(m[1]);
  }
  return names.size === 1 ? [...names][0] : null;
}

/** Parameter names of a data expression: { names, dynamic, encoding }. */
function evalData(e, depth = 0, seen = new Set()) {
  const out = { names: new Set(), dynamic: [], encoding: 'form' };
  if (!e) return out;
  const add = (o) => {
    for (const n of o.names) out.names.add(n);
    out.dynamic.push(...o.dynamic);
    if (o.encoding !== 'form') out.encoding = o.encoding;
  };
  if (depth > 6) {
    out.dynamic.push(short(e));
    return out;
  }
  if (ts.isParenthesizedExpression(e)) return evalData(e.expression, depth, seen);
  if (e.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(e) && e.text === 'undefined')) return out;
  if (ts.isObjectLiteralExpression(e)) {
    for (const p of e.properties) {
      if (ts.isSpreadAssignment(p)) add(evalData(p.expression, depth + 1, seen));
      else if (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) || ts.isNumericLiteral(p.name))) out.names.add(p.name.text);
      else out.dynamic.push(short(p));
    }
    return out;
  }
  if (ts.isConditionalExpression(e)) {
    add(evalData(e.whenTrue, depth + 1, seen));
    add(evalData(e.whenFalse, depth + 1, seen));
    return out;
  }
  if (ts.isCallExpression(e)) {
    const callee = e.expression.getText();
    if (/^(Object\.assign|jQuery\.extend|\$\.extend)$/.test(callee)) {
      for (const a of e.arguments) if (!(ts.isLiteralExpression(a) || a.kind === ts.SyntaxKind.TrueKeyword)) add(evalData(a, depth + 1, seen));
      return out;
    }
    if (callee === 'JSON.stringify') {
      add(evalData(e.arguments[0], depth + 1, seen));
      out.encoding = 'json';
      return out;
    }
    out.dynamic.push(short(e));
    return out;
  }
  if (ts.isNewExpression(e) && e.expression.getText() === 'FormData') {
    out.encoding = 'multipart';
    return out;
  }
  if (ts.isIdentifier(e)) {
    const b = binding(e);
    if (b?.kind === 'var' && !seen.has(b)) {
      seen.add(b);
      for (const v of b.values) add(evalData(v, depth + 1, seen));
      // properties set later: x.k = …, x['k'] = …, x.append('k', …) of a FormData
      for (const n of scopeNodesFor(b.scope, e.text)) {
        if (n.getStart() < b.window[0] || n.getStart() > b.window[1]) continue;
        if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
          const l = n.left;
          if (ts.isPropertyAccessExpression(l) && ts.isIdentifier(l.expression) && l.expression.text === e.text) out.names.add(l.name.text);
          else if (ts.isElementAccessExpression(l) && ts.isIdentifier(l.expression) && l.expression.text === e.text) {
            const k = keyName(l.argumentExpression);
            if (k) out.names.add(k);
            else out.dynamic.push(short(l));
          }
        } else if (
          ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ts.isIdentifier(n.expression.expression) &&
          n.expression.expression.text === e.text && /^(append|set)$/.test(n.expression.name.text) && n.arguments[0]
        ) {
          const k = keyName(n.arguments[0]);
          if (k) out.names.add(k);
          else out.dynamic.push(short(n));
        }
      }
      if (!b.values.length && out.names.size === 0) out.dynamic.push(e.text);
      return out;
    }
    out.dynamic.push(e.text);
    return out;
  }
  out.dynamic.push(short(e));
  return out;
}

function evalMethod(e, fallback) {
  if (!e || (ts.isIdentifier(e) && e.text === 'undefined')) return [fallback];
  if (ts.isStringLiteralLike(e)) return [e.text.toUpperCase()];
  if (ts.isConditionalExpression(e)) return [...evalMethod(e.whenTrue, fallback), ...evalMethod(e.whenFalse, fallback)];
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.BarBarToken) {
    const l = evalMethod(e.left, null);
    return l.includes(null) ? [...l.filter(Boolean), ...evalMethod(e.right, fallback)] : l;
  }
  if (ts.isIdentifier(e)) {
    const b = binding(e);
    if (b?.kind === 'var' && b.values.length) return [...new Set(b.values.flatMap((v) => evalMethod(v, fallback)))];
  }
  return [`?${short(e)}`];
}

const prop = (obj, ...names) => {
  if (!obj || !ts.isObjectLiteralExpression(obj)) return undefined;
  for (const p of obj.properties) {
    if (ts.isPropertyAssignment(p) && names.includes(p.name.text ?? p.name.getText().replace(/['"]/g, ''))) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p) && names.includes(p.name.text)) return p.name;
  }
  return undefined;
};
/** The expressions a function's own return statements give back. */
function returnsOf(fn) {
  if (!ts.isBlock(fn.body)) return [fn.body];
  return [...scopeNodes(fn)].filter((n) => ts.isReturnStatement(n) && n.expression).map((n) => n.expression);
}

/** The expression a one-return function gives back (for fetchSkeletons' URL and data makers). */
function returned(fn) {
  if (!fn) return undefined;
  if (ts.isIdentifier(fn)) {
    const b = binding(fn);
    if (b?.kind === 'var' && b.values.length === 1) fn = b.values[0];
  }
  if (!ts.isFunctionExpression(fn) && !ts.isArrowFunction(fn)) return undefined;
  if (!ts.isBlock(fn.body)) return fn.body;
  const rets = [...scopeNodes(fn)].filter(ts.isReturnStatement);
  return rets.length === 1 ? rets[0].expression : undefined;
}

/** Names bound to (CATMAID.)submitterFn() results in a file: variables and `this.x` properties. */
function submitterNames(sf) {
  const names = new Set();
  const visit = (n) => {
    const init = ts.isVariableDeclaration(n) ? n.initializer : ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken ? n.right : undefined;
    if (init && /^(new\s+)?(CATMAID\.)?submitterFn\(/.test(init.getText().trim())) {
      const target = ts.isVariableDeclaration(n) ? n.name : n.left;
      const t = target.getText();
      names.add(t.replace(/^(this|self|[A-Za-z_$][\w$]*)\./, '.'));
    }
    n.forEachChild(visit);
  };
  visit(sf);
  return names;
}

/** Name of the function a node is in, as assigned (`CATMAID.fetch = function …`). */
function enclosingName(n) {
  for (let p = n.parent; p; p = p.parent) {
    if (isFn(p)) {
      if (p.name) return p.name.getText();
      if (ts.isBinaryExpression(p.parent)) return p.parent.left.getText();
      if (ts.isPropertyAssignment(p.parent) || ts.isVariableDeclaration(p.parent)) return p.parent.name.getText();
      return '';
    }
  }
  return '';
}

const calls = [];
for (const file of files) {
  const text = git('show', `${ref}:${file}`);
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const submitters = submitterNames(sf);
  const recorded = new Set();
  const record = (node, kind, urlExpr, methods, dataExpr, extra = {}) => {
    const line = sf.getLineAndCharacterOfPosition(node.getStart()).line + 1;
    recorded.add(node);
    calls.push({ file, line, kind, urlExpr, methods, data: evalData(dataExpr), ...extra });
  };
  const insideRecorded = (n) => {
    for (let p = n.parent; p; p = p.parent) if (recorded.has(p)) return true;
    return false;
  };
  /** A data value that may be a function returning the parameters (jstree's `ajax.data`). */
  const dataOf = (e) => (e && (ts.isFunctionExpression(e) || ts.isArrowFunction(e)) ? returned(e) : e);
  const visit = (n) => {
    if (ts.isCallExpression(n)) {
      const callee = n.expression.getText().replace(/\s+/g, '');
      const a = n.arguments;
      if (/^CATMAID\.fetch$/.test(callee) && a.length) {
        if (a.length === 1 && ts.isObjectLiteralExpression(a[0])) {
          const url = prop(a[0], 'url', 'relativeURL') ?? prop(a[0], 'absoluteURL');
          record(n, 'fetch({})', url, evalMethod(prop(a[0], 'method'), 'GET'), prop(a[0], 'data'));
        } else record(n, 'fetch()', a[0], evalMethod(a[1], 'GET'), a[2]);
      } else if (/(^|\.)requestQueue\.(register|replace)$/.test(callee)) {
        record(n, 'requestQueue', a[0], evalMethod(a[1], 'GET'), a[2]);
      } else if (/^(\$|jQuery)\.ajax$/.test(callee) && a[0] && ts.isObjectLiteralExpression(a[0])) {
        record(n, '$.ajax', prop(a[0], 'url'), evalMethod(prop(a[0], 'type', 'method'), 'GET'), prop(a[0], 'data'));
      } else if (/^(\$|jQuery)\.getJSON$/.test(callee)) {
        const data = a[1] && ts.isObjectLiteralExpression(a[1]) ? a[1] : undefined;
        record(n, '$.getJSON', a[0], ['GET'], data);
      } else if (/(^|\.)fetchSkeletons$/.test(callee) && a.length >= 3 && !/SkeletonFilter/.test(callee)) {
        record(n, 'fetchSkeletons', returned(a[1]), evalMethod(a[6], 'POST'), returned(a[2]));
      } else if (
        a.length >= 1 &&
        (submitters.has(callee) || submitters.has(callee.replace(/^(this|self|[A-Za-z_$][\w$]*)\./, '.'))) &&
        !/\.(then|promise)$/.test(callee)
      ) {
        if (a[0].kind !== ts.SyntaxKind.NullKeyword) record(n, 'submit', a[0], evalMethod(a[1], 'GET'), a[2]);
      } else if (/(^|\.)makeURL$/.test(callee) && a[0] && !insideRecorded(n) && !/^CATMAID\.fetch/.test(enclosingName(n))) {
        // a URL made for something else than the calls above: a jstree/DataTables `ajax` option
        // (its siblings give method and data), an image or tile source, a link, a form's action
        // `makeURL(path) + '?k=' + v`: the whole concatenation
        let whole = n;
        while (ts.isBinaryExpression(whole.parent) && whole.parent.operatorToken.kind === ts.SyntaxKind.PlusToken && whole.parent.left === whole) whole = whole.parent;
        const holder = whole.parent && ts.isPropertyAssignment(whole.parent) ? whole.parent : undefined;
        const key = holder?.name.getText().replace(/['"]/g, '');
        if (holder && /^(url|sAjaxSource)$/.test(key)) {
          const obj = holder.parent;
          // DataTables: a `fnServerData` that makes the request with its own $.ajax type
          const server = prop(obj, 'fnServerData');
          let type = prop(obj, 'type', 'method', 'sServerMethod');
          if (!type && server) {
            const find = (x) => (ts.isObjectLiteralExpression(x) && prop(x, 'type')) || x.forEachChild(find);
            type = find(server);
          }
          record(n, 'makeURL (ajax option)', whole, evalMethod(type, 'GET'), server ? undefined : dataOf(prop(obj, 'data')));
        } else if ((holder && key === 'action') || (ts.isBinaryExpression(whole.parent) && /\.action$/.test(whole.parent.left.getText()))) {
          record(n, 'makeURL (form action)', whole, [], undefined);
        } else {
          record(n, 'makeURL (link, image)', whole, ['GET'], undefined);
        }
      }
    }
    n.forEachChild(visit);
  };
  visit(sf);
}

// ---------------------------------------------------------------------------------------------
// Matching and comparing

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
function pathRegex(path, holeRe) {
  let src = '';
  for (const p of path) src += p.lit !== undefined ? esc(p.lit) : holeRe;
  return new RegExp(`^/?${src.replace(/^\\?\//, '')}$`);
}
function matchRoute(path) {
  const text = urlText(path).replace(/^\//, '');
  // 1. the client's pieces against the model's path templates ({name} is one segment)
  const byTemplate = (holeRe) => {
    const re = pathRegex(path, holeRe);
    return routes.filter((r) => r.paths.some((p) => re.test(p)));
  };
  // 2. the URL with holes filled in against Django's own regex
  const byRegex = () => {
    const out = [];
    for (const fill of ['1', 'x1']) {
      const concrete = path.map((p) => (p.lit !== undefined ? p.lit : fill)).join('').replace(/^\//, '');
      for (const r of routes) if (r.re?.test(concrete) && !out.includes(r)) out.push(r);
    }
    return out;
  };
  const order = (a, b) => a.route.order - b.route.order;
  let found = byRegex().sort(order);
  let how = 'regex';
  if (!found.length) {
    found = byTemplate('[^/]+').sort(order);
    how = 'template';
  }
  if (!found.length) {
    found = byTemplate('.+').sort(order);
    how = 'template (a hole spans segments)';
  }
  // a hole standing for a literal segment (`a/${name}`) fits several routes: not one call
  if (how.startsWith('template') && found.length > 1) return { routes: found, how, ambiguous: true };
  if (!found.length) {
    // a trailing slash the route has and the client leaves out, or the reverse
    const toggled = text.endsWith('/') ? path.map((p, i) => (i === path.length - 1 && p.lit ? lit(p.lit.replace(/\/$/, '')) : p)) : [...path, lit('/')];
    const alt = matchRouteNoSlash(toggled);
    if (alt.length) return { routes: alt, how: 'trailing slash differs' };
  }
  return { routes: found, how };
}
function matchRouteNoSlash(path) {
  const out = [];
  const concrete = path.map((p) => (p.lit !== undefined ? p.lit : '1')).join('').replace(/^\//, '');
  for (const r of routes) if (r.re?.test(concrete)) out.push(r);
  return out.sort((a, b) => a.route.order - b.route.order);
}

const hasLetters = (path) => path.some((p) => p.lit !== undefined && /[A-Za-z]/.test(p.lit));
const hasLiteral = (path) => path.some((p) => p.lit !== undefined && p.lit !== '');
const locationFor = (method, encoding) =>
  encoding === 'json' ? 'body' : encoding === 'multipart' ? 'form' : /^(POST|PUT|PATCH)$/.test(method) ? 'form' : 'query';
const baseName = (n) => n.replace(/\[.*$/, '');

/**
 * One result per call. A call whose URL has several alternatives (a ternary, a variable assigned
 * in several branches) is compared alternative by alternative for its method; its parameters,
 * whose assignments are not tied to one alternative, count as modelled when any alternative's
 * operation has them, and required parameters are not checked.
 */
const results = [];
const paramCount = { sent: 0, agreeing: 0 };
for (const c of calls) {
  const where = `${c.file.replace('django/applications/catmaid/static/', '')}:${c.line}`;
  const base = { where, kind: c.kind, methods: c.methods, params: [...c.data.names], dynamicData: c.data.dynamic, encoding: c.data.encoding };
  if (!c.urlExpr) {
    results.push({ ...base, status: 'url-unknown', url: null, alternatives: [] });
    continue;
  }
  const seen = new Set();
  const alternatives = [];
  const urls = evalUrl(c.urlExpr);
  for (const alt of (urls.length ? urls : [[hole('?')]]).map(normalizeUrl)) {
    const url = urlText(alt.path);
    if (seen.has(url)) continue;
    seen.add(url);
    const a = { url, urlQuery: alt.query };
    if (/^[a-z]+:\/\//i.test(url)) a.status = 'external';
    else if (!hasLiteral(alt.path) || (!hasLetters(alt.path) && alt.path.filter((p) => p.hole).length > 1)) a.status = 'url-dynamic';
    else {
      const m = hasLetters(alt.path) ? matchRoute(alt.path) : { routes: matchRouteNoSlash(alt.path), how: 'regex (no literal text)' };
      if (!m.routes.length) a.status = 'unmatched';
      else if (m.ambiguous) {
        a.status = 'ambiguous';
        a.candidates = m.routes.map((r) => r.route.path);
      } else {
        const r = m.routes[0].route;
        Object.assign(a, {
          status: 'matched', how: m.how, route: r.path, routeObj: r,
          view: r.view ? `${r.view.module}.${r.view.name}` : null,
          viewFile: r.view ? `${r.view.file}:${r.view.line}` : null,
        });
      }
    }
    alternatives.push(a);
  }
  const matchedAlts = alternatives.filter((a) => a.status === 'matched');
  const status = matchedAlts.length
    ? 'matched'
    : (['unmatched', 'ambiguous'].find((s) => alternatives.some((a) => a.status === s)) ?? alternatives[0]?.status ?? 'url-unknown');
  const res = { ...base, status, url: alternatives.map((a) => a.url).join(' | '), alternatives, findings: [] };
  results.push(res);
  if (!matchedAlts.length) continue;
  const single = matchedAlts.length === 1;
  const ops = []; // [alt, method, op, where the client puts its data]
  for (const a of matchedAlts) {
    const r = a.routeObj;
    const at = { route: r.path, view: a.view, viewFile: a.viewFile };
    if (a.how === 'trailing slash differs') res.findings.push({ kind: 'trailing-slash', detail: `client ${a.url}, route ${r.path}`, ...at });
    for (const method of c.methods) {
      if (method.startsWith('?')) {
        res.findings.push({ kind: 'method-unknown', detail: method, ...at });
        continue;
      }
      const op = r.operations.find((o) => o.method === method);
      if (!op) {
        const accepts = (o) => o.accepts?.methods === 'any' || (Array.isArray(o.accepts?.methods) && o.accepts.methods.includes(method));
        const accepting = r.operations.find(accepts);
        const list = (o) => (Array.isArray(o.accepts.methods) ? o.accepts.methods.join(',') : o.accepts.methods);
        res.findings.push({
          kind: accepting ? 'method-accepted-not-operation' : 'method-not-in-model',
          detail: `client ${method}; model ${r.operations.map((o) => o.method).join('/') || 'none'}${accepting ? ` (${accepting.method} accepts ${list(accepting)})` : ''}`,
          ...at,
        });
        // the server answers the client's method with the view the model has under another one:
        // what the client sends is still compared with what that operation reads
        if (accepting) ops.push({ a, method, op: accepting, at, want: locationFor(method, c.data.encoding) });
        continue;
      }
      ops.push({ a, method, op, at, want: locationFor(method, c.data.encoding) });
    }
  }
  res.operations = [...new Set(ops.map((o) => o.op.operationId))];
  if (!ops.length) continue;
  // parameters: per method the client uses, across the alternatives
  for (const method of new Set(ops.map((o) => o.method))) {
    const mops = ops.filter((o) => o.method === method);
    const sent = new Map(); // name → location
    for (const n of c.data.names) sent.set(baseName(n), mops[0].want);
    for (const o of mops) for (const n of o.a.urlQuery) sent.set(baseName(n), 'query');
    for (const [name, loc] of sent) {
      paramCount.sent++;
      // jQuery ($.ajax) sends a list as `k[]=1&k[]=2`: a parameter the model names `k[]` is the same one
      const found = mops.map((o) => ({ o, ps: o.op.parameters.filter((p) => (p.name === name || p.name === `${name}[]`) && p.in !== 'path') }));
      if (found.every((f) => !f.ps.length)) {
        const inPath = mops.some((o) => o.op.parameters.some((p) => p.name === name && p.in === 'path'));
        res.findings.push({ kind: inPath ? 'param-also-in-path' : 'param-not-in-model', detail: `${method} ${name} (${loc})`, ...mops[0].at, alternatives: mops.length });
      } else if (!found.some((f) => f.ps.some((p) => p.in === loc || (loc === 'form' && p.in === 'body')))) {
        const f = found.find((x) => x.ps.length);
        res.findings.push({ kind: 'param-location', detail: `${method} ${name}: client ${loc}, model ${f.ps.map((p) => p.in).join('/')}`, ...f.o.at });
      } else paramCount.agreeing++;
    }
    if (single && !c.data.dynamic.length) {
      for (const p of mops[0].op.parameters) {
        if (p.in !== 'path' && p.required && !sent.has(p.name) && !sent.has(p.name.replace(/\[\]$/, ''))) res.findings.push({ kind: 'required-not-sent', detail: `${method} ${p.name} (${p.in})`, ...mops[0].at });
      }
    }
  }
}
for (const r of results) {
  for (const a of r.alternatives) delete a.routeObj;
  const keys = new Set();
  r.findings = (r.findings ?? []).filter((f) => {
    const k = `${f.kind} ${f.route} ${f.detail}`;
    return !keys.has(k) && keys.add(k);
  });
}

// ---------------------------------------------------------------------------------------------
// Report

const count = (xs, f) => xs.reduce((o, x) => ((o[f(x)] = (o[f(x)] ?? 0) + 1), o), {});
const matched = results.filter((r) => r.status === 'matched');
const findings = matched.flatMap((r) => r.findings.map((f) => ({ ...f, where: r.where, url: r.url })));
const summary = {
  ref,
  commit: model.source?.commit,
  files: files.length,
  calls: calls.length,
  urlAlternatives: results.reduce((n, r) => n + r.alternatives.length, 0),
  withSeveralUrls: results.filter((r) => r.alternatives.length > 1).length,
  byKind: count(calls, (c) => c.kind),
  byStatus: count(results, (r) => r.status),
  matchedBy: count(matched.flatMap((r) => r.alternatives.filter((a) => a.status === 'matched')), (a) => a.how),
  matchedAgreeing: matched.filter((r) => !r.findings.length).length,
  matchedWithDiscrepancies: matched.filter((r) => r.findings.length).length,
  withDynamicData: matched.filter((r) => r.dynamicData.length).length,
  withParams: matched.filter((r) => r.params.length || r.alternatives.some((a) => a.urlQuery?.length)).length,
  paramsCompared: paramCount.sent,
  paramsAgreeing: paramCount.agreeing,
  findings: count(findings, (f) => f.kind),
  routesUsed: new Set(matched.flatMap((r) => r.alternatives.map((a) => a.route).filter(Boolean))).size,
  routesInModel: routes.length,
};

if (flag('--json')) {
  console.log(JSON.stringify({ summary, calls: results }, null, 2));
} else {
  console.log(`CATMAID ${ref}${summary.commit ? ` (${summary.commit.slice(0, 12)})` : ''}: ${files.length} client files, ${calls.length} calls (${summary.urlAlternatives} URLs; ${summary.withSeveralUrls} calls with more than one)`);
  console.log(`  by call form: ${Object.entries(summary.byKind).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`  by status:    ${Object.entries(summary.byStatus).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`  URLs matched: ${Object.entries(summary.matchedBy).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`  matched calls agreeing with the model: ${summary.matchedAgreeing}; with discrepancies: ${summary.matchedWithDiscrepancies}; with data not fully static: ${summary.withDynamicData}`);
  console.log(`  matched calls sending parameters: ${summary.withParams}; parameter names compared: ${summary.paramsCompared}, found at the client's location: ${summary.paramsAgreeing}`);
  console.log(`  routes the client reaches: ${summary.routesUsed} of ${summary.routesInModel}`);
  console.log('  findings:');
  for (const [k, v] of Object.entries(summary.findings).sort((a, b) => b[1] - a[1])) console.log(`    ${k.padEnd(32)} ${v}`);
  const limit = flag('--list') ? Infinity : 8;
  const byKind = new Map();
  for (const f of findings) byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), f]);
  for (const [kind, fs] of byKind) {
    console.log(`\n## ${kind} (${fs.length})`);
    for (const f of fs.slice(0, limit)) console.log(`  ${f.where}  ${f.route}  ${f.detail}  [${f.view} ${f.viewFile}]`);
    if (fs.length > limit) console.log(`  … ${fs.length - limit} more (--list)`);
  }
  const ambiguous = results.filter((r) => r.status === 'ambiguous');
  console.log(`\n## URLs fitting several routes (${ambiguous.length})`);
  for (const r of ambiguous.slice(0, limit)) console.log(`  ${r.where}  ${r.methods.join('/')} ${r.url}  (${r.alternatives.flatMap((a) => a.candidates ?? []).join(', ')})`);
  const unmatched = results.filter((r) => r.status === 'unmatched');
  console.log(`\n## unmatched URLs (${unmatched.length})`);
  for (const r of unmatched.slice(0, limit)) console.log(`  ${r.where}  ${r.methods.join('/')} ${r.url}`);
  if (unmatched.length > limit) console.log(`  … ${unmatched.length - limit} more (--list)`);
  if (flag('--calls')) {
    console.log('\n## calls');
    for (const r of results) {
      const targets = r.alternatives.map((a) => (a.route ? `${a.url} → ${a.route}` : `${a.url} (${a.status})`)).join(' | ');
      console.log(`  ${r.where}  ${r.status}  ${r.methods.join('/')} ${targets || '?'} (${r.operations?.join(', ') || '-'})  {${r.params.join(', ')}}${r.dynamicData.length ? ` +dynamic(${r.dynamicData.join('; ')})` : ''}`);
    }
  }
}
