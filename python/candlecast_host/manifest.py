"""Reads a strategy's declared metadata (docstring, name, resolution, lookback, symbols, tags, parameters) from
its source with `ast`, without running it."""

import ast

_FIELDS = ("name", "resolution", "lookback", "symbols", "tags", "INTERFACE_VERSION")
_PARAM_TYPES = {"IntParam": "int", "FloatParam": "float", "BoolParam": "bool"}
_PARAM_ARGS = ("default", "low", "high", "description")
# The Strategy interfaces this host runs (python/README.md: INTERFACE_VERSION policy).
SUPPORTED_INTERFACE_VERSIONS = (1,)


class ManifestError(Exception):
    """The source does not declare a strategy the host can read."""


def _name_of(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _literal(node, what):
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise ManifestError("%s must be a literal value (line %d)" % (what, getattr(node, "lineno", 0)))


def _param(call, attr):
    kind = _PARAM_TYPES[_name_of(call.func)]
    names = _PARAM_ARGS if kind != "bool" else ("default", "description")
    spec = {"type": kind, "default": None, "low": None, "high": None, "description": ""}
    for name, node in zip(names, call.args):
        spec[name] = _literal(node, "parameter %s" % attr)
    for kw in call.keywords:
        if kw.arg in spec and kw.arg != "type":
            spec[kw.arg] = _literal(kw.value, "parameter %s" % attr)
    return spec


def read_manifest(source):
    """Return the manifest of the one Strategy subclass in `source`; raise SyntaxError or ManifestError."""
    tree = ast.parse(source, filename="<strategy>")
    doc = ast.get_docstring(tree) or ""
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef) and any(_name_of(b) == "Strategy" for b in n.bases)]
    if len(classes) != 1:
        raise ManifestError("define exactly one class derived from candlecast.Strategy (found %d)" % len(classes))
    cls = classes[0]
    fields = {}
    params = {}
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value = stmt.target, stmt.value
        else:
            continue
        if not isinstance(target, ast.Name):
            continue
        if target.id in _FIELDS:
            fields[target.id] = _literal(value, target.id)
        elif isinstance(value, ast.Call) and _name_of(value.func) in _PARAM_TYPES:
            params[target.id] = _param(value, target.id)
    interface_version = fields.get("INTERFACE_VERSION", 1)
    if interface_version not in SUPPORTED_INTERFACE_VERSIONS or isinstance(interface_version, bool):
        raise ManifestError(
            "INTERFACE_VERSION %r is not supported by this host (supported: %s)"
            % (interface_version, ", ".join(str(v) for v in SUPPORTED_INTERFACE_VERSIONS))
        )
    return {
        "className": cls.name,
        "description": doc.strip().splitlines()[0].strip() if doc.strip() else "",
        "docstring": doc,
        "name": fields.get("name", cls.name),
        "resolution": fields.get("resolution"),
        "lookback": fields.get("lookback"),
        "symbols": fields.get("symbols", []),
        "tags": fields.get("tags", []),
        "interfaceVersion": interface_version,
        "params": params,
    }
