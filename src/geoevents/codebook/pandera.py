"""The pandera (polars backend) schema of each table, generated from the codebook.

pandera's polars API is imported without pandas in processes geoevents owns.

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
from functools import cache

from geoevents.codebook import Codebook, Field, polars_dtype

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
    from geoevents.envguard import environment_kept

    with without_pandas(), environment_kept():
        import pandera.polars as pa
    return pa


#: the rule code a failed vocabulary check reports, by code list
VOCABULARY_RULES = {
    "iso3166-1-alpha3": "country-code",
    "iso3166-2": "subdivision-code",
    "iso639-1": "language-code",
}


@cache
def table_schema(codebook: Codebook, table_name: str, columns: tuple[str, ...]):
    """pandera schema of a table, with a rule code for each check, in check order."""
    pa = pandera_polars()
    table = codebook.tables[table_name]
    cols, rules = {}, {}
    for f in table.fields:
        if f.name not in columns or f.type == "list":
            continue
        checks, codes = _checks(pa, codebook, f)
        rules[f.name] = codes
        cols[f.name] = pa.Column(
            polars_dtype(f.type), checks, nullable=not f.required, unique=f.unique, coerce=False
        )
    return pa.DataFrameSchema(cols, strict=False), rules


def _checks(pa, codebook: Codebook, f: Field) -> tuple[list, list[str]]:
    checks, codes = [], []
    pattern = codebook.pattern(f)
    if pattern:
        checks.append(pa.Check.str_matches(pattern))
        codes.append("pattern")
    allowed = codebook.vocabulary(f)
    if allowed is not None:
        checks.append(pa.Check.isin(allowed))
        codes.append(VOCABULARY_RULES.get(str(f.vocabulary), "vocabulary"))
    if f.minimum is not None or f.maximum is not None:
        lo = f.minimum if f.minimum is not None else float("-inf")
        hi = f.maximum if f.maximum is not None else float("inf")
        checks.append(pa.Check.in_range(lo, hi))
        codes.append("range")
    if f.max_length is not None:
        checks.append(pa.Check.str_length(max_value=f.max_length))
        codes.append("too-long")
    return checks, codes
