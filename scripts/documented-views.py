#!/usr/bin/python3
"""Which routed CATMAID views are *documented*, decided with Python's `ast`.

This is an independent cross-check of the `documented` flag (and the HTTP
methods of documented operations) that catmaid-codegen puts into its route
model.  It shares no code with catmaid-codegen (which parses Python with
tree-sitter): it reads the Python sources of one ref straight from git and
looks at them with the standard library's `ast` module.

Consumes
  --repo REPO      a CATMAID git repository (bare is fine; only `git archive`
                   and `git ls-tree` are used, nothing is checked out)
  --ref REF        a tag, branch or commit of that repository
  --oracle FILE    the route list Django produced for that ref
                   (scripts/django-routes.py, /tmp/django-oracle/routes-REF.json);
                   its `routes` and `conditional_routes` are the views examined
  --json           print JSON instead of text

Produces, per routed view (a view routed from several paths is listed once,
with all its regexes), whether it is documented, its methods and the
evidence.  With --json: a list of
  {view, regexes, documented, methods, evidence}
where `methods` is a sorted list of upper-case HTTP methods (empty when the
view is not documented) and `evidence` a list of strings saying how it was
decided.  Text output ends with notes on files that could not be parsed.

What "documented" means (CATMAID's sense: the view shows up in the Django
REST framework API documentation)
  * a function decorated with `@api_view(...)` of rest_framework.decorators,
    or wrapped with `api_view([...])` in the URLconf (oracle `wrappers`);
    methods: the list given (`api_view()` without arguments means GET);
  * a class deriving -- directly, or through other classes anywhere in the
    source tree, following imports (also `import x as y`, relative and star
    imports and simple `A = B` aliases) across modules -- from DRF's
    `APIView`, `GenericAPIView`, any class of `rest_framework.generics`, a
    viewset of `rest_framework.viewsets`, or
    `rest_framework.authtoken.views.ObtainAuthToken`; methods: handler
    methods (get, post, put, patch, delete) defined (or assigned) in the
    classes of the in-tree inheritance chain, plus the handlers the DRF
    generic bases implement (ListAPIView -> GET, CreateAPIView -> POST, ...,
    ObtainAuthToken -> POST).  A class attribute `http_method_names`, when
    it is a literal list, restricts the result.
  Everything else (plain Django functions and classes, views outside the
  source tree) is not documented.

Files that `ast` cannot parse (Python 2 syntax in old refs) are reported;
for them a line-based reading is used instead (logical lines from the
`tokenize` module, or physical lines where tokenize fails too): top-level
`import`/`from` lines, `class Name(bases):` lines, `@decorator(...)` lines
directly above a top-level `def`, and `def get(`-style lines (or `put = post`)
in the body of a class.  Each verdict that relied on such a file says so in
its evidence, and the text output lists the files.

Interpreter: the system Python 3 (/usr/bin/python3), standard library only.
"""

import argparse
import ast
import builtins
import io
import json
import re
import subprocess
import sys
import tarfile
import tokenize

ROOTS = ('django/applications', 'django/projects', 'django/lib')
BUILTINS = frozenset(dir(builtins))
HANDLERS = ('get', 'post', 'put', 'patch', 'delete')

API_VIEW = 'rest_framework.decorators.api_view'

# Handlers implemented by the concrete DRF generic views (and ObtainAuthToken).
DRF_IMPLIED = {
    'rest_framework.generics.CreateAPIView': ['post'],
    'rest_framework.generics.ListAPIView': ['get'],
    'rest_framework.generics.RetrieveAPIView': ['get'],
    'rest_framework.generics.DestroyAPIView': ['delete'],
    'rest_framework.generics.UpdateAPIView': ['put', 'patch'],
    'rest_framework.generics.ListCreateAPIView': ['get', 'post'],
    'rest_framework.generics.RetrieveUpdateAPIView': ['get', 'put', 'patch'],
    'rest_framework.generics.RetrieveDestroyAPIView': ['get', 'delete'],
    'rest_framework.generics.RetrieveUpdateDestroyAPIView': ['get', 'put', 'patch', 'delete'],
    'rest_framework.authtoken.views.ObtainAuthToken': ['post'],
}


def drf_base(qname):
    """Why the external class qname makes a subclass documented, or None."""
    if qname in ('rest_framework.views.APIView', 'rest_framework.generics.GenericAPIView',
                 'rest_framework.authtoken.views.ObtainAuthToken'):
        return qname
    parts = qname.split('.')
    if len(parts) == 3 and parts[:2] == ['rest_framework', 'generics'] and parts[2][:1].isupper():
        return qname
    if len(parts) == 3 and parts[:2] == ['rest_framework', 'viewsets'] and parts[2].endswith('ViewSet'):
        return qname
    return None


# ---------------------------------------------------------------- sources

def read_tree(repo, ref):
    """{path: bytes} of the .py files under the sys.path roots at ref."""
    roots = []
    for root in ROOTS:
        out = subprocess.run(['git', '--git-dir', repo, 'ls-tree', '--name-only', ref, root],
                             capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit('git ls-tree failed: %s' % out.stderr.strip())
        if out.stdout.strip():
            roots.append(root)
    data = subprocess.run(['git', '--git-dir', repo, 'archive', '--format=tar', ref, '--'] + roots,
                          capture_output=True)
    if data.returncode != 0:
        sys.exit('git archive failed: %s' % data.stderr.decode(errors='replace').strip())
    files = {}
    with tarfile.open(fileobj=io.BytesIO(data.stdout), mode='r:') as tar:
        for member in tar:
            if member.isfile() and member.name.endswith('.py'):
                files[member.name] = tar.extractfile(member).read()
    return files


def module_map(files):
    """{module name: (path, is_package)} for every file under a root."""
    mods = {}
    for path in files:
        for root in ROOTS:
            if path.startswith(root + '/'):
                rel = path[len(root) + 1:-3].split('/')
                if rel[-1] == '__init__':
                    name, pkg = '.'.join(rel[:-1]), True
                else:
                    name, pkg = '.'.join(rel), False
                if name and name not in mods:
                    mods[name] = (path, pkg)
    return mods


# ---------------------------------------------------------------- module facts
#
# A module is reduced to bindings of top-level names:
#   ('class', ClassFacts)          ('function', FuncFacts)
#   ('module', modname)            `import a.b as c` / `import a`
#   ('from', modname, attr)        `from m import attr`
#   ('alias', dotted)              `A = b.C`
#   ('asview', dotted)             `v = C.as_view(...)`
#   ('wrapped', deco, dotted)      `v = deco(args)(f)` / `v = deco(f)`
#   ('value', line)                anything else
# plus the list of star-imported modules.

class ClassFacts:
    def __init__(self, name, line, bases, handlers, method_names):
        self.name, self.line, self.bases = name, line, bases
        self.handlers = handlers            # {method: line}
        self.method_names = method_names    # literal http_method_names or None


class FuncFacts:
    def __init__(self, name, line, decorators):
        self.name, self.line = name, line
        self.decorators = decorators        # [Deco]


class Deco:
    def __init__(self, dotted, called, args, text):
        self.dotted = dotted                # decorator callee as a dotted name
        self.called = called                # written as a call
        self.args = args                    # literal positional/keyword method list, or None
        self.text = text


class Module:
    def __init__(self, name, path, pkg):
        self.name, self.path, self.pkg = name, path, pkg
        self.bindings = {}
        self.stars = []
        self.mode = 'ast'
        self.error = None


def dotted_name(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return '.'.join(reversed(parts))
    return None


def literal_methods(node):
    try:
        value = ast.literal_eval(node)
    except Exception:
        return None
    if isinstance(value, str):
        value = [value]
    if isinstance(value, (list, tuple, set)) and all(isinstance(v, str) for v in value):
        return [v.upper() for v in value]
    return None


def deco_facts(node, text):
    seg = ast.get_source_segment(text, node) or ast.dump(node)
    if isinstance(node, ast.Call):
        args = None
        if node.args:
            args = literal_methods(node.args[0])
        for kw in node.keywords:
            if kw.arg == 'http_method_names':
                args = literal_methods(kw.value)
        if not node.args and not node.keywords:
            args = []
        return Deco(dotted_name(node.func), True, args, seg)
    return Deco(dotted_name(node), False, None, seg)


def resolve_relative(modname, is_pkg, level, target):
    if not level:
        return target
    parts = modname.split('.')
    if not is_pkg:
        parts = parts[:-1]
    if level > 1:
        parts = parts[:len(parts) - (level - 1)]
    base = '.'.join(parts)
    return '.'.join(p for p in (base, target) if p)


def ast_facts(mod, tree, text):
    def bind_import(node):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    mod.bindings[a.asname] = ('module', a.name)
                else:
                    top = a.name.split('.')[0]
                    mod.bindings[top] = ('module', top)
        else:
            src = resolve_relative(mod.name, mod.pkg, node.level, node.module or '')
            for a in node.names:
                if a.name == '*':
                    mod.stars.append(src)
                else:
                    mod.bindings[a.asname or a.name] = ('from', src, a.name)

    def class_facts(node):
        handlers, method_names = {}, None
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name in HANDLERS:
                handlers[stmt.name] = stmt.lineno
            elif isinstance(stmt, ast.Assign):
                for t in stmt.targets:
                    if isinstance(t, ast.Name) and t.id in HANDLERS:
                        handlers[t.id] = stmt.lineno
                    elif isinstance(t, ast.Name) and t.id == 'http_method_names':
                        method_names = literal_methods(stmt.value)
        bases = [dotted_name(b) or ast.get_source_segment(text, b) for b in node.bases]
        return ClassFacts(node.name, node.lineno, bases, handlers, method_names)

    def assign(name, value, line):
        if isinstance(value, (ast.Name, ast.Attribute)) and dotted_name(value):
            mod.bindings[name] = ('alias', dotted_name(value))
        elif isinstance(value, ast.Call):
            f = value.func
            if isinstance(f, ast.Attribute) and f.attr == 'as_view' and dotted_name(f.value):
                mod.bindings[name] = ('asview', dotted_name(f.value))
            elif isinstance(f, ast.Call) and len(value.args) == 1 and dotted_name(value.args[0]):
                mod.bindings[name] = ('wrapped', deco_facts(f, text), dotted_name(value.args[0]))
            elif dotted_name(f) and len(value.args) == 1 and dotted_name(value.args[0]):
                mod.bindings[name] = ('wrapped', deco_facts(f, text), dotted_name(value.args[0]))
            else:
                mod.bindings[name] = ('value', line)
        else:
            mod.bindings[name] = ('value', line)

    def walk(body):
        # module level, including the bodies of if/try/with/for (last binding wins)
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                bind_import(node)
            elif isinstance(node, ast.ClassDef):
                mod.bindings[node.name] = ('class', class_facts(node))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                decos = [deco_facts(d, text) for d in node.decorator_list]
                mod.bindings[node.name] = ('function', FuncFacts(node.name, node.lineno, decos))
            elif isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        assign(t.id, node.value, node.lineno)
            elif isinstance(node, ast.If):
                walk(node.body)
                walk(node.orelse)
            elif isinstance(node, ast.Try):
                walk(node.body)
                for h in node.handlers:
                    walk(h.body)
                walk(node.orelse)
                walk(node.finalbody)
            elif isinstance(node, (ast.With, ast.For, ast.While)):
                walk(node.body)

    walk(tree.body)


def logical_lines(text):
    """[(lineno, column, text)] of the logical lines of text.  Uses tokenize
    (which copes with most Python 2 code); where tokenize gives up, the rest
    is read one physical line at a time."""
    out = []
    toks, start, col, last = [], None, 0, None
    skip = (tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING)
    done_row = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                if toks:
                    out.append((start, col, ''.join(toks)))
                    done_row = tok.start[0]
                toks, start, last = [], None, None
                continue
            if tok.type in skip:
                continue
            if start is None:
                start, col = tok.start[0], tok.start[1]
            elif last is not None and (tok.start[0] != last[0] or tok.start[1] > last[1]):
                toks.append(' ')
            toks.append(tok.string)
            last = tok.end
    except (tokenize.TokenError, SyntaxError, IndentationError):
        for i, line in enumerate(text.splitlines()[done_row:], done_row + 1):
            code = re.sub(r'#.*$', '', line).rstrip()
            if code.strip():
                out.append((i, len(code) - len(code.lstrip()), code.strip()))
    return out


def line_facts(mod, text):
    """Line-based reading for files ast cannot parse (Python 2)."""
    pending = []          # decorators waiting for their def
    current = None        # ClassFacts whose block we are in
    body_col = None       # indentation of that class's body
    for lineno, col, line in logical_lines(text):
        if col > 0:
            if current is not None and body_col is None:
                body_col = col
            if current is not None and col == body_col:
                m = re.match(r'def\s+(\w+)\s*\(', line)
                if m and m.group(1) in HANDLERS:
                    current.handlers.setdefault(m.group(1), lineno)
                m = re.match(r'(\w+)\s*=\s*(\w+)\s*$', line)
                if m and m.group(1) in HANDLERS:
                    current.handlers.setdefault(m.group(1), lineno)
                m = re.match(r'http_method_names\s*=\s*(.+)$', line)
                if m:
                    try:
                        current.method_names = literal_methods(ast.parse(m.group(1), mode='eval').body)
                    except SyntaxError:
                        pass
            continue
        current = None
        m = re.match(r'@(.+)$', line)
        if m:
            try:
                node = ast.parse(m.group(1).strip(), mode='eval').body
                pending.append(deco_facts(node, m.group(1).strip()))
            except SyntaxError:
                pending.append(Deco(None, False, None, m.group(1).strip()))
            continue
        m = re.match(r'def\s+(\w+)\s*\(', line)
        if m:
            mod.bindings[m.group(1)] = ('function', FuncFacts(m.group(1), lineno, pending))
            pending = []
            continue
        pending = []
        m = re.match(r'class\s+(\w+)\s*(?:\((.*)\))?\s*:', line)
        if m:
            bases = [b.strip() for b in (m.group(2) or '').split(',') if b.strip() and '=' not in b]
            current, body_col = ClassFacts(m.group(1), lineno, bases, {}, None), None
            mod.bindings[m.group(1)] = ('class', current)
            continue
        m = re.match(r'from\s+(\.*)([\w.]*)\s+import\s+(.+)$', line)
        if m:
            src = resolve_relative(mod.name, mod.pkg, len(m.group(1)), m.group(2))
            names = m.group(3).strip().strip('()')
            for part in names.split(','):
                part = part.strip()
                if not part:
                    continue
                if part == '*':
                    mod.stars.append(src)
                    continue
                mm = re.match(r'(\w+)(?:\s+as\s+(\w+))?$', part)
                if mm:
                    mod.bindings[mm.group(2) or mm.group(1)] = ('from', src, mm.group(1))
            continue
        m = re.match(r'import\s+(.+)$', line)
        if m:
            for part in m.group(1).split(','):
                mm = re.match(r'\s*([\w.]+)(?:\s+as\s+(\w+))?\s*$', part)
                if mm:
                    if mm.group(2):
                        mod.bindings[mm.group(2)] = ('module', mm.group(1))
                    else:
                        top = mm.group(1).split('.')[0]
                        mod.bindings[top] = ('module', top)
            continue
        m = re.match(r'(\w+)\s*=\s*(.+)$', line)
        if m:
            try:
                value = ast.parse(m.group(2).strip(), mode='eval').body
            except SyntaxError:
                mod.bindings[m.group(1)] = ('value', lineno)
                continue
            tmp = Module(mod.name, mod.path, mod.pkg)
            ast_facts(tmp, ast.parse('%s = %s' % (m.group(1), m.group(2).strip())), line)
            mod.bindings.update(tmp.bindings)


# ---------------------------------------------------------------- resolution

class Index:
    def __init__(self, files):
        self.files = files
        self.mods = module_map(files)
        self.cache = {}
        self.failed = {}          # path -> error text (ast could not parse)

    def module(self, name):
        if name not in self.mods:
            return None
        if name in self.cache:
            return self.cache[name]
        path, pkg = self.mods[name]
        mod = Module(name, path, pkg)
        self.cache[name] = mod
        raw = self.files[path]
        try:
            tree = ast.parse(raw, filename=path)
            ast_facts(mod, tree, raw.decode('utf-8', errors='replace'))
        except (SyntaxError, ValueError) as e:
            mod.mode = 'lines'
            mod.error = '%s: %s (line %s)' % (type(e).__name__, getattr(e, 'msg', e), getattr(e, 'lineno', '?'))
            self.failed[path] = mod.error
            line_facts(mod, raw.decode('utf-8', errors='replace'))
        return mod

    # An entity: ('module', name) | ('external', qname) | ('class', mod, ClassFacts)
    # | ('function', mod, FuncFacts) | ('asview', mod, dotted) | ('wrapped', mod, Deco, dotted)
    # | ('value', mod, line) | ('missing', text)

    def lookup(self, modname, name, depth=0):
        if depth > 30:
            return ('missing', '%s.%s (import cycle?)' % (modname, name))
        mod = self.module(modname)
        if mod is None:
            return ('external', '%s.%s' % (modname, name))
        b = mod.bindings.get(name)
        if b is None:
            sub = '%s.%s' % (modname, name)
            if sub in self.mods:
                return ('module', sub)
            for star in mod.stars:
                if star in self.mods:
                    found = self.lookup(star, name, depth + 1)
                    if found[0] != 'missing':
                        return found
            for star in mod.stars:
                if star not in self.mods:
                    return ('external', '%s.%s' % (star, name))
            if name in BUILTINS:
                return ('external', 'builtins.' + name)
            return ('missing', '%s.%s' % (modname, name))
        kind = b[0]
        if kind == 'module':
            return ('module', b[1]) if b[1] in self.mods else ('external', b[1])
        if kind == 'from':
            src, attr = b[1], b[2]
            sub = '%s.%s' % (src, attr)
            if sub in self.mods:
                return ('module', sub)
            if src in self.mods:
                return self.lookup(src, attr, depth + 1)
            return ('external', sub)
        if kind == 'alias':
            return self.resolve(modname, b[1], depth + 1)
        if kind in ('class', 'function', 'asview', 'value'):
            return (kind, modname, b[1])
        if kind == 'wrapped':
            return ('wrapped', modname, b[1], b[2])
        return ('missing', '%s.%s' % (modname, name))

    def resolve(self, modname, dotted, depth=0):
        if not dotted:
            return ('missing', repr(dotted))
        parts = dotted.split('.')
        ent = self.lookup(modname, parts[0], depth)
        for part in parts[1:]:
            if ent[0] == 'module':
                ent = self.lookup(ent[1], part, depth + 1)
            elif ent[0] == 'external':
                ent = ('external', ent[1] + '.' + part)
            else:
                return ('missing', '%s (attribute %s of a %s)' % (dotted, part, ent[0]))
        return ent

    def resolve_qualified(self, qname):
        """Entity of a fully qualified name such as pkg.mod.attr.attr."""
        parts = qname.split('.')
        for i in range(len(parts), 0, -1):
            head = '.'.join(parts[:i])
            if head in self.mods:
                ent = ('module', head)
                for part in parts[i:]:
                    if ent[0] != 'module':
                        return ('missing', qname)
                    ent = self.lookup(ent[1], part)
                return ent
        return ('external', qname)


# ---------------------------------------------------------------- deciding

def where(index, modname, line):
    mod = index.module(modname)
    path = mod.path if mod else modname
    return '%s:%s' % (path, line)


def class_verdict(index, modname, facts, seen=None):
    """(drf_reasons, {method: evidence}, method_names restriction, notes)."""
    seen = set() if seen is None else seen
    key = (modname, facts.name)
    reasons, methods, notes, restrict = [], {}, [], facts.method_names
    if key in seen:
        return reasons, methods, restrict, notes
    seen.add(key)
    for m, line in facts.handlers.items():
        methods.setdefault(m, 'def %s in %s.%s (%s)' % (m, modname, facts.name, where(index, modname, line)))
    for base in facts.bases:
        ent = index.resolve(modname, base)
        if ent[0] == 'class':
            r, ms, rs, ns = class_verdict(index, ent[1], ent[2], seen)
            reasons.extend('%s.%s <- %s' % (modname, facts.name, x) for x in r)
            for m, ev in ms.items():
                methods.setdefault(m, ev)
            if restrict is None:
                restrict = rs
            notes.extend(ns)
        elif ent[0] == 'external':
            why = drf_base(ent[1])
            if why:
                reasons.append('%s.%s(%s) -> %s' % (modname, facts.name, base, why))
                for m in DRF_IMPLIED.get(ent[1], []):
                    methods.setdefault(m, 'implied by DRF base %s' % ent[1])
                if ent[1].startswith('rest_framework.viewsets.'):
                    notes.append('viewset %s: methods come from the router/as_view actions, not listed' % ent[1])
        elif ent[0] == 'missing':
            notes.append('base %s of %s.%s not resolved (%s)' % (base, modname, facts.name, ent[1]))
        else:
            notes.append('base %s of %s.%s resolves to a %s' % (base, modname, facts.name, ent[0]))
    return reasons, methods, restrict, notes


def decide_entity(index, ent, label, depth=0):
    """{'documented', 'methods', 'evidence'} of a resolved view entity."""
    ev = []
    if depth > 10:
        return {'documented': False, 'methods': [], 'evidence': ['%s: too many wrappers' % label]}
    kind = ent[0]
    if kind == 'class':
        modname, facts = ent[1], ent[2]
        mod = index.module(modname)
        if mod.mode == 'lines':
            ev.append('%s read line by line (ast failed: %s)' % (mod.path, mod.error))
        reasons, methods, restrict, notes = class_verdict(index, modname, facts)
        ev.extend(notes)
        if not reasons:
            ev.insert(0, 'class %s.%s (%s): no DRF base in its inheritance chain' % (
                modname, facts.name, where(index, modname, facts.line)))
            return {'documented': False, 'methods': [], 'evidence': ev}
        ev.insert(0, 'class %s.%s (%s) is a DRF view: %s' % (
            modname, facts.name, where(index, modname, facts.line), '; '.join(reasons)))
        names = sorted(methods)
        if restrict is not None:
            dropped = [m for m in names if m.upper() not in restrict]
            names = [m for m in names if m.upper() in restrict]
            if dropped:
                ev.append('http_method_names %s drops %s' % (restrict, dropped))
        ev.extend('%s: %s' % (m.upper(), methods[m]) for m in names)
        if not names:
            ev.append('no handler methods found')
        return {'documented': True, 'methods': sorted(m.upper() for m in names), 'evidence': ev}
    if kind == 'function':
        modname, facts = ent[1], ent[2]
        mod = index.module(modname)
        if mod.mode == 'lines':
            ev.append('%s read line by line (ast failed: %s)' % (mod.path, mod.error))
        for d in facts.decorators:
            target = index.resolve(modname, d.dotted) if d.dotted else ('missing', d.text)
            if target == ('external', API_VIEW):
                methods = d.args if d.called else None
                if d.called and d.args == []:
                    methods = ['GET']
                    note = ' (no arguments: GET)'
                elif not d.called:
                    note = ' (used without a call, so DRF gets no method list)'
                    methods = []
                elif methods is None:
                    note = ' (methods not a literal list)'
                    methods = []
                else:
                    note = ''
                ev.insert(0, 'function %s.%s (%s) decorated @%s%s' % (
                    modname, facts.name, where(index, modname, facts.line), d.text, note))
                return {'documented': True, 'methods': sorted(set(methods)), 'evidence': ev}
            if d.dotted and d.dotted.split('.')[-1] == 'api_view':
                ev.append('decorator @%s resolves to %s, not DRF api_view' % (d.text, target))
        ev.insert(0, 'function %s.%s (%s): no @api_view decorator%s' % (
            modname, facts.name, where(index, modname, facts.line),
            ' (decorators: %s)' % ', '.join('@' + d.text for d in facts.decorators) if facts.decorators else ''))
        return {'documented': False, 'methods': [], 'evidence': ev}
    if kind == 'asview':
        inner = index.resolve(ent[1], ent[2])
        r = decide_entity(index, inner, ent[2], depth + 1)
        r['evidence'].insert(0, '%s is %s.as_view() in %s' % (label, ent[2], ent[1]))
        return r
    if kind == 'wrapped':
        modname, deco, target = ent[1], ent[2], ent[3]
        if deco.dotted and index.resolve(modname, deco.dotted) == ('external', API_VIEW):
            methods = deco.args if deco.args else (['GET'] if deco.called and deco.args == [] else [])
            return {'documented': True, 'methods': sorted(set(methods)),
                    'evidence': ['%s = %s(%s) in %s' % (label, deco.text, target, modname)]}
        r = decide_entity(index, index.resolve(modname, target), target, depth + 1)
        r['evidence'].insert(0, '%s is %s applied to %s in %s' % (label, deco.text, target, modname))
        return r
    if kind == 'external':
        why = drf_base(ent[1])
        if ent[1] == 'rest_framework.authtoken.views.obtain_auth_token':
            why = 'rest_framework.authtoken.views.ObtainAuthToken'
        if why:
            return {'documented': True, 'methods': [m.upper() for m in DRF_IMPLIED.get(why, [])],
                    'evidence': ['external DRF view %s' % ent[1]]}
        return {'documented': False, 'methods': [], 'evidence': ['%s is outside the source tree (%s)' % (label, ent[1])]}
    if kind == 'module':
        return {'documented': False, 'methods': [], 'evidence': ['%s is a module' % label]}
    if kind == 'value':
        return {'documented': False, 'methods': [], 'evidence': [
            '%s is a plain value assigned at %s' % (label, where(index, ent[1], ent[2]))]}
    return {'documented': False, 'methods': [], 'evidence': ['%s not found in the source tree (%s)' % (label, ent[1])]}


def api_view_wrapper(wrappers):
    """Methods of an api_view(...) wrapper recorded by the oracle, or None."""
    for w in wrappers or []:
        m = re.match(r'\s*(?:rest_framework\.decorators\.)?api_view\s*(?:\((.*)\))?\s*$', w, re.S)
        if not m:
            continue
        inner = (m.group(1) or '').strip()
        if not inner:
            return w, ['GET']
        try:
            node = ast.parse('f(%s)' % inner, mode='eval').body
        except SyntaxError:
            return w, []
        methods = None
        if node.args:
            methods = literal_methods(node.args[0])
        for kw in node.keywords:
            if kw.arg == 'http_method_names':
                methods = literal_methods(kw.value)
        return w, sorted(set(methods or []))
    return None


def decide_route(index, route):
    view = route['view']
    wrapped = api_view_wrapper(route.get('wrappers'))
    if wrapped:
        text, methods = wrapped
        return {'documented': True, 'methods': methods,
                'evidence': ['wrapped in the URLconf with %s' % text]}
    ent = index.resolve_qualified(view)
    r = decide_entity(index, ent, view)
    if route.get('view_origin') and ent[0] in ('missing', 'external'):
        r2 = decide_entity(index, index.resolve_qualified(route['view_origin']), route['view_origin'])
        r2['evidence'].insert(0, 'via oracle view_origin %s' % route['view_origin'])
        r = r2
    return r


def analyse(repo, ref, oracle):
    index = Index(read_tree(repo, ref))
    routes = list(oracle.get('routes', [])) + list(oracle.get('conditional_routes', []))
    groups = {}       # (view, verdict key) -> entry, in route order
    order = []
    for route in routes:
        r = decide_route(index, route)
        key = (route['view'], r['documented'], tuple(r['methods']), tuple(r['evidence']))
        if key not in groups:
            groups[key] = {'view': route['view'], 'regexes': [], 'documented': r['documented'],
                           'methods': r['methods'] if r['documented'] else [],
                           'evidence': r['evidence']}
            order.append(key)
        if route['regex'] not in groups[key]['regexes']:
            groups[key]['regexes'].append(route['regex'])
    # a view whose routes disagree (e.g. one path wraps it with api_view) is
    # listed once per verdict; say so
    views = {}
    for key in order:
        views.setdefault(key[0], []).append(groups[key])
    for entries in views.values():
        if len(entries) > 1:
            for e in entries:
                e['evidence'].append('view has %d different verdicts across its routes' % len(entries))
    return [e for entries in views.values() for e in entries], index


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--repo', required=True)
    ap.add_argument('--ref', required=True)
    ap.add_argument('--oracle', required=True)
    ap.add_argument('--json', action='store_true')
    args = ap.parse_args()
    with open(args.oracle) as f:
        oracle = json.load(f)
    entries, index = analyse(args.repo, args.ref, oracle)
    if args.json:
        json.dump(entries, sys.stdout, indent=1)
        sys.stdout.write('\n')
        if index.failed:
            sys.stderr.write('ast could not parse %d consulted file(s); read line by line: %s\n'
                             % (len(index.failed), ', '.join(sorted(index.failed))))
        return
    for e in entries:
        print('%s  documented=%s  methods=%s' % (e['view'], 'yes' if e['documented'] else 'no',
                                                ','.join(e['methods']) or '-'))
        for rx in e['regexes']:
            print('    regex: %s' % rx)
        for ev in e['evidence']:
            print('    why:   %s' % ev)
    ndoc = sum(1 for e in entries if e['documented'])
    print()
    print('%s: %d routed view entries, %d documented, %d not' % (args.ref, len(entries), ndoc, len(entries) - ndoc))
    if index.failed:
        print('ast could not parse %d consulted file(s); they were read line by line '
              '(imports, class lines, decorators above top-level defs, handler defs):' % len(index.failed))
        for path, err in sorted(index.failed.items()):
            print('    %s: %s' % (path, err))
    else:
        print('every consulted file parsed with ast')


if __name__ == '__main__':
    main()
