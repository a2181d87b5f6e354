"""No import circle between editfactory's top-level subpackages and modules.

The graph is built from the source with ``ast``: imports at module level and
inside functions both count (a function-level import hides a dependency, it does
not remove it); only imports under ``if TYPE_CHECKING:`` are left out. A
circle means two layers each need the other: move the function to where it
belongs, pass the dependency in, or list the job kind in editfactory.jobs.registry.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import editfactory

PACKAGE = Path(editfactory.__file__).resolve().parent

Edge = tuple[str, str, str]  # (from unit, to unit, "file:line" of the import)


def _module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _unit(module: str, package: Path) -> str | None:
    """The top-level subpackage or module of ``editfactory.x.y`` (``x``), None for the package itself."""
    parts = module.split(".")
    if parts[0] != "editfactory" or len(parts) < 2:
        return None
    return parts[1] if (package / parts[1]).is_dir() or (package / f"{parts[1]}.py").is_file() else None


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden.update(id(child) for statement in node.body for child in ast.walk(statement))
    return hidden


def _imported_modules(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # relative: resolve against this module's package
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join([*base, node.module] if node.module else base)
    else:
        target = node.module or ""
    # ``from editfactory import tts`` imports the module editfactory.tts.
    return [target] + [f"{target}.{alias.name}" for alias in node.names]


def import_edges(package: Path = PACKAGE) -> list[Edge]:
    edges: list[Edge] = []
    for path in sorted(package.rglob("*.py")):
        module = _module_name(path, package)
        source_unit = _unit(module, package)
        if source_unit is None:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        hidden = _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)) or id(node) in hidden:
                continue
            for target in _imported_modules(node, module, path.name == "__init__.py"):
                target_unit = _unit(target, package)
                if target_unit is not None and target_unit != source_unit:
                    edges.append((source_unit, target_unit, f"{path.relative_to(package.parent)}:{node.lineno}"))
    return edges


def cycles(edges: list[Edge]) -> list[list[str]]:
    """The strongly connected components with more than one unit (Tarjan), each sorted."""
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target, _ in edges:
        graph[source].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(unit: str) -> None:
        index[unit] = low[unit] = len(index)
        stack.append(unit)
        on_stack.add(unit)
        for other in sorted(graph[unit]):
            if other not in index:
                visit(other)
                low[unit] = min(low[unit], low[other])
            elif other in on_stack:
                low[unit] = min(low[unit], index[other])
        if low[unit] == index[unit]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == unit:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for unit in sorted(graph):
        if unit not in index:
            visit(unit)
    return found


def test_no_import_circle_between_editfactorys_subpackages_and_modules():
    edges = import_edges()
    found = cycles(edges)
    lines = []
    for component in found:
        lines.append(" <-> ".join(component))
        lines += sorted({f"    {a} -> {b}  ({where})" for a, b, where in edges if a in component and b in component})
    assert not found, "import circles (function-level imports count):\n" + "\n".join(lines)


def test_the_graph_sees_function_level_imports_and_skips_type_checking_ones(tmp_path):
    package = tmp_path / "editfactory"
    (package / "alpha").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "alpha" / "__init__.py").write_text("from editfactory.beta import b\n")
    (package / "beta.py").write_text("def b():\n    from editfactory.alpha import x\n")
    (package / "gamma.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from editfactory.beta import b\nfrom editfactory import alpha\n")
    edges = import_edges(package)
    assert {(a, b) for a, b, _ in edges} == {("alpha", "beta"), ("beta", "alpha"), ("gamma", "alpha")}
    assert cycles(edges) == [["alpha", "beta"]]
