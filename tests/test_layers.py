"""Layers: the library (``core/``, the ``tracklens`` package) never reaches the app (``tracklens.dashboard``)
or the app's libraries (Streamlit, plotly, OpenCV), by any import form; and core has no import cycle.

The checker reads every import form: ``import a.b``, ``from a import b``, relative imports (resolved
against the module's own package, so ``from .dashboard import x`` in ``tracklens/__init__.py`` counts),
and the calls ``importlib.import_module``, ``__import__``, ``importlib.util.find_spec``, ``runpy.run_module``
and ``pkgutil.resolve_name``, however the function was imported. A call whose module name is not a
string the test can work out (a variable, a computed name) is refused: core must name what it loads.
Its own tests show that each form is seen. A second test imports every core module in a fresh
interpreter and checks that none of the app's modules got loaded.
"""
from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORE = REPO / "core"
FORBIDDEN = ("tracklens.dashboard", "dashboard", "streamlit", "plotly", "cv2")
IMPORT_CALLS = {"import_module", "__import__", "find_spec", "run_module", "resolve_name"}


@dataclass(frozen=True)
class Reach:
    line: int
    target: str | None  # None: a dynamic import whose target cannot be worked out


def module_name(path: Path) -> tuple[str, bool]:
    """(dotted name, is a package) of a file under core/ (the ``tracklens`` package)."""
    parts = ["tracklens", *path.relative_to(CORE).with_suffix("").parts]
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def _resolve(name: str, level: int, package: str) -> str:
    if level == 0:
        return name
    base = package.split(".")
    base = base[:len(base) - level + 1]
    return ".".join(base + ([name] if name else []))


def _constant(node: ast.AST, module: str, package: str) -> str | None:
    """The string value of a constant expression ('a' + 'b', f'{...}' of constants, __name__, __package__)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and node.id in ("__name__", "__package__"):
        return module if node.id == "__name__" else package
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _constant(node.left, module, package), _constant(node.right, module, package)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.JoinedStr):
        parts = [_constant(v.value if isinstance(v, ast.FormattedValue) else v, module, package) for v in node.values]
        return "".join(parts) if all(p is not None for p in parts) else None
    return None


def reaches(source: str, module: str, is_package: bool) -> list[Reach]:
    """Every module the source imports or loads by name, resolved to absolute dotted names."""
    package = module if is_package else module.rpartition(".")[0]
    tree = ast.parse(source)
    # The import functions under any local name (``from importlib import import_module as load``).
    loaders = IMPORT_CALLS | {a.asname for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                              for a in node.names if a.name in IMPORT_CALLS and a.asname}
    out: list[Reach] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [Reach(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node.module or "", node.level, package)
            out.append(Reach(node.lineno, base))
            out += [Reach(node.lineno, f"{base}.{a.name}" if base else a.name) for a in node.names if a.name != "*"]
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
            if name not in loaders:
                continue
            args = {**{k: a for k, a in enumerate(node.args)}, **{kw.arg: kw.value for kw in node.keywords}}
            first = args.get(0, args.get("name", args.get("mod_name")))
            target = _constant(first, module, package) if first is not None else None
            if target is not None and target.startswith("."):
                anchor = args.get(1, args.get("package"))
                anchor_name = _constant(anchor, module, package) if anchor is not None else None
                level = len(target) - len(target.lstrip("."))
                target = _resolve(target.lstrip("."), level, anchor_name) if anchor_name else None
            if target is not None and name == "resolve_name":
                target = target.split(":")[0]
            out.append(Reach(node.lineno, target))
    return out


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    bad = []
    for r in reaches(source, module, is_package):
        if r.target is None:
            bad.append(f"line {r.line}: a dynamic import whose module the test cannot work out")
        elif any(r.target == f or r.target.startswith(f + ".") for f in FORBIDDEN):
            bad.append(f"line {r.line}: reaches {r.target}")
    return bad


# --- the checker sees every form --------------------------------------------------------------------

@pytest.mark.parametrize("source, module, is_package", [
    ("import tracklens.dashboard.views", "tracklens.cli", False),
    ("import streamlit as st", "tracklens.cli", False),
    ("import plotly.graph_objects as go", "tracklens.results", False),
    ("import cv2", "tracklens.analysis.boxes", False),
    ("from tracklens.dashboard import report", "tracklens.cli", False),
    ("from tracklens import dashboard", "tracklens.cli", False),
    ("from .dashboard import cli", "tracklens", True),
    ("from . import dashboard", "tracklens", True),
    ("from .. import dashboard", "tracklens.metrics.hota", False),
    ("from ..dashboard.report import build_report", "tracklens.analysis.record", False),
    ("import importlib\nimportlib.import_module('tracklens.dashboard.report')", "tracklens.cli", False),
    ("from importlib import import_module as im\nim('streamlit')", "tracklens.cli", False),
    ("import importlib\nimportlib.import_module('.dashboard.cli', 'tracklens')", "tracklens.cli", False),
    ("import importlib\nimportlib.import_module('..dashboard', package=__name__)", "tracklens.metrics", True),
    ("import importlib\nimportlib.import_module('tracklens' + '.dashboard')", "tracklens.cli", False),
    ("import importlib\nimportlib.import_module(f'{\"tracklens\"}.dashboard')", "tracklens.cli", False),
    ("__import__('cv2')", "tracklens.cli", False),
    ("import builtins\nbuiltins.__import__('plotly')", "tracklens.cli", False),
    ("import importlib.util\nimportlib.util.find_spec('streamlit')", "tracklens.cli", False),
    ("from importlib.util import find_spec\nfind_spec(name='tracklens.dashboard')", "tracklens.cli", False),
    ("import runpy\nrunpy.run_module('tracklens.dashboard.cli')", "tracklens.cli", False),
    ("import pkgutil\npkgutil.resolve_name('tracklens.dashboard.cli:main')", "tracklens.cli", False),
    ("def f():\n    import streamlit\n", "tracklens.workspace", False),  # inside a function
])
def test_checker_sees_the_form(source: str, module: str, is_package: bool) -> None:
    assert violations(source, module, is_package), source


@pytest.mark.parametrize("source", [
    "import importlib\nname = 'stream' + input()\nimportlib.import_module(name)",
    "__import__(modname)",
    "import importlib\nimportlib.import_module(f'tracklens.{part}')",
])
def test_checker_refuses_what_it_cannot_resolve(source: str) -> None:
    assert any("dynamic import" in v for v in violations(source, "tracklens.cli")), source


@pytest.mark.parametrize("source, module, is_package", [
    ("import numpy as np\nfrom .metrics import hota", "tracklens.evaluate", False),
    ("from . import assets\nimport importlib\nimportlib.import_module('tracklens.assets')", "tracklens", True),
    ("from .formats.motchallenge import read_mot_file", "tracklens.layout", False),
    ("import importlib\nimportlib.import_module('.api', __name__)", "tracklens", True),
    ("x = 'tracklens.dashboard'  # a string that is not imported", "tracklens.cli", False),
])
def test_checker_passes_what_stays_in_core(source: str, module: str, is_package: bool) -> None:
    assert violations(source, module, is_package) == []


# --- core itself ----------------------------------------------------------------------------------------

def core_files() -> list[Path]:
    files = sorted(CORE.rglob("*.py"))
    assert len(files) > 30, "core/ not found where expected"
    return files


def test_core_never_reaches_the_app() -> None:
    problems = []
    for path in core_files():
        module, is_package = module_name(path)
        problems += [f"{path.relative_to(REPO)}: {v}" for v in violations(path.read_text(), module, is_package)]
    assert not problems, "\n".join(problems)


def test_loading_every_core_module_loads_nothing_of_the_app() -> None:
    modules = [module_name(p)[0] for p in core_files() if p.name != "__main__.py"]
    code = textwrap.dedent(f"""
        import importlib, sys
        for name in {modules!r}:
            importlib.import_module(name)
        print(sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'plotly', 'cv2', 'dashboard')
                     or m.startswith('tracklens.dashboard')))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO.parent)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]", out.stdout


def test_core_has_no_import_cycle() -> None:
    """Module-level and function-level imports alike: a cycle is a layering problem hidden by a lazy import."""
    names = {module_name(p)[0]: p for p in core_files()}
    edges: dict[str, set[str]] = {}
    for name, path in names.items():
        targets = {r.target for r in reaches(path.read_text(), name, path.name == "__init__.py") if r.target}
        # ``from pkg import mod`` reaches mod; ``from mod import name`` reaches mod (not a module named name)
        edges[name] = {t for t in targets if t in names and t != name}
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            cycle = path[path.index(node):] + [node]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if node in done:
            return
        for nxt in sorted(edges[node]):
            visit(nxt, path + [node])
        done.add(node)

    for name in sorted(edges):
        visit(name, [])
