"""The layout, from the source (`ast`, nothing imported): the import graph of our packages has no cycle, and
the layers point one way. Every import counts, also one inside a function (a lazy import is still a
dependency), and so does `importlib.import_module("a.literal.name")`, and so does what an `if TYPE_CHECKING:`
block imports (it never runs, but it is a dependency of the code all the same). A module name computed at run
time (`import_module(f"cli.{name}")`) cannot be read from the source: such an import is not in the graph.

- core imports none of our other packages;
- extraction, ontology, graph, qa and service never import api, cli or tools;
- extraction, ontology, graph and qa never import service (the composition root injects what they need);
- api never imports cli or tools;
- tools is imported only by cli (and by the tests).

And the tests share fixtures through conftest.py only: no file under tests/ imports another one."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PACKAGES = ("core", "extraction", "ontology", "graph", "qa", "service", "api", "cli", "tools")
LOWER = ("extraction", "ontology", "graph", "qa", "service")


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (the most specific of ours the statement names)
    line: int
    lazy: bool = field(default=False, compare=False)  # inside a function: runs when the function is called
    typing_only: bool = field(default=False, compare=False)  # under `if TYPE_CHECKING:`: for the type checker

    def __str__(self) -> str:
        return f"{self.source} -> {self.target} (line {self.line})"


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _literal_import(node: ast.AST) -> str | None:
    """The module of `importlib.import_module("name")` / `import_module("name")` with a literal name."""
    if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)):
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    return node.args[0].value if name == "import_module" else None


def _import_nodes(tree: ast.AST) -> Iterator[tuple[ast.Import | ast.ImportFrom | ast.Call, bool, bool]]:
    """Every import statement and literal `import_module` call, at any depth, with whether it sits in a function
    and whether it sits under `if TYPE_CHECKING:` (its else branch runs)."""
    stack: list[tuple[ast.AST, bool, bool]] = [(tree, False, False)]
    while stack:
        node, lazy, typing_only = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom) or _literal_import(node) is not None:
            yield node, lazy, typing_only  # type: ignore[misc]
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend((child, lazy, True) for child in node.body)
            stack.extend((child, lazy, typing_only) for child in node.orelse)
            continue
        inside = lazy or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        stack.extend((child, inside, typing_only) for child in ast.iter_child_nodes(node))


def _resolve(name: str, modules: set[str]) -> str | None:
    """The longest prefix of a dotted name that is one of our modules."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def imports_of(root: Path, path: Path, modules: set[str]) -> list[Import]:
    source = module_name(root, path)
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    found: list[Import] = []
    for node, lazy, typing_only in _import_nodes(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Call):
            names = [_literal_import(node) or ""]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join([*base_parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            # `from a import b`: the module a.b when there is one, else a name of a
            names = [f"{base}.{alias.name}" for alias in node.names]
        for name in names:
            target = _resolve(name, modules)
            if target is not None and target != source:
                found.append(Import(source, target, node.lineno, lazy, typing_only))
    return found


def import_graph(root: Path, packages: tuple[str, ...] = PACKAGES) -> list[Import]:
    files = [path for package in packages for path in sorted((root / package).rglob("*.py"))]
    modules = {module_name(root, path) for path in files}
    return [edge for path in files for edge in imports_of(root, path, modules)]


def find_cycles(edges: list[Import]) -> list[list[Import]]:
    """One cycle (as its edges) through each strongly connected component of more than one module (Tarjan)."""
    out: dict[str, list[Import]] = {}
    for edge in edges:
        out.setdefault(edge.source, []).append(edge)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(start: str) -> None:  # iterative: the graph is deep enough to worry the recursion limit
        work = [(start, iter(out.get(start, [])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            edge = next(children, None)
            if edge is not None:
                if edge.target not in index:
                    index[edge.target] = low[edge.target] = len(index)
                    stack.append(edge.target)
                    on_stack.add(edge.target)
                    work.append((edge.target, iter(out.get(edge.target, []))))
                elif edge.target in on_stack:
                    low[node] = min(low[node], index[edge.target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(component)

    for node in sorted(out):
        if node not in index:
            visit(node)
    cycles = []
    for component in components:
        first = min(component)
        # breadth-first from `first` back to itself inside the component: the shortest cycle through it
        paths: dict[str, list[Import]] = {first: []}
        queue = [first]
        cycle: list[Import] | None = None
        while queue and cycle is None:
            node = queue.pop(0)
            for edge in out.get(node, []):
                if edge.target == first:
                    cycle = [*paths[node], edge]
                    break
                if edge.target in component and edge.target not in paths:
                    paths[edge.target] = [*paths[node], edge]
                    queue.append(edge.target)
        assert cycle is not None
        cycles.append(cycle)
    return cycles


def describe(cycle: list[Import]) -> str:
    return " -> ".join([cycle[0].source, *(f"{e.target} (line {e.line} of {e.source})" for e in cycle)])


def package_of(module: str) -> str:
    return module.split(".", 1)[0]


@pytest.fixture(scope="module")
def edges(project_dir: Path) -> list[Import]:
    return import_graph(project_dir)


# -- the checks themselves ---------------------------------------------------------------------------
def test_the_graph_is_read_from_every_package_including_lazy_imports(edges: list[Import]) -> None:
    assert {package_of(e.source) for e in edges} == set(PACKAGES) - {"core"}  # core imports none of ours
    assert {package_of(e.target) for e in edges} == set(PACKAGES)
    lazy = [e for e in edges if e.lazy]  # the tools' Neo4j server, torch and the models load on first use
    assert lazy and {package_of(e.source) for e in lazy} >= {"cli", "service"}


def test_there_is_no_import_cycle_between_modules(edges: list[Import]) -> None:
    cycles = find_cycles(edges)
    assert not cycles, "import cycles:\n" + "\n".join(describe(c) for c in cycles)


def _crossing(edges: list[Import], sources: tuple[str, ...], targets: tuple[str, ...]) -> list[str]:
    return sorted(str(e) for e in edges if package_of(e.source) in sources and package_of(e.target) in targets)


def test_core_imports_none_of_our_other_packages(edges: list[Import]) -> None:
    others = tuple(p for p in PACKAGES if p != "core")
    assert _crossing(edges, ("core",), others) == []


def test_the_lower_layers_never_import_api_cli_or_tools(edges: list[Import]) -> None:
    assert _crossing(edges, LOWER, ("api", "cli", "tools")) == []


def test_the_engines_never_import_the_service_layer(edges: list[Import]) -> None:
    assert _crossing(edges, ("extraction", "ontology", "graph", "qa"), ("service",)) == []


def test_api_never_imports_cli_or_tools(edges: list[Import]) -> None:
    assert _crossing(edges, ("api",), ("cli", "tools")) == []


def test_tools_is_imported_only_by_cli(edges: list[Import]) -> None:
    others = tuple(p for p in PACKAGES if p not in ("cli", "tools"))
    assert _crossing(edges, others, ("tools",)) == []


# -- the checker on small trees of its own -------------------------------------------------------------
def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_checker_sees_lazy_relative_from_and_type_checking_imports(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "a/__init__.py": "",
        "a/x.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from b import y\nelse:\n    import b.z\n",
        "a/w.py": "def f():\n    from . import x\n    from .x import name\n    from b.y import thing\n",
        "a/v.py": "import importlib\nimportlib.import_module('b.z')\nimportlib.import_module(f'b.{1}')\n",
        "b/__init__.py": "import typing\nif typing.TYPE_CHECKING:\n    import a.x\n",
        "b/y.py": "import os\n",
        "b/z.py": "",
    })
    found = {(e.source, e.target, e.lazy, e.typing_only) for e in import_graph(root, ("a", "b"))}
    assert found == {("a.x", "b.y", False, True), ("a.x", "b.z", False, False), ("a.w", "a.x", True, False),
                     ("a.w", "b.y", True, False), ("a.v", "b.z", False, False), ("b", "a.x", False, True)}


def test_the_checker_reports_a_cycle_with_its_modules_and_lines(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "a/__init__.py": "",
        "a/one.py": "import a.two\n",
        "a/two.py": "\n\ndef later():\n    from a import three\n",
        "a/three.py": "from a.one import something\n",
        "a/free.py": "import a.one\n",
    })
    cycles = find_cycles(import_graph(root, ("a",)))
    assert [describe(c) for c in cycles] == [
        "a.one -> a.two (line 1 of a.one) -> a.three (line 4 of a.two) -> a.one (line 1 of a.three)"]


def test_no_test_imports_another(project_dir: Path) -> None:
    """Fixtures and shared helpers come from conftest.py files, which pytest loads; nothing under tests/
    imports a module of tests/ (`tests.*`, a test module or a conftest by name)."""
    tests = project_dir / "tests"
    local = {path.stem for path in tests.rglob("*.py")}
    found = []
    for path in sorted(tests.rglob("*.py")):
        for node, _, _ in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                names = [_literal_import(node) or ""]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                names = ["." * node.level + (node.module or "")]
            for name in names:
                head = name.split(".", 1)[0]
                if name.startswith(".") or head == "tests" or head in local:
                    found.append(f"{path.relative_to(project_dir)}:{node.lineno}: {name}")
    assert found == []
