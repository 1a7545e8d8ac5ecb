"""pandera's polars API, imported without pandas in processes geoevents owns.

When pandas is installed (great-expectations needs it for the release report),
``import pandera`` imports it too, which costs more than the whole validation
of a small project. pandera supports polars-only installs: when pandas cannot be
imported it sets up its polars API alone. pandera decides this once, when it is
first imported, so hiding pandas changes pandera for the rest of the process.
The command line owns its process and hides pandas (``HIDE_OPTIONAL``); the
library, imported into somebody else's session, leaves pandera as it finds it.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import sys

#: optional pandera dependencies the polars checks do not need (hypothesis is only
#: for pandera's data synthesis)
HIDDEN = ("pandas", "hypothesis")
#: set by the command line, which owns its process
HIDE_OPTIONAL = False


class _Hide(importlib.abc.MetaPathFinder):
    def __init__(self, names):
        self.names = names

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


@contextlib.contextmanager
def without_pandas():
    hidden = [n for n in HIDDEN if n not in sys.modules]  # an imported one is already paid for
    if not HIDE_OPTIONAL or not hidden:
        yield
        return
    finder = _Hide(hidden)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def pandera_polars():
    with without_pandas():
        import pandera.polars as pa
    return pa
