"""The package layering of core/ (docs/architecture.md), checked from the source.

Every import counts, at module level or inside a function: a package may import only the
packages below it, and no two modules import each other, even through others.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "core"

# Lowest first. Shared modules (errors, types, _exports) sit under everything.
LAYERS = [
    "data",
    "inputs",
    "models",
    "explain",
    "aggregates",
    "metrics",
    "insight",
    "studies",
    "cli",
]
SHARED = {"errors", "types", "safe_files", "_exports", "__main__", "__init__"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in CORE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import (core/ uses absolute imports)"
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def test_core_never_imports_streamlit_or_the_app():
    for module, path in _modules().items():
        bad = {name for name in _imports(path) if name.split(".")[0] in ("streamlit", "app")}
        assert not bad, f"{module} imports {sorted(bad)}"


def test_packages_import_only_the_layers_below_them():
    for module, path in _modules().items():
        own = _package(module)
        if own is None:
            continue
        for name in _imports(path):
            other = _package(name) if name.startswith("core.") else None
            if other is not None:
                assert LAYERS.index(other) <= LAYERS.index(own), (
                    f"{module} ({own}) imports {name} ({other}), a layer above it"
                )


def test_no_import_cycles_between_modules():
    modules = _modules()
    graph = {
        module: {name for name in _imports(path) if name in modules and name != module}
        for module, path in modules.items()
    }
    for module in graph:  # every module sits under core/__init__, which imports none of them
        graph[module] -= {"core"}
    state: dict[str, int] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for name in graph[module]:
            if state.get(name) == 1:
                cycle = trail[trail.index(name) :] + [name]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if name not in state:
                visit(name, [*trail, name])
        state[module] = 2

    for module in graph:
        if module not in state:
            visit(module, [module])
