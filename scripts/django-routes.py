#!/usr/bin/python3
"""Ground-truth route list of a CATMAID ref, produced by real Django.

Consumes
  --repo REPO   a CATMAID git repository (bare is fine; only `git archive` is used)
  --ref REF     a tag, branch or commit of that repository
  --out FILE    where to write the JSON (default: stdout)
  --extension NAME=REPO@REF
                a CATMAID extension installed as NAME (repeatable): its package NAME/
                from git repository REPO at REF goes on the path after CATMAID's own
                directories, and settings.INSTALLED_EXTENSIONS lists it, so the project
                URLconf mounts it at ^ext/NAME/ as a real installation would

Produces one JSON document in the format of the shared oracle files
(shared/oracle/routes-<ref>.json): `routes`, `conditional_routes`, `mounts`,
`conditional_mounts`, `settings_read`/`settings_values`, `flips`,
`stubbed_modules`, `notes`, `errors`, `duplicate_regexes`, `shadowed`.

Interpreter: run it with the system Python that sees Debian's Django 3.2
(`apt-get install -y python3-django`), i.e. `/usr/bin/python3`; a pyenv
`python3` on PATH usually has no Django.

How it works
  1. The ref's Python sources under django/ are extracted to a temp dir
     (`git archive REF ':(glob)django/**/*.py'`), removed at the end.
  2. Django is configured minimally (ROOT_URLCONF mysite.urls, DEBUG False)
     and set up; nothing from CATMAID's settings is used.
  3. An import hook loads the URLconfs (modules named `*.urls` that exist in
     the ref) from their real source and replaces every other non-Django,
     non-stdlib module imported by repository code with a stub.  A stub name
     remembers its qualified name; calling it as a decorator records the
     wrapper text; `X.as_view(**kw)` records a class view with its initkwargs;
     any other call yields an object named after the called function.  Django
     decorators (login_required, ensure_csrf_cookie, ...) are replaced by
     recording equivalents.  View kinds (function/class) come from parsing the
     view's module source with `ast` (line regexes when that fails).
  4. The Django 1.x API used by old releases is shimmed: `patterns(prefix,
     ...)`, tuple entries and string views (resolved against the prefix).
     `include()` of something that is not a URLconf of the ref (admin site,
     allauth, swagger, extensions) is recorded as a mount, not expanded.
  5. The resolver tree under mysite.urls is walked; each route gets its full
     regex (parts joined, the leading `^` of inner parts dropped), template,
     groups, view, wrappers, kwargs and the file/line of its url() call
     (innermost stack frame in the ref's sources; for tuples inside
     patterns(), the tuple's own line from the ast).
  6. Every setting read by the URLconfs that is false or undefined (undefined
     settings read as a falsy, empty-iterable value) is flipped to True, or to
     ['EXTENSION'] when True fails; routes/mounts that only appear then are
     listed as conditional, with the enclosing `if` conditions and loops of
     their url() call taken from the source.
"""

import argparse
import ast
import copy
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import types

try:  # Python >= 3.11
    import re._parser as sre_parse
    import re._constants as sre_c
except ImportError:  # pragma: no cover
    import sre_parse
    import sre_constants as sre_c

import django
from django.conf import settings as django_settings

# Values for deployment settings the URLconfs may read (only under DEBUG /
# SERVE_STATIC); chosen like the oracle files.
EXTRA_SETTINGS = dict(
    STATIC_ROOT='/tmp/catmaid/static',
    MEDIA_ROOT='/tmp/catmaid/files',
    MEDIA_URL='/files/',
    CATMAID_URL='/',
    STATIC_URL='/static/',
    STATIC_EXTENSION_URL='/staticext/',
    STATIC_EXTENSION_ROOT='/tmp',
)
PROJECT_URLCONF = 'mysite.urls'
SOURCE_DIRS = ('django/projects', 'django/applications', 'django/lib')
FLIP_LIST_VALUE = ['EXTENSION']

STDLIB_DIRS = tuple(os.path.realpath(p) for p in {
    sysconfig.get_paths()['stdlib'], sysconfig.get_paths()['platstdlib']})


class State:
    """Everything one load of the URLconf records."""

    def __init__(self, overrides):
        self.overrides = overrides
        self.settings_read = []
        self.settings_values = {}
        self.stubbed = []
        self.notes = []
        self.loaded = []          # module names created by the hook


STATE = None
TREE = None                       # root of the extracted sources
ROOTS = []                        # SOURCE_DIRS inside TREE


def note(msg):
    if msg not in STATE.notes:
        STATE.notes.append(msg)


def in_tree(filename):
    return bool(TREE) and filename.startswith(TREE + os.sep)


def rel(filename):
    return os.path.relpath(filename, TREE)


def caller_site(skip_frames=1):
    """(file, line) of the innermost frame executing ref sources."""
    f = sys._getframe(skip_frames)
    while f is not None:
        if in_tree(f.f_code.co_filename):
            return rel(f.f_code.co_filename), f.f_lineno
        f = f.f_back
    return None


def caller_is_tree(skip_frames=2, through_imports=False):
    """Whether the code doing an attribute access (or, with through_imports,
    an import: import machinery frames are skipped) is ref source."""
    f = sys._getframe(skip_frames)
    while through_imports and f is not None:
        name = f.f_code.co_filename
        if not (name.startswith('<frozen importlib') or
                name.endswith(os.path.join('importlib', '__init__.py'))):
            break
        f = f.f_back
    return f is not None and in_tree(f.f_code.co_filename)


# ---------------------------------------------------------------------------
# Source inspection (ast)

_ast_cache = {}
_index_cache = {}


def source_file(modname):
    """Path of a module's source inside the extracted ref, or None."""
    parts = modname.split('.')
    for root in ROOTS:
        base = os.path.join(root, *parts)
        if os.path.isfile(base + '.py'):
            return base + '.py'
        if os.path.isfile(os.path.join(base, '__init__.py')):
            return os.path.join(base, '__init__.py')
    return None


def package_dir(modname):
    for root in ROOTS:
        d = os.path.join(root, *modname.split('.'))
        if os.path.isfile(os.path.join(d, '__init__.py')):
            return d
    return None


def parse_file(path):
    if path not in _ast_cache:
        with open(path, encoding='utf-8', errors='replace') as fh:
            text = fh.read()
        try:
            tree = ast.parse(text)
            for node in ast.walk(tree):
                for child in ast.iter_child_nodes(node):
                    child._parent = node
        except SyntaxError:
            tree = None
        _ast_cache[path] = (text, tree)
    return _ast_cache[path]


def module_index(modname):
    """Top-level names of a ref module: name -> 'function' | 'class' | 'value'
    | ('import', [candidate modules], name); '*' -> [star-imported modules]."""
    if modname in _index_cache:
        return _index_cache[modname]
    path = source_file(modname)
    index = None
    if path:
        text, tree = parse_file(path)
        index = {'*': []}
        if tree is not None:
            package = modname if path.endswith('__init__.py') else modname.rpartition('.')[0]

            def sources(st):
                """Modules an ImportFrom may refer to (Python 2 also tried
                implicit relative imports first)."""
                if st.level:
                    pkg = package.split('.') if package else []
                    pkg = pkg[:len(pkg) - (st.level - 1)]
                    return ['.'.join(pkg + ([st.module] if st.module else []))]
                out = [st.module]
                if package:
                    out.insert(0, package + '.' + st.module)
                return out

            def visit(body):
                for st in body:
                    if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        index[st.name] = 'function'
                    elif isinstance(st, ast.ClassDef):
                        index[st.name] = 'class'
                    elif isinstance(st, ast.Assign):
                        for t in st.targets:
                            if isinstance(t, ast.Name):
                                index[t.id] = 'value'
                    elif isinstance(st, ast.ImportFrom):
                        for a in st.names:
                            if a.name == '*':
                                index['*'].extend(sources(st))
                            else:
                                index.setdefault(a.asname or a.name, ('import', sources(st), a.name))
                    elif isinstance(st, ast.If):
                        visit(st.body)
                        visit(st.orelse)
                    elif isinstance(st, ast.Try):
                        visit(st.body)
                        for h in st.handlers:
                            visit(h.body)
                        visit(st.orelse)
            visit(tree.body)
        else:  # not Python 3 syntax: line regexes
            for m in re.finditer(r'^def\s+(\w+)\s*\(', text, re.M):
                index.setdefault(m.group(1), 'function')
            for m in re.finditer(r'^class\s+(\w+)\b', text, re.M):
                index.setdefault(m.group(1), 'class')
    _index_cache[modname] = index
    return index


def lookup_kind(modname, attrs, depth=0):
    """(view_kind, view_defined, origin) of modname.attrs from the source.
    Names re-exported by imports (star imports too) are followed; origin is
    then the module.name that defines them."""
    index = module_index(modname)
    if index is None:
        return 'unknown', None, None
    if len(attrs) != 1 or depth > 8:
        return 'unknown', False, None
    name = attrs[0]
    entry = index.get(name)
    if entry in ('function', 'class'):
        return entry, True, None
    if entry == 'value':
        return 'unknown', True, None
    if isinstance(entry, tuple):
        _, mods, orig = entry
        for mod in mods:
            if source_file(mod + '.' + orig) and not module_index(mod):
                continue
            if module_index(mod) is not None:
                kind, defined, origin = lookup_kind(mod, [orig], depth + 1)
                return kind, defined, origin or '%s.%s' % (mod, orig)
        return 'unknown', False, '%s.%s' % (mods[-1], orig)
    for mod in index['*']:
        if module_index(mod) is not None:
            kind, defined, origin = lookup_kind(mod, [name], depth + 1)
            if defined:
                return kind, defined, origin or '%s.%s' % (mod, name)
    return 'unknown', False, None


def context_of(site):
    """Enclosing `if` conditions and loop iterables of the call at site."""
    if not site:
        return [], []
    path = os.path.join(TREE, site[0])
    text, tree = parse_file(path)
    if tree is None:
        return [], []
    line = site[1]
    best = None
    for node in ast.walk(tree):
        if isinstance(node, (ast.Call, ast.Tuple)) and getattr(node, 'lineno', None) == line:
            span = (node.end_lineno - node.lineno, node.end_col_offset - node.col_offset)
            if best is None or span > best[0]:   # outermost call starting on that line
                best = (span, node)
    if best is None:
        return [], []
    node = best[1]
    conditions, loops = [], []
    seg = lambda n: ast.get_source_segment(text, n)
    child, parent = node, getattr(node, '_parent', None)
    while parent is not None:
        if isinstance(parent, (ast.If, ast.IfExp)):
            body = parent.body if isinstance(parent.body, list) else [parent.body]
            orelse = parent.orelse if isinstance(parent.orelse, list) else [parent.orelse]
            if child in body:
                conditions.insert(0, seg(parent.test))
            elif child in orelse:
                conditions.insert(0, 'not (%s)' % seg(parent.test))
        elif isinstance(parent, (ast.For, ast.AsyncFor)) and child in parent.body:
            loops.insert(0, seg(parent.iter))
        elif isinstance(parent, ast.While) and child in parent.body:
            loops.insert(0, seg(parent.test))
        elif isinstance(parent, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            for gen in parent.generators:
                loops.append(seg(gen.iter))
                conditions.extend(seg(c) for c in gen.ifs)
        child, parent = parent, getattr(parent, '_parent', None)
    return conditions, loops


def patterns_arg_lines(site, nargs):
    """Line of each positional argument after the prefix of the patterns()
    call at site, or None."""
    path = os.path.join(TREE, site[0])
    text, tree = parse_file(path)
    if tree is None:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.lineno <= site[1] <= node.end_lineno:
            f = node.func
            name = f.id if isinstance(f, ast.Name) else getattr(f, 'attr', None)
            if name == 'patterns' and len(node.args) == nargs + 1 and \
                    not any(isinstance(a, ast.Starred) for a in node.args):
                return [a.lineno for a in node.args[1:]]
    return None


# ---------------------------------------------------------------------------
# Stubs and view descriptors

def argtext(args, kwargs):
    return ', '.join([repr(a) for a in args] + ['%s=%r' % kv for kv in kwargs.items()])


class ViewSpec:
    """What a route points to: the view's qualified name and how it got there."""

    def __init__(self, view, kind, defined=None, ref='object', initkwargs=None,
                 wrappers=(), call=None, origin=None):
        self.view, self.kind, self.defined, self.ref = view, kind, defined, ref
        self.initkwargs, self.wrappers, self.call = initkwargs, list(wrappers), call
        self.origin = origin

    def wrap(self, text):
        other = copy.copy(self)
        other.wrappers = [text] + self.wrappers      # outermost first
        return other

    def __call__(self, *a, **kw):  # a view must be callable for Django
        raise RuntimeError('stub view %s called' % self.view)

    def __repr__(self):
        return '<view %s>' % self.view


class StringView(ViewSpec):
    """A Django 1.x string view, resolved when the routes are walked."""

    def __init__(self, dotted):
        super().__init__(dotted, 'unknown', ref='string')


class DjangoByName:
    """A name missing from the installed Django (e.g. old function views)."""

    def __init__(self, qualname):
        self.qualname = qualname
        note('%s does not exist in Django %s; recorded by name' % (qualname, django.get_version()))

    def __call__(self, *a, **kw):
        raise RuntimeError(self.qualname)


class StubBase:
    """A value coming from a stubbed module."""

    def __getattr__(self, name):
        if name.startswith('__') and name.endswith('__'):
            raise AttributeError(name)
        attrs = object.__getattribute__(self, '_attrs_cache')
        if name not in attrs:
            if name == 'as_view':
                attrs[name] = self._as_view
            else:
                attrs[name] = StubRef(self.base_name() + '.' + name, self.module, self.path + [name])
        return attrs[name]

    def __setattr__(self, name, value):
        object.__getattribute__(self, '_attrs_cache')[name] = value

    def _as_view(self, *args, **initkwargs):
        kind, defined, origin = (lookup_kind(self.module, self.path) if self.module
                                 else ('unknown', None, None))
        if kind == 'unknown' and defined is None:
            kind = 'class'
        return ViewSpec(self.base_name(), kind, defined, initkwargs=initkwargs, origin=origin)

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and not kwargs and is_viewlike(args[0]):
            return to_viewspec(args[0]).wrap(self.text())
        return StubCall(self, args, kwargs)

    # Operators (e.g. `Stub.attr |= set(...)`) leave the stub as it is.
    def _self(self, *a):
        return self
    __or__ = __ror__ = __and__ = __add__ = __radd__ = __sub__ = __mul__ = __mod__ = _self
    __iter__ = lambda self: iter(())
    __bool__ = lambda self: True
    __getitem__ = _self


class StubRef(StubBase):
    """A name read from a stubbed module (or an attribute of a stub)."""

    def __init__(self, qualname, module, path):
        for k, v in (('qualname', qualname), ('module', module), ('path', path), ('_attrs_cache', {})):
            object.__setattr__(self, k, v)

    def base_name(self):
        return self.qualname

    def text(self):
        return self.qualname

    def __repr__(self):
        return self.qualname


class StubCall(StubBase):
    """The result of calling a stub (e.g. a decorator factory, an instance)."""

    def __init__(self, func, args, kwargs):
        for k, v in (('func', func), ('args', args), ('kwargs', kwargs), ('_attrs_cache', {}),
                     ('module', func.module), ('path', func.path)):
            object.__setattr__(self, k, v)

    def base_name(self):   # attributes of an instance are named after its class
        return self.func.base_name()

    def text(self):
        return '%s(%s)' % (self.func.text(), argtext(self.args, self.kwargs))

    def __repr__(self):
        return self.text()


class StubModule(types.ModuleType):
    """A module that is not loaded: names read from it become StubRefs, its
    ref submodules are imported (as stubs or URLconfs) on access."""

    def __getattr__(self, name):
        if name.startswith('__') and name.endswith('__'):
            raise AttributeError(name)
        full = self.__name__ + '.' + name
        if hasattr(self, '__path__') and (source_file(full) or full in sys.modules):
            value = importlib.import_module(full)
        else:
            value = StubRef(full, self.__name__, [name])
        setattr(self, name, value)
        return value


class RecordingDecorator:
    """Replaces a Django decorator: records its name instead of wrapping."""

    def __init__(self, qualname, factory=False):
        self.qualname, self.factory = qualname, factory

    def __call__(self, *args, **kwargs):
        if not self.factory and len(args) == 1 and not kwargs and is_viewlike(args[0]):
            return to_viewspec(args[0]).wrap(self.qualname)
        text = '%s(%s)' % (self.qualname, argtext(args, kwargs))
        return lambda view: to_viewspec(view).wrap(text)


DJANGO_DECORATORS = {
    'django.contrib.auth.decorators': ['login_required', ('permission_required', 1),
                                       ('user_passes_test', 1)],
    'django.contrib.admin.views.decorators': ['staff_member_required'],
    'django.views.decorators.csrf': ['csrf_exempt', 'csrf_protect', 'ensure_csrf_cookie',
                                     'requires_csrf_token'],
    'django.views.decorators.cache': ['never_cache', ('cache_page', 1), ('cache_control', 1)],
    'django.views.decorators.http': ['require_GET', 'require_POST', 'require_safe',
                                     ('require_http_methods', 1), 'condition', 'etag',
                                     'last_modified'],
    'django.views.decorators.gzip': ['gzip_page'],
    'django.views.decorators.clickjacking': ['xframe_options_deny', 'xframe_options_exempt',
                                             'xframe_options_sameorigin'],
    'django.views.decorators.vary': [('vary_on_headers', 1), 'vary_on_cookie'],
    'django.views.decorators.debug': [('sensitive_post_parameters', 1)],
}


def is_viewlike(x):
    return isinstance(x, (StubBase, ViewSpec, DjangoByName)) or inspect.isfunction(x) \
        or hasattr(x, 'view_class')


def to_viewspec(x):
    if isinstance(x, ViewSpec):
        return x
    if isinstance(x, StubCall):
        return ViewSpec(x.func.base_name(), 'unknown', None, call='(%s)' % argtext(x.args, x.kwargs))
    if isinstance(x, StubRef):
        kind, defined, origin = lookup_kind(x.module, x.path)
        return ViewSpec(x.qualname, kind, defined, origin=origin)
    if isinstance(x, DjangoByName):
        return ViewSpec(x.qualname, 'django', None)
    if hasattr(x, 'view_class'):     # real as_view() result
        cls = x.view_class
        q = '%s.%s' % (cls.__module__, cls.__qualname__)
        dj = cls.__module__.split('.')[0] == 'django'
        return ViewSpec(q, 'django' if dj else 'class', None,
                        initkwargs=dict(getattr(x, 'view_initkwargs', {})))
    mod = getattr(x, '__module__', '') or ''
    q = '%s.%s' % (mod, getattr(x, '__qualname__', getattr(x, '__name__', repr(x))))
    return ViewSpec(q, 'django' if mod.split('.')[0] == 'django' else 'unknown', None)


def resolve_string_view(sv):
    """Django 1.x resolved string views by importing them."""
    dotted = sv.view
    mod, _, name = dotted.rpartition('.')
    if dotted.split('.')[0] == 'django':
        try:
            obj = getattr(importlib.import_module(mod), name)
        except (ImportError, AttributeError):
            DjangoByName(dotted)
            spec = ViewSpec(dotted, 'django', None)
        else:
            spec = to_viewspec(obj)
    else:
        try:
            importlib.import_module(mod)      # records the stubbed module
        except Exception:
            pass
        kind, defined, origin = lookup_kind(mod, [name])
        spec = ViewSpec(dotted, kind, defined, origin=origin)
    spec.ref = 'string'
    return spec


# ---------------------------------------------------------------------------
# Import hook

class StubLoader(importlib.abc.Loader):
    def create_module(self, spec):
        return StubModule(spec.name)

    def exec_module(self, module):
        STATE.stubbed.append(module.__name__)
        STATE.loaded.append(module.__name__)
        d = package_dir(module.__name__)
        if d or module.__spec__.submodule_search_locations is not None:
            module.__path__ = [d] if d else []


class TrackingLoader(importlib.machinery.SourceFileLoader):
    def exec_module(self, module):
        STATE.loaded.append(module.__name__)
        super().exec_module(module)


class DjangoLoader(importlib.abc.Loader):
    """Loads a Django module normally, then lets ref code read names it no
    longer has (recorded by name)."""

    def __init__(self, inner):
        self.inner = inner

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module):
        self.inner.exec_module(module)
        add_missing_hook(module)


def add_missing_hook(module):
    if '__getattr__' in vars(module):
        return

    def __getattr__(name, _mod=module.__name__):
        if not name.startswith('__') and caller_is_tree(2):  # direct access only
            return DjangoByName('%s.%s' % (_mod, name))
        raise AttributeError('module %r has no attribute %r' % (_mod, name))
    module.__getattr__ = __getattr__


class RefFinder(importlib.abc.MetaPathFinder):
    """URLconfs of the ref load for real, other ref modules and third-party
    modules imported by ref code become stubs; Django and the standard
    library are left alone."""

    def find_spec(self, fullname, path, target=None):
        if STATE is None:
            return None
        top = fullname.split('.')[0]
        from_tree = caller_is_tree(2, through_imports=True)
        if top == 'django':
            if not from_tree:
                return None
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
            if spec is not None and spec.loader is not None:
                spec.loader = DjangoLoader(spec.loader)
            return spec
        src = source_file(fullname)
        if src and fullname.split('.')[-1] == 'urls':
            return importlib.util.spec_from_file_location(
                fullname, src, loader=TrackingLoader(fullname, src))
        if src:
            return importlib.machinery.ModuleSpec(
                fullname, StubLoader(), is_package=src.endswith('__init__.py'))
        parent = fullname.rpartition('.')[0]
        if parent:   # submodules of stubs are stubs, of real packages real
            if isinstance(sys.modules.get(parent), StubModule):
                return importlib.machinery.ModuleSpec(fullname, StubLoader(), is_package=True)
            return None
        if not from_tree or top in sys.builtin_module_names or top == '__future__':
            return None
        real = importlib.machinery.PathFinder.find_spec(fullname)
        if real is not None and real.origin and \
                os.path.realpath(real.origin).startswith(STDLIB_DIRS):
            return None
        return importlib.machinery.ModuleSpec(fullname, StubLoader(), is_package=True)


# ---------------------------------------------------------------------------
# Settings proxy

class Undefined:
    """Value of a setting the configuration does not define."""

    def __bool__(self):
        return False

    def __iter__(self):
        return iter(())

    def __repr__(self):
        return 'UNDEFINED'


UNDEFINED = Undefined()


class SettingsProxy:
    """Stands in for django.conf.settings: records the settings ref code reads
    (and whether they are defined) and applies the current flip."""

    def __init__(self, real):
        object.__setattr__(self, '_real', real)

    def __getattr__(self, name):
        real = object.__getattribute__(self, '_real')
        if name.startswith('_') or STATE is None or not caller_is_tree(2):
            return getattr(real, name)
        defined = hasattr(real, name)
        value = getattr(real, name) if defined else UNDEFINED
        if name not in STATE.settings_values:
            STATE.settings_read.append(name)
            STATE.settings_values[name] = {'defined': defined,
                                           'value': jsonable(value) if defined else None}
        if name in STATE.overrides:
            return STATE.overrides[name]
        return value

    def __setattr__(self, name, value):
        setattr(object.__getattribute__(self, '_real'), name, value)


# ---------------------------------------------------------------------------
# Django API shims (Django 1.x patterns/string views, mounts, sites)

class Mount:
    """Something included but not expanded (admin site, allauth, extensions)."""

    def __init__(self, target, namespace=None, app_name=None):
        self.target, self.namespace, self.app_name = target, namespace, app_name


def is_ref_urlconf(name):
    return isinstance(name, str) and name.split('.')[-1] == 'urls' and bool(source_file(name))


def install_shims():
    """Replace url()/re_path()/path()/include() with versions that record the
    call site, accept Django 1.x string views and turn non-URLconf includes
    into mounts; add patterns(); replace Django's view decorators."""
    import django.urls as du
    import django.conf.urls as dcu
    from django.urls import URLPattern
    real_re_path, real_path, real_include = du.re_path, du.path, du.include

    def stub_target(obj):
        return obj.base_name() if isinstance(obj, StubBase) else str(obj)

    def mount_of(obj, namespace=None, app_name=None):
        target = stub_target(obj)
        owner = target.rsplit('.', 2)[-2] if target.count('.') >= 1 else ''
        if target.endswith('.urls') and 'AdminSite' in owner:  # AdminSite.urls
            namespace, app_name = namespace or 'admin', app_name or 'admin'
        return Mount(target, namespace, app_name)

    def include(arg, namespace=None, app_name=None):
        if isinstance(arg, StubBase):
            return mount_of(arg, namespace, app_name)
        if isinstance(arg, str) and not is_ref_urlconf(arg):
            parts = arg.split('.')   # listed like the stubs it stands for
            for i in range(1, len(parts) + 1):
                if '.'.join(parts[:i]) not in STATE.stubbed:
                    STATE.stubbed.append('.'.join(parts[:i]))
            return Mount(arg, namespace, app_name)
        if isinstance(arg, tuple) and len(arg) == 3 and isinstance(arg[0], StubBase):
            return Mount(stub_target(arg[0]), arg[2], arg[1])
        if app_name and not isinstance(arg, tuple):       # Django 1.x signature
            arg = (arg, app_name)
        return real_include(arg, namespace)

    def make(real, route, view, kwargs=None, name=None, prefix='', site=None):
        site = site or caller_site(3)
        if isinstance(view, StubBase) and stub_target(view).endswith('.urls'):
            view = mount_of(view)
        if isinstance(view, Mount):
            p = real(route, ([], view.app_name, view.namespace), kwargs)
            p._cm_mount = view
        else:
            if isinstance(view, str):
                view = StringView(prefix + '.' + view if prefix else view)
            elif isinstance(view, (StubBase, DjangoByName)):
                view = to_viewspec(view)
            p = real(route, view, kwargs, name)
        p._cm_site = site
        return p

    def re_path(route, view, kwargs=None, name=None, prefix=''):
        return make(real_re_path, route, view, kwargs, name, prefix)

    def path(route, view, kwargs=None, name=None):
        return make(real_path, route, view, kwargs, name)

    def patterns(prefix, *args):
        site = caller_site(2)
        lines = patterns_arg_lines(site, len(args)) if site else None
        out = []
        for i, t in enumerate(args):
            if isinstance(t, (list, tuple)):
                s = (site[0], lines[i]) if lines else site
                t = make(real_re_path, *t, prefix=prefix, site=s)
            elif isinstance(t, URLPattern) and isinstance(t.callback, StringView) and prefix:
                t.callback = StringView(prefix + '.' + t.callback.view)
            out.append(t)
        return out

    du.include, du.re_path, du.path = include, re_path, path
    dcu.include, dcu.url = include, re_path
    dcu.patterns = patterns          # removed in Django 2.0

    for modname, names in DJANGO_DECORATORS.items():
        try:
            mod = importlib.import_module(modname)
        except Exception:
            continue
        for n in names:
            n, factory = (n if isinstance(n, tuple) else (n, 0))
            if hasattr(mod, n):
                setattr(mod, n, RecordingDecorator('%s.%s' % (modname, n), bool(factory)))


# ---------------------------------------------------------------------------
# Regex helpers

def join_regex(parts):
    return parts[0] + ''.join(p[1:] if p.startswith('^') else p for p in parts[1:])


def template_of(regex):
    """Path template: named groups -> {name}, literals as themselves; None
    when other regex syntax (optional parts, classes, ...) remains."""
    try:
        parsed = sre_parse.parse(regex)
    except Exception:
        return None
    names = {v: k for k, v in parsed.state.groupdict.items()}
    items = list(parsed)
    if items and items[0] == (sre_c.AT, sre_c.AT_BEGINNING):
        items = items[1:]
    if items and items[-1][0] == sre_c.AT and items[-1][1] in (sre_c.AT_END, sre_c.AT_END_STRING):
        items = items[:-1]

    def render(seq):
        out = ''
        for op, av in seq:
            if op == sre_c.LITERAL:
                out += chr(av)
            elif op == sre_c.SUBPATTERN:
                group, sub = av[0], av[-1]
                if group in names:
                    out += '{%s}' % names[group]
                else:
                    r = render(list(sub))
                    if r is None:
                        return None
                    out += r
            else:
                return None
        return out

    body = render(items)
    return None if body is None else '/' + body


def sample_of(seq):
    """One string matched by a parsed regex (first branch, minimal repeats)."""
    out = ''
    for op, av in seq:
        if op == sre_c.LITERAL:
            out += chr(av)
        elif op == sre_c.SUBPATTERN:
            out += sample_of(av[-1])
        elif op == sre_c.BRANCH:
            out += sample_of(av[1][0])
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT):
            out += sample_of(av[2]) * av[0]
        elif op == sre_c.IN:
            first = av[0]
            if first[0] == sre_c.LITERAL:
                out += chr(first[1])
            elif first[0] == sre_c.RANGE:
                out += chr(first[1][0])
            elif first[0] == sre_c.CATEGORY:
                out += '1' if first[1] == sre_c.CATEGORY_DIGIT else 'a'
            else:
                out += 'a'
        elif op == sre_c.ANY:
            out += 'a'
        elif op == sre_c.CATEGORY:
            out += '1' if av == sre_c.CATEGORY_DIGIT else 'a'
    return out


def sample_paths(regex, template, groups):
    """Up to two paths the route matches: each group filled with 'abc' (first
    path) or '1' (second), where its own regex allows that, else with a
    string generated from its regex."""
    if template is None:
        return []
    parsed = sre_parse.parse(regex)
    index = parsed.state.groupdict
    options = {}
    for g in groups:
        sub = next((av[-1] for op, av in _walk_sre(list(parsed))
                    if op == sre_c.SUBPATTERN and av[0] == index[g]), None)
        group_re = re.compile(r'(?:%s)\Z' % regex_of_group(regex, g))
        opts = [c for c in ('abc', '1') if group_re.match(c)]
        options[g] = opts or [sample_of(sub) if sub is not None else 'a']
    compiled = re.compile(regex)
    out = []
    for k in (0, 1):
        p = template
        for g in groups:
            p = p.replace('{%s}' % g, options[g][min(k, len(options[g]) - 1)])
        if p not in out and compiled.search(p[1:]):
            out.append(p)
    return out


def regex_of_group(regex, name):
    """The source text of a named group's body."""
    start = regex.index('(?P<%s>' % name) + len(name) + 5
    depth, i = 1, start
    while i < len(regex) and depth:
        c = regex[i]
        if c == '\\':
            i += 2
            continue
        if c == '[':   # skip a character class
            j = i + 1
            if j < len(regex) and regex[j] == '^':
                j += 1
            if j < len(regex) and regex[j] == ']':
                j += 1
            while j < len(regex) and regex[j] != ']':
                j += 2 if regex[j] == '\\' else 1
            i = j + 1
            continue
        depth += c == '('
        depth -= c == ')'
        i += 1
    return regex[start:i - 1]


def _walk_sre(seq):
    for item in seq:
        yield item
        op, av = item
        if op == sre_c.SUBPATTERN:
            yield from _walk_sre(av[-1])
        elif op == sre_c.BRANCH:
            for b in av[1]:
                yield from _walk_sre(b)
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT):
            yield from _walk_sre(av[2])


def jsonable(v):
    from django.utils.functional import Promise
    if isinstance(v, Promise):
        try:
            red = v.__reduce__()[1]
            func, args, kw = red[0], red[1], red[2]
            return {'lazy': '%s(%s)' % (getattr(func, '__name__', func), argtext(args, kw))}
        except Exception:
            return {'lazy': repr(v)}
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set)):
        return [jsonable(x) for x in v]
    if isinstance(v, StubBase):
        return v.text()
    if isinstance(v, ViewSpec):
        return v.view
    return repr(v)


# ---------------------------------------------------------------------------
# One load of the URLconf

def load(overrides):
    """Import the project URLconf with the given setting overrides and walk
    it. Returns (routes, mounts, errors, state)."""
    global STATE
    from django.urls import URLPattern, URLResolver
    import django.contrib.admin as dj_admin
    saved_admin_site = dj_admin.site
    STATE = State(overrides)
    routes, mounts, errors = [], [], []
    try:
        try:
            urlconf = importlib.import_module(PROJECT_URLCONF)
            patterns = list(getattr(urlconf, 'urlpatterns'))
        except Exception as e:
            errors.append('%s: %s' % (type(e).__name__, e))
            patterns = []

        def walk(items, parts, namespace):
            for p in items:
                pat = p.pattern
                part = pat._regex if hasattr(pat, '_regex') else pat.regex.pattern
                rparts = parts + [part]
                full = join_regex(rparts)
                site = getattr(p, '_cm_site', None)
                conditions, loops = context_of(site)
                site_json = {'file': site[0], 'line': site[1]} if site else None
                if isinstance(p, URLResolver):
                    ns = namespace
                    if p.namespace:
                        ns = p.namespace if not namespace else namespace + ':' + p.namespace
                    mount = getattr(p, '_cm_mount', None)
                    if mount is not None:
                        mounts.append({
                            'mount': full, 'mount_template': template_of(full),
                            'target': mount.target, 'namespace': mount.namespace,
                            'app_name': mount.app_name, 'position': len(routes),
                            'site': site_json, 'conditions': conditions, 'loops': loops})
                    else:
                        walk(p.url_patterns, rparts, ns)
                    continue
                cb = p.callback
                spec = resolve_string_view(cb) if isinstance(cb, StringView) else to_viewspec(cb)
                regex = re.compile(full).pattern
                template = template_of(full)
                groups = sorted(re.compile(full).groupindex, key=re.compile(full).groupindex.get)
                route = {
                    'regex': regex, 'template': template, 'groups': groups,
                    'view': spec.view, 'view_kind': spec.kind, 'name': p.name,
                    'kwargs': jsonable(p.default_args or {}), 'index': len(routes),
                    'regex_parts': rparts, 'namespace': namespace,
                    'pattern_type': 'route' if type(pat).__name__ == 'RoutePattern' else 'regex',
                    'end_anchored': bool(re.search(r'(?<!\\)(\$|\\Z)$', full)),
                    'wrappers': spec.wrappers, 'initkwargs': jsonable(spec.initkwargs),
                    'view_ref': spec.ref, 'view_defined': spec.defined, 'site': site_json,
                    'conditions': conditions, 'loops': loops,
                }
                if spec.origin:
                    route['view_origin'] = spec.origin
                if spec.call is not None:
                    route['call'] = spec.call
                route['sample_paths'] = sample_paths(full, template, groups)
                routes.append(route)

        try:
            walk(patterns, [], None)
        except Exception as e:
            errors.append('%s: %s' % (type(e).__name__, e))
    finally:
        for name in STATE.loaded:
            sys.modules.pop(name, None)
        dj_admin.site = saved_admin_site
        state, STATE = STATE, None
    return routes, mounts, errors, state


def route_key(r):
    return (r['regex'], r['view'], r['name'], json.dumps(r['kwargs'], sort_keys=True))


def mount_key(m):
    return (m['mount'], m['target'])


def added_items(base, flipped, key):
    """Items of flipped that base does not have (as multisets), in order,
    with their index in flipped; and how many of base's are missing."""
    counts = {}
    for x in base:
        counts[key(x)] = counts.get(key(x), 0) + 1
    added = []
    for i, x in enumerate(flipped):
        k = key(x)
        if counts.get(k, 0) > 0:
            counts[k] -= 1
        else:
            added.append((i, x))
    fcounts = {}
    for x in flipped:
        fcounts[key(x)] = fcounts.get(key(x), 0) + 1
    removed = 0
    for x in base:
        k = key(x)
        if fcounts.get(k, 0) > 0:
            fcounts[k] -= 1
        else:
            removed += 1
    return added, removed


def compute(ref):
    routes, mounts, errors, state = load({})
    result_notes = list(state.notes)

    # served_by / shadowed / duplicates over the unconditional routes
    compiled = [re.compile(r['regex']) for r in routes]
    for r in routes:
        r['served_by'] = [next((j for j, c in enumerate(compiled) if c.search(p[1:])), None)
                          for p in r['sample_paths']]
    by_regex = {}
    for r in routes:
        by_regex.setdefault(r['regex'], []).append(r)
    duplicates = [{'regex': k, 'indices': [r['index'] for r in v], 'views': [r['view'] for r in v]}
                  for k, v in by_regex.items() if len(v) > 1]
    shadowed = [{'index': r['index'], 'regex': r['regex'], 'view': r['view'],
                 'sample_paths': r['sample_paths'], 'served_by': r['served_by']}
                for r in routes if r['sample_paths'] and r['index'] not in r['served_by']]

    # flips of the settings read by the URLconfs
    flips, cond_routes, cond_mounts = [], {}, {}
    for name in state.settings_read:
        base_value = state.settings_values[name]
        if base_value['defined'] and base_value['value']:
            continue
        for value in (True, FLIP_LIST_VALUE):
            f_routes, f_mounts, f_errors, f_state = load({name: value})
            for n in f_state.notes:
                if n not in result_notes:
                    result_notes.append(n)
            entry = {'setting': name, 'value': value, 'routes': len(f_routes),
                     'mounts': len(f_mounts), 'errors': f_errors}
            if f_errors and not f_routes:
                entry.update(routes=0, mounts=0)
                flips.append(entry)
                continue          # try the list value
            add_r, rem_r = added_items(routes, f_routes, route_key)
            add_m, rem_m = added_items(mounts, f_mounts, mount_key)
            entry.update(added=len(add_r), removed=rem_r)
            if add_m or rem_m:
                entry.update(added_mounts=len(add_m), removed_mounts=rem_m)
            flips.append(entry)
            for i, r in add_r:
                k = route_key(r)
                if k not in cond_routes:
                    r = dict(r)
                    del r['index']
                    r['present_when'] = []
                    r['flipped_index'] = i
                    cond_routes[k] = r
                cond_routes[k]['present_when'].append({name: value})
            for i, m in add_m:
                k = mount_key(m)
                if k not in cond_mounts:
                    m = dict(m)
                    m['present_when'] = []
                    cond_mounts[k] = m
                cond_mounts[k]['present_when'].append({name: value})
            break

    return {
        'ref': ref, 'mode': 'project', 'urlconf': PROJECT_URLCONF,
        'django_version': django.get_version(),
        'settings_read': state.settings_read, 'settings_values': state.settings_values,
        'routes': routes, 'mounts': mounts, 'duplicate_regexes': duplicates,
        'shadowed': shadowed, 'stubbed_modules': state.stubbed, 'notes': result_notes,
        'errors': errors, 'flips': flips,
        'conditional_routes': list(cond_routes.values()),
        'conditional_mounts': list(cond_mounts.values()),
    }


def setup_django():
    django_settings.configure(
        DEBUG=False, ROOT_URLCONF=PROJECT_URLCONF, SECRET_KEY='routes-only', DATABASES={},
        INSTALLED_APPS=['django.contrib.auth', 'django.contrib.contenttypes',
                        'django.contrib.admin', 'django.contrib.sessions',
                        'django.contrib.messages'],
        **EXTRA_SETTINGS)
    django.setup()
    for name in ('django.contrib.auth.views', 'django.views.generic', 'django.views.static',
                 'django.contrib.admin', 'django.urls', 'django.conf.urls'):
        importlib.import_module(name)   # before their decorators are replaced
    import django.conf as dj_conf
    dj_conf.settings = SettingsProxy(django_settings)
    install_shims()
    for name, mod in list(sys.modules.items()):
        if name.split('.')[0] == 'django' and isinstance(mod, types.ModuleType):
            add_missing_hook(mod)
    sys.meta_path.insert(0, RefFinder())


def main():
    global TREE, ROOTS
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--repo', required=True, help='CATMAID git repository (bare is fine)')
    ap.add_argument('--ref', required=True, help='tag, branch or commit')
    ap.add_argument('--out', help='output file (default: stdout)')
    ap.add_argument('--extension', action='append', default=[], metavar='NAME=REPO@REF',
                    help='a CATMAID extension installed as NAME (settings.INSTALLED_EXTENSIONS): '
                         'its package NAME/ read from git repository REPO at REF; repeatable')
    args = ap.parse_args()
    extensions = []
    for spec in args.extension:
        m = re.match(r'^([A-Za-z_]\w*)=(.+)@([^@/]+)$', spec)
        if not m:
            sys.exit('django-routes: --extension wants NAME=REPO@REF, not %r' % spec)
        extensions.append(m.groups())

    archive = subprocess.run(
        ['git', '-C', args.repo, 'archive', '--format=tar', args.ref, '--',
         ':(glob)django/**/*.py'], stdout=subprocess.PIPE)
    if archive.returncode:
        sys.exit('django-routes: cannot read %s at %s' % (args.repo, args.ref))
    tmp = tempfile.mkdtemp(prefix='catmaid-routes-')
    try:
        archive = archive.stdout
        subprocess.run(['tar', '-x', '-C', tmp], input=archive, check=True)
        TREE = os.path.realpath(tmp)
        ROOTS = [os.path.join(TREE, d) for d in SOURCE_DIRS if os.path.isdir(os.path.join(TREE, d))]
        # Each extension's package under ext/NAME/, on the path after CATMAID's own directories.
        for name, repo, ref in extensions:
            ext = subprocess.run(['git', '-C', repo, 'archive', '--format=tar', ref, '--',
                                  ':(glob)%s/**/*.py' % name], stdout=subprocess.PIPE)
            if ext.returncode:
                sys.exit('django-routes: cannot read extension %s from %s at %s' % (name, repo, ref))
            root = os.path.join(TREE, 'ext', name)
            os.makedirs(root)
            subprocess.run(['tar', '-x', '-C', root], input=ext.stdout, check=True)
            ROOTS.append(root)
        if extensions:
            EXTRA_SETTINGS['INSTALLED_EXTENSIONS'] = tuple(name for name, _, _ in extensions)
        setup_django()
        result = compute(args.ref)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    text = json.dumps(result, indent=1) + '\n'
    if args.out:
        with open(args.out, 'w') as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)


if __name__ == '__main__':
    main()
