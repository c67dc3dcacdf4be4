"""The package's import graph, every import counted (a module's top level and inside its functions alike): no
module reaches itself again, and the ground floor (errors, request ids, messages, time and types) imports nothing
above it."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "citizen_app"
GROUND = {"citizen_app.errors", "citizen_app.request_id", "citizen_app.i18n", "citizen_app.common.time",
          "citizen_app.common.types"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            for target in targets:
                while target and target not in files:
                    target = target.rpartition(".")[0]
                # A package's __init__ is imported with any of its modules; an import of the package itself is
                # an edge only when it names something the __init__ defines.
                if target and target != name and target.startswith("citizen_app"):
                    graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state, stack = [], {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_the_import_graph_has_no_circle():
    graph = import_graph()
    # The package root (create_app) imports everything; only its own modules may import it back for nothing.
    graph = {name: {t for t in targets if t != "citizen_app"} for name, targets in graph.items()}
    assert _cycles(graph) == []


def test_the_ground_floor_imports_nothing_above_it():
    graph = import_graph()
    for name in GROUND & graph.keys():
        assert graph[name] <= GROUND, (name, graph[name] - GROUND)
