"""pandera's polars API, imported without pandas.

When pandas is installed (great-expectations needs it for the release report),
``import pandera`` imports it too, which costs more than the whole validation
of a small project. pandera supports polars-only installs: when pandas cannot be
imported it sets up its polars API alone. So while pandera is first imported,
and while it validates, pandas is hidden; afterwards everything is as it was,
except that pandera's deprecated top-level pandas names (``pandera.DataFrameSchema``)
are not defined in this process. ``import pandera.pandas`` works as usual.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import sys


class _HidePandas(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


@contextlib.contextmanager
def without_pandas():
    if "pandas" in sys.modules:  # already paid for: nothing to hide
        yield
        return
    finder = _HidePandas()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        with contextlib.suppress(ImportError, AttributeError):
            from pandera.backends.register_checks import _load_get_backend_types_from_mro

            _load_get_backend_types_from_mro.cache_clear()


def pandera_polars():
    with without_pandas():
        import pandera.polars as pa
    return pa
