"""The layers of functions/ (functions/__init__.py): no import cycle between its modules, counting imports inside
functions too (they are deferred, not gone), and Chalice only in the web layer."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "functions"
# The web layer, and the one module that declares the job functions' queues and schedules for `chalice package`
# (and turns Lambda's raw events into Chalice's): the jobs themselves are plain functions of those events.
CHALICE_ALLOWED = ("functions.http", "functions.jobs.triggers")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, ast.Module]:
    return {module_name(path): ast.parse(path.read_text(), str(path)) for path in sorted(PACKAGE.rglob("*.py"))}


def imported(tree: ast.Module, name: str, known: set[str]) -> set[str]:
    """The project modules a module imports anywhere in its text: `from a import b` is module a.b when b is one
    (a package's own `__init__` runs first, but it imports its modules lazily when at all), else module a."""
    found = set()
    package = name if name in known and any(k.startswith(name + ".") for k in known) else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.update(f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names)
    return {module for module in found if module in known and module != name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, result = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return result


def test_no_module_of_functions_imports_itself_round_a_cycle():
    trees = modules()
    known = set(trees)
    graph = {name: imported(tree, name, known) for name, tree in trees.items()}
    assert cycles(graph) == []


def test_the_cycle_check_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_chalice_is_imported_only_by_the_web_layer_and_the_event_handlers():
    outside = []
    for name, tree in modules().items():
        if any(name == allowed or name.startswith(allowed + ".") for allowed in CHALICE_ALLOWED):
            continue
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if any(n == "chalice" or n.startswith("chalice.") for n in names):
                outside.append(name)
    assert outside == []
