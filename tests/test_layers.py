"""The import graph keeps the layers docs/ARCHITECTURE.md draws.

Every module of `softphone/` and `ui/` is read with `ast` (nothing is
imported), every import statement, module level or inside a function,
becomes an edge; imports under `if TYPE_CHECKING:` are left out, since they
never run. Then:

- `softphone/sip/` imports nothing from `softphone` outside `sip`, and no
  I/O (no asyncio, sockets, threads, Qt): the protocol core is sans-I/O;
- nothing in `softphone/` imports `ui`, PySide6 or qasync (the one entry
  point that starts the window does so lazily, below);
- nothing in `softphone/services/` imports `softphone.config` (files, the
  keyring): services take `softphone.account` values;
- each module imports only modules of its own layer or the layers below;
- there is no import cycle between modules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("softphone", "ui")

#: The layers, lowest first, as docs/ARCHITECTURE.md draws them. A module
#: may import its own layer and the ones below. A module is placed by its
#: longest listed prefix; "softphone" alone is the package's `__init__` only,
#: so that a new module must be given its layer.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("protocol core", ("softphone.sip",)),
    (
        "I/O and storage",
        (
            "softphone",
            "softphone.transport",
            "softphone.store",
            "softphone.groupcommit",
            "softphone.trace",
            "softphone.ratelimit",
            "softphone.listeners",
            "softphone.direction",
            "softphone.phrase",
            "softphone.wakeups",
            "softphone.collector",
        ),
    ),
    (
        "user agent and values",
        (
            "softphone.agent",
            "softphone.resolver",
            "softphone.location",
            "softphone.keepalive",
            "softphone.account",
            "softphone.buddy",
            "softphone.link",
            "softphone.resend_policy",
        ),
    ),
    ("services", ("softphone.services", "softphone.server", "softphone.blocking")),
    ("application core", ("softphone.app",)),
    (
        "start-up",
        (
            "softphone.config",
            "softphone.launch",
            "softphone.demo",
            "softphone.cli",
            "softphone.__main__",
        ),
    ),
    ("window", ("ui",)),
)

#: The only upward edges. `softphone` is one command: with no subcommand it
#: starts the window, and `softphone desktop` draws icons with QtSvg; each is
#: imported inside the function that runs it, so the headless tools never
#: load Qt. The window does not import the command line back (it starts
#: from `softphone.launch`), so this makes no cycle.
LAZY_UPWARD = {("softphone.cli", "ui.main"), ("softphone.cli", "ui.desktop")}


def allowed_upward(edge: Edge) -> bool:
    return edge.lazy and (edge.source, edge.target) in LAZY_UPWARD


#: Modules the sans-I/O core must never import.
IO_MODULES = ("asyncio", "socket", "selectors", "threading", "ssl", "PySide6", "qasync")
QT_MODULES = ("PySide6", "qasync", "shiboken6")


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    #: Inside a function: runs only when called, not when the module loads.
    lazy: bool = False


def module_name(path: Path, root: Path = ROOT) -> tuple[str, bool]:
    """The dotted name of *path* under *root*, and whether it is a package."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def modules(root: Path = ROOT) -> dict[str, tuple[Path, bool]]:
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            name, is_package = module_name(path, root)
            found[name] = (path, is_package)
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(node: ast.AST, lazy: bool = False) -> Iterator[tuple[ast.AST, bool]]:
    """Every node under *node*, and whether it is inside a function;
    the body of `if TYPE_CHECKING:` is skipped."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            for other in child.orelse:
                yield other, lazy
                yield from _statements(other, lazy)
            continue
        inner = lazy or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        yield child, lazy
        yield from _statements(child, inner)


def imports_of(name: str, path: Path, is_package: bool, known: Iterable[str]) -> Iterator[Edge]:
    """The modules *name* imports; `from pkg import mod` names the submodule."""
    known = set(known)
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node, lazy in _statements(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Edge(name, alias.name, node.lineno, lazy)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                yield Edge(name, sub if sub in known else target, node.lineno, lazy)


def graph(root: Path = ROOT) -> list[Edge]:
    found = modules(root)
    edges: list[Edge] = []
    for name, (path, is_package) in found.items():
        edges.extend(imports_of(name, path, is_package, found))
    return edges


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def layer_of(name: str) -> int | None:
    best: tuple[int, int] | None = None  # (prefix length, layer)
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            matches = name == prefix if prefix == "softphone" else _under(name, prefix)
            if matches and (best is None or len(prefix) > best[0]):
                best = (len(prefix), index)
    return None if best is None else best[1]


def internal(edges: Iterable[Edge]) -> list[Edge]:
    return [e for e in edges if e.target.split(".")[0] in PACKAGES]


def cycles(edges: Iterable[Edge]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    succ: dict[str, set[str]] = {}
    for edge in internal(edges):
        if edge.source != edge.target:
            succ.setdefault(edge.source, set()).add(edge.target)
            succ.setdefault(edge.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(succ[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(succ):
        if v not in index:
            visit(v)
    return found


def _show(edges: Iterable[Edge]) -> str:
    return "\n".join(f"  {e.source} (line {e.line}) imports {e.target}" for e in edges)


@pytest.fixture(scope="module")
def edges() -> list[Edge]:
    return graph()


def test_the_walk_reads_lazy_relative_and_type_checking_imports(tmp_path: Path) -> None:
    # Guards the walker itself on a package made for the purpose.
    (tmp_path / "softphone" / "inner").mkdir(parents=True)
    (tmp_path / "ui").mkdir()
    (tmp_path / "softphone" / "__init__.py").write_text("")
    (tmp_path / "softphone" / "inner" / "__init__.py").write_text("from . import leaf\n")
    (tmp_path / "softphone" / "inner" / "leaf.py").write_text("")
    (tmp_path / "ui" / "__init__.py").write_text("")
    (tmp_path / "softphone" / "top.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "from .inner import leaf\n"
        "if TYPE_CHECKING:\n"
        "    import ui\n"
        "else:\n"
        "    import json\n"
        "def later():\n"
        "    from softphone.inner import missing\n"
        "    import PySide6.QtCore\n"
    )
    pairs = {(e.source, e.target, e.lazy) for e in graph(tmp_path)}
    assert pairs == {
        ("softphone.inner", "softphone.inner.leaf", False),
        ("softphone.top", "typing", False),
        ("softphone.top", "softphone.inner.leaf", False),
        ("softphone.top", "json", False),
        ("softphone.top", "softphone.inner", True),
        ("softphone.top", "PySide6.QtCore", True),
    }


def test_every_module_has_a_layer() -> None:
    missing = [name for name in modules() if layer_of(name) is None]
    assert missing == [], (
        f"{missing}: give each a layer in LAYERS here and in docs/ARCHITECTURE.md's drawing"
    )


def test_the_sip_core_imports_only_itself_and_no_io(edges: list[Edge]) -> None:
    bad = [
        e
        for e in edges
        if _under(e.source, "softphone.sip")
        and (
            (_under(e.target, "softphone") and not _under(e.target, "softphone.sip"))
            or _under(e.target, "ui")
            or any(_under(e.target, io) for io in IO_MODULES)
        )
    ]
    assert bad == [], "softphone/sip/ must stay sans-I/O and self-contained:\n" + _show(bad)


def test_the_core_never_imports_the_window_or_qt(edges: list[Edge]) -> None:
    bad = [
        e
        for e in edges
        if _under(e.source, "softphone")
        and (
            any(_under(e.target, qt) for qt in QT_MODULES)
            or (_under(e.target, "ui") and not allowed_upward(e))
        )
    ]
    assert bad == [], "softphone/ must run without Qt:\n" + _show(bad)


def test_services_never_import_the_settings_files(edges: list[Edge]) -> None:
    bad = [
        e
        for e in edges
        if _under(e.source, "softphone.services") and _under(e.target, "softphone.config")
    ]
    assert bad == [], "services take softphone.account values, not the settings I/O:\n" + _show(bad)


def test_each_layer_imports_only_itself_and_below(edges: list[Edge]) -> None:
    bad = []
    for edge in internal(edges):
        source, target = layer_of(edge.source), layer_of(edge.target)
        if source is None or target is None:
            continue  # test_every_module_has_a_layer says which
        if target > source and not allowed_upward(edge):
            bad.append(edge)
    names = [name for name, _ in LAYERS]
    assert bad == [], "an import goes up the layers:\n" + "\n".join(
        f"  {e.source} ({names[layer_of(e.source) or 0]}) line {e.line} imports"
        f" {e.target} ({names[layer_of(e.target) or 0]})"
        for e in bad
    )


def test_no_import_cycle(edges: list[Edge]) -> None:
    assert cycles(edges) == [], "modules that import each other (drop one direction)"


def test_a_cycle_is_found() -> None:
    # The cycle finder itself: a -> b -> c -> a is one component, d is not in it.
    made = [Edge("softphone.a", "softphone.b", 1), Edge("softphone.b", "softphone.c", 1)]
    made += [Edge("softphone.c", "softphone.a", 1), Edge("softphone.c", "softphone.d", 1)]
    assert cycles(made) == [["softphone.a", "softphone.b", "softphone.c"]]
