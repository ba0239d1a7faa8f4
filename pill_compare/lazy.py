"""Names a package exports, imported on their first use (PEP 562's module ``__getattr__``).

``import pill_compare`` used to import every analysis, and every command paid for it (0.19-0.29 s
against 0.03-0.04 s now, interleaved; ``pillcmp eval`` on the sample 0.58-0.74 against
0.46-0.59 s, docs/eval.md § 8). The packages now map each public name to the module that
defines it and import that module when the name is first read.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str], namespace: MutableMapping[str, Any]
) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``.

    Args:
        package: The package's name (``__name__``), for the error message.
        exports: Public name → the module that defines it.
        namespace: The package's ``globals()``: a name read once is kept there, so later reads
            are ordinary attribute reads.

    Returns:
        The function to assign to the package's ``__getattr__``.

    Example:
        >>> __getattr__ = lazy_exports(__name__, {"diff": "pill_compare.analysis.diff"}, globals())  # doctest: +SKIP
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    return __getattr__
