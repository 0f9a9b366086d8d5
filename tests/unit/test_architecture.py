"""Architecture rules read from the source (AST): no private name used across modules, no
import cycle, and every module outside ui/ and the app wiring importable without Qt or VTK.

Modules are found by walking the folders, so a new package is covered without listing it.
"""

from __future__ import annotations

import ast
import functools
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "workstation"
# Only these may import Qt, pyqtgraph or VTK (DESIGN.md section 2; the forbidden contract in
# pyproject.toml lists the packages, this test also covers the top-level modules).
QT_WIRING = ("workstation.ui", "workstation.app")
QT_PACKAGES = ("PySide6", "shiboken6", "pyqtgraph", "vtk", "vtkmodules")
ENTRY_POINTS = ("__main__",)  # run the program when imported; their imports are checked above
# Outside the package, files that may not use our private names either.
CLIENT_FOLDERS = ("tests", "benchmarks")


# -- reading the source ---------------------------------------------------------------------
@dataclass(frozen=True)
class Module:
    name: str  # dotted, e.g. workstation.net.scu.echo; a package is its __init__
    path: Path
    is_package: bool


@dataclass(frozen=True)
class Import:
    module: str  # absolute dotted module named by the statement
    name: str | None  # the name taken by ``from module import name``; None for ``import``
    asname: str | None
    line: int
    in_function: bool  # inside a def or lambda: runs when called, not at import


@functools.cache
def our_modules() -> dict[str, Module]:
    """Every module of the package, by dotted name, found from the files."""
    modules = {}
    for path in sorted((REPO_ROOT / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        name = ".".join(parts)
        modules[name] = Module(name, path, is_package)
    return modules


@functools.cache
def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def display(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def is_type_checking(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:``."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def absolute(importer: Module | None, level: int, module: str | None) -> str | None:
    """The dotted module of a (possibly relative) ``from`` import; None when it cannot be
    one of ours (a relative import outside the package)."""
    if level == 0:
        return module
    if importer is None:
        return None
    parts = importer.name.split(".")
    if not importer.is_package:
        parts.pop()
    if level > 1:
        parts = parts[: -(level - 1)]
    base = ".".join(parts)
    return f"{base}.{module}" if module else base


def imports_of(tree: ast.Module, importer: Module | None) -> Iterator[Import]:
    """Every import statement of ``tree`` except those under ``if TYPE_CHECKING:``."""

    def visit(node: ast.AST, in_function: bool) -> Iterator[Import]:
        if isinstance(node, ast.If) and is_type_checking(node.test):
            children: list[ast.AST] = list(node.orelse)
        else:
            children = list(ast.iter_child_nodes(node))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            in_function = True
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(alias.name, None, alias.asname, node.lineno, in_function)
        elif isinstance(node, ast.ImportFrom):
            base = absolute(importer, node.level, node.module)
            if base is not None:
                for alias in node.names:
                    yield Import(base, alias.name, alias.asname, node.lineno, in_function)
        for child in children:
            yield from visit(child, in_function)

    yield from visit(tree, False)


def ours(dotted: str) -> bool:
    return dotted == PACKAGE or dotted.startswith(PACKAGE + ".")


def within(importer: str, package: str) -> bool:
    return importer == package or importer.startswith(package + ".")


# -- a. private names -----------------------------------------------------------------------
def private_uses(path: Path, importer: Module | None) -> Iterator[str]:
    """``path:line: what`` for each private name of another of our modules used in ``path``.

    A private name is ``_x`` (not a dunder). A private module (``pkg/_x.py``) may be used
    within ``pkg`` only. Attribute use (``echo._diagnose`` after ``from ... import echo``)
    is found through the names the file binds to our modules.
    """
    modules = our_modules()
    here = importer.name if importer else ""
    where = display(path)
    bound: dict[str, str] = {}  # local name -> our module it stands for
    for imp in imports_of(parse(path), importer):
        if not ours(imp.module):
            continue
        yield from private_module_uses(imp.module, here, f"{where}:{imp.line}")
        if imp.name is None:
            if imp.asname:
                bound[imp.asname] = imp.module
            else:
                bound[imp.module.split(".")[0]] = imp.module.split(".")[0]
            continue
        sub = f"{imp.module}.{imp.name}"
        if sub in modules:  # a submodule: ``from pkg import mod``
            bound[imp.asname or imp.name] = sub
            yield from private_module_uses(sub, here, f"{where}:{imp.line}")
        elif is_private(imp.name) and imp.module != here:
            yield f"{where}:{imp.line}: imports {imp.name} from {imp.module}"
    for node in ast.walk(parse(path)):
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            target = module_of(node.value, bound)
            if target is not None and target in modules and target != here:
                yield f"{where}:{node.lineno}: uses {target}.{node.attr}"


def private_module_uses(dotted: str, importer: str, where: str) -> Iterator[str]:
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        if is_private(part) and not within(importer, ".".join(parts[:i])):
            yield f"{where}: imports private module {dotted}"
            return


def module_of(node: ast.expr, bound: dict[str, str]) -> str | None:
    """The dotted module an expression like ``echo`` or ``workstation.net.echo`` names."""
    attrs: list[str] = []
    while isinstance(node, ast.Attribute):
        attrs.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in bound:
        return None
    return ".".join([bound[node.id], *reversed(attrs)])


def client_files() -> list[Path]:
    return sorted(p for folder in CLIENT_FOLDERS for p in (REPO_ROOT / folder).rglob("*.py"))


def test_no_module_imports_a_private_name_of_another() -> None:
    offenders = [
        line for m in our_modules().values() for line in private_uses(m.path, importer=m)
    ]
    assert not offenders, "private names used across modules:\n" + "\n".join(offenders)


def test_tests_and_benchmarks_use_no_private_name_of_the_package() -> None:
    offenders = [line for path in client_files() for line in private_uses(path, importer=None)]
    assert not offenders, "private names of workstation used:\n" + "\n".join(offenders)


def test_the_private_name_finder_finds_imports_and_attribute_uses(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import workstation.store.index\n"
        "import workstation.store.index as ix\n"
        "from workstation.store import index\n"
        "from workstation.store.index import _hidden, __all__, public\n"
        "workstation.store.index._a, ix._b, index._c, index.__doc__, ix.public._d\n",
        encoding="utf-8",
    )
    found = [line.split(": ", 1)[1] for line in private_uses(probe, importer=None)]
    assert found == [
        "imports _hidden from workstation.store.index",
        "uses workstation.store.index._a",
        "uses workstation.store.index._b",
        "uses workstation.store.index._c",
    ]


# -- b. import cycles -----------------------------------------------------------------------
Graph = dict[str, dict[str, str]]  # module -> {imported module: "path:line"}


def import_graph(include_functions: bool) -> Graph:
    """Our modules and the modules of ours each imports (a package's own ``__init__`` run
    implicitly before a submodule is not an edge: only what a statement names)."""
    modules = our_modules()
    graph: Graph = {name: {} for name in modules}
    for m in modules.values():
        for imp in imports_of(parse(m.path), m):
            if imp.in_function and not include_functions:
                continue
            target = imp.module
            if imp.name is not None and f"{imp.module}.{imp.name}" in modules:
                target = f"{imp.module}.{imp.name}"
            if target in modules and target != m.name:
                graph[m.name].setdefault(target, f"{display(m.path)}:{imp.line}")
    return graph


def strongly_connected(graph: Graph) -> list[list[str]]:
    """Tarjan's components with more than one module (iterative: no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        component.append(top)
                        if top == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def shortest_cycle(graph: Graph, component: list[str]) -> list[str]:
    """A shortest cycle through the component's first module, staying inside it."""
    start, members = component[0], set(component)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for child in sorted(graph[node]):
                if child not in members:
                    continue
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if child not in previous:
                    previous[child] = node
                    nxt.append(child)
        frontier = nxt
    return component


def cycle_report(graph: Graph) -> list[str]:
    lines = []
    for component in strongly_connected(graph):
        cycle = shortest_cycle(graph, component)
        steps = [f"{a} -> {b} ({graph[a][b]})" for a, b in zip(cycle, cycle[1:], strict=False)]
        head = f"cycle among {len(component)} modules {component}:"
        lines.append("\n    ".join([head, *steps]))
    return lines


def test_no_import_cycle_at_module_level() -> None:
    cycles = cycle_report(import_graph(include_functions=False))
    assert not cycles, "import cycles (module-level imports):\n" + "\n".join(cycles)


def test_no_import_cycle_counting_imports_inside_functions() -> None:
    """A lazy import only hides a cycle until the function runs: it counts too."""
    cycles = cycle_report(import_graph(include_functions=True))
    assert not cycles, "import cycles (function-level imports included):\n" + "\n".join(cycles)


def test_imports_under_type_checking_do_not_count_and_lazy_ones_are_marked() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import a\nelse:\n    import b\n"
        "def f():\n    from .c import d\n"
    )
    module = Module("workstation.x.y", Path("y.py"), is_package=False)
    found = [(i.module, i.name, i.in_function) for i in imports_of(tree, module)]
    assert found == [("typing", "TYPE_CHECKING", False), ("b", None, False),
                     ("workstation.x.c", "d", True)]  # fmt: skip


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b": "a.py:1"}, "b": {"c": "b.py:2"}, "c": {"a": "c.py:3"}, "d": {"a": ""}}
    assert strongly_connected(graph) == [["a", "b", "c"]]
    assert shortest_cycle(graph, ["a", "b", "c"]) == ["a", "b", "c", "a"]


# -- c. Qt-free outside ui/ and the app wiring ----------------------------------------------
CHILD = r"""
import importlib, json, sys

blocked = tuple(sys.argv[1].split(","))
hits = []


class Unimportable:
    # A meta path finder that refuses the GUI packages and notes which of our modules asked.
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] not in blocked:
            return None
        chain = []  # our modules being imported, outermost first, with their line
        frame = sys._getframe(1)
        while frame is not None:
            module = frame.f_globals.get("__name__", "")
            if module.startswith("workstation"):
                chain.insert(0, f"{module}:{frame.f_lineno}")
            frame = frame.f_back
        hits.append(f"{fullname} imported via {' -> '.join(chain) or '?'}")
        raise ImportError(f"{fullname} is made unimportable by the test", name=fullname)


sys.meta_path.insert(0, Unimportable())
try:
    importlib.import_module("PySide6.QtCore")
except ImportError:
    pass
else:
    sys.exit("the blocker did not block PySide6")
failures = {}
for name in json.loads(sys.stdin.read()):
    hits.clear()
    try:
        importlib.import_module(name)
    except Exception as exc:
        failures[name] = sorted(set(hits)) or [f"{type(exc).__name__}: {exc}"]
with open(sys.argv[2], "w", encoding="utf-8") as out:
    json.dump(failures, out)
"""


def qt_free_modules() -> list[str]:
    return [
        name
        for name in our_modules()
        if not any(within(name, wiring) for wiring in QT_WIRING)
        and name.rsplit(".", 1)[-1] not in ENTRY_POINTS
    ]


def test_every_module_outside_ui_imports_without_qt_or_vtk(tmp_path: Path) -> None:
    names = qt_free_modules()
    assert "workstation.net" in names and "workstation.ui" not in names
    result_file = tmp_path / "failures.json"
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, ",".join(QT_PACKAGES), str(result_file)],
        input=json.dumps(names),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    failures = json.loads(result_file.read_text(encoding="utf-8"))
    lines = [f"{name}: {'; '.join(why)}" for name, why in sorted(failures.items())]
    assert not failures, (
        f"{len(failures)} of {len(names)} modules outside {', '.join(QT_WIRING)} need "
        f"{', '.join(QT_PACKAGES)} (or failed to import):\n" + "\n".join(lines)
    )
