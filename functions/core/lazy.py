"""Modules imported when first used, not when their user is imported.

`import app` declares every route, and the API function's cold start must stay small (bench/api_cost.py: at most
1.3x `import boto3`): a route module names the services it calls with `modules(...)`, and each is imported on the
first attribute a view reads, so a request imports what its own route needs and nothing of the others. The user
imports the same modules under `if TYPE_CHECKING:` so mypy and tests/test_layers.py still see them.

A `LazyModule` forwards every read and write to the real module (a test's monkeypatch lands there too); the import
itself is importlib's, with its locks, so threads of the local run may race to the first use.
"""

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    __slots__ = ("_module", "_name")

    def __init__(self, name: str):
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_module", None)

    def _load(self) -> ModuleType:
        module = self._module
        if module is None:
            module = importlib.import_module(self._name)
            object.__setattr__(self, "_module", module)
        return module

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._load(), attribute)

    def __setattr__(self, attribute: str, value: Any) -> None:
        setattr(self._load(), attribute, value)

    def __delattr__(self, attribute: str) -> None:
        delattr(self._load(), attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}{' (imported)' if self._module is not None else ''}>"


def modules(package: str, *names: str) -> Any:
    """`package.name` for each name, imported when first used: one module alone, else a tuple of them."""
    found = tuple(LazyModule(f"{package}.{name}") for name in names)
    return found[0] if len(found) == 1 else found
