"""No import cycle between the project's modules.

Every import counts, at module level or inside a function (a lazy import only hides a cycle
from Python, not from a reader). Importing `a.b.c` runs `a/__init__.py` and `a/b/__init__.py` too: those count
as imported, but for the importer's own packages (already run before it). First-party packages
are the folders at the repository root with an `__init__.py`, but for the tests and the
benchmarks; a root folder holding Python files must be one or the other.
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
                found |= ancestors(target, modules) - ancestors(name, modules) - {name}
    return found


def ancestors(name, modules):
    """The packages whose `__init__` importing module `name` runs, outermost first."""
    parts = name.split(".")
    return {".".join(parts[:n]) for n in range(1, len(parts))} & modules.keys()


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


def test_importing_a_module_runs_its_packages():
    graph = import_graph()
    # survey.models imports survey.instrument.items: survey.instrument's __init__ runs too.
    assert "survey.instrument" in graph["survey.models"]
    assert "accounts" in graph["survey.models"]  # through accounts.roles
    # items imports survey.instrument.sections.education: the sections' __init__ runs too,
    assert "survey.instrument.sections" in graph["survey.instrument.items"]
    # but not a module's own packages: they run before it.
    assert "survey" not in graph["survey.models"]
    assert "survey.instrument" not in graph["survey.instrument.items"]


def loose_folders(root):
    """The root folders holding Python files that are neither a package nor not application:
    their modules would escape the graph."""
    return [
        folder.name
        for folder in sorted(root.iterdir())
        if folder.is_dir()
        and not folder.name.startswith(".")
        and folder.name not in NOT_APPLICATION
        and not (folder / "__init__.py").is_file()
        and any(folder.rglob("*.py"))
    ]


def test_every_root_folder_with_python_files_is_a_package_or_not_application(tmp_path):
    loose = loose_folders(ROOT)
    assert not loose, f"neither a package nor in NOT_APPLICATION: {', '.join(loose)}"
    for folder, files in {
        "app": ("__init__.py", "models.py"),
        "tools": ("sub/run.py",),
        "static": ("app.js",),
        "bench": ("run.py",),
    }.items():
        for name in files:
            (tmp_path / folder / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / folder / name).write_text("")
    assert loose_folders(tmp_path) == ["tools"]


def test_a_cycle_is_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
