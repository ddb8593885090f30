"""Lazy re-exports for the packages whose modules load TensorFlow (PEP 562).

``core.models.predict`` works like an eager re-export, but importing ``core.models.layer_stack``
loads only that module, not its heavy siblings.
"""

from __future__ import annotations

import importlib


def lazy_exports(package: str, table: dict[str, tuple[str, ...]]):
    """``__getattr__``, ``__dir__`` and ``__all__`` for ``package``, from module -> names."""
    where = {name: module for module, names in table.items() for name in names}

    def __getattr__(name: str):
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{where[name]}"), name)

    def __dir__():
        return sorted(where)

    return __getattr__, __dir__, sorted(where)
