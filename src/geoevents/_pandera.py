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


#: optional pandera dependencies the polars checks do not need (hypothesis is only
#: for pandera's data synthesis)
HIDDEN = ("pandas", "hypothesis")


class _Hide(importlib.abc.MetaPathFinder):
    def __init__(self, names):
        self.names = names

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


@contextlib.contextmanager
def without_pandas():
    hidden = [n for n in HIDDEN if n not in sys.modules]  # an imported one is already paid for
    if not hidden:
        yield
        return
    finder = _Hide(hidden)
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
