"""No import cycle between the project's modules.

Every import counts, at module level or inside a function (a lazy import only hides a cycle
from Python, not from a reader). First-party packages are the folders at the repository root
with an `__init__.py`, but for the tests and the benchmarks.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_APPLICATION = {"tests", "bench"}


def project_modules():
    """{dotted module name: path} of every first-party module."""
    modules = {}
    for package in sorted(ROOT.iterdir()):
        if package.name in NOT_APPLICATION or not (package / "__init__.py").is_file():
            continue
        for path in package.rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def imports_of(name, path, modules):
    """The first-party modules that module `name` imports."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".")
                package = package if is_package else package[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, base] if base else package)
            # `from survey import instrument` imports the module survey.instrument.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph():
    modules = project_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(graph):
    """The strongly connected components of more than one module (Tarjan), as sets."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
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
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def describe(component, graph):
    return "; ".join(
        f"{name} -> {', '.join(sorted(graph[name] & component))}" for name in sorted(component)
    )


def test_no_import_cycle_between_the_projects_modules():
    graph = import_graph()
    unexpected = cycles(graph)
    assert not unexpected, "import cycles:\n" + "\n".join(describe(c, graph) for c in unexpected)


def test_the_graph_sees_lazy_and_relative_imports():
    graph = import_graph()
    assert "survey.models" in graph["survey.workflow"]
    assert "accounts.roles" in graph["departments.models"]
    assert "accounts.roles" in graph["survey.models"]  # imported inside a queryset method


def test_a_cycle_is_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
