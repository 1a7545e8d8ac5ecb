"""The numbers other coding systems give countries and event types (crosswalk columns).

A derived column ``{crosswalk: <column>, system: <system>}`` of tables.yaml maps each
value of a column to a number:

- ``iso-numeric``: the ISO 3166-1 numeric code of an alpha-3 code (pycountry);
- ``cow``, ``gw``: the Correlates of War and Gleditsch-Ward state numbers, from the
  codebook's ``countries.csv`` (its header cites the published lists); a code the
  system gives no number is null;
- ``plover-quad``: PLOVER's numeric quad code of the event type's quad category
  (1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material
  conflict: the PLOVER manual's table "Quad categories in PLOVER");
- ``gdelt-quadclass``: GDELT's QuadClass of the event type's CAMEO root codes, as
  GDELT's event codebook numbers them (1 verbal cooperation: CAMEO 01-05, 2
  material cooperation: 06-08, 3 verbal conflict: 09-13, 4 material conflict:
  14-20); null when the roots fall in more than one class.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl

from geoevents import safefile
from geoevents.codebook import (
    PACKAGED_SCHEMAS,
    PLOVER_QUADS,
    REPO_SCHEMAS,
    Codebook,
    CodebookError,
    code_list,
)

COUNTRIES = "countries.csv"
COUNTRY_COLUMNS = ("alpha3", "name", "cow", "gw")

#: GDELT QuadClass of each CAMEO root code (01-20)
GDELT_QUADCLASS = {f"{root:02d}": quad for quad, roots in
                   ((1, range(1, 6)), (2, range(6, 9)), (3, range(9, 14)), (4, range(14, 21)))
                   for root in roots}


def countries_file(codebook: Codebook) -> Path:
    """The project's own ``schemas/countries.csv``, else the packaged one."""
    own = Path(codebook.root) / COUNTRIES
    if own.is_file():
        return own
    packaged = PACKAGED_SCHEMAS / COUNTRIES
    return packaged if packaged.is_file() else REPO_SCHEMAS / COUNTRIES


def countries(codebook: Codebook) -> pl.DataFrame:
    """alpha3, iso-numeric, cow, gw: one row per ISO 3166-1 alpha-3 code."""
    path = countries_file(codebook)
    info = path.stat()
    return _countries(str(path), info.st_mtime_ns, info.st_size)


@cache
def _countries(path: str, _mtime: int, _size: int) -> pl.DataFrame:
    import pycountry

    data = safefile.read_bytes(Path(path), None, 4 * safefile.MIB)
    if isinstance(data, safefile.Refused):
        raise CodebookError(f"{path} {data.message}", data.hint, file=path)
    try:
        frame = pl.read_csv(data, comment_prefix="#", infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        raise CodebookError(f"{path} is not a CSV file: {exc}",
                            "copy it from the packaged codebook", file=path) from None
    if tuple(frame.columns) != COUNTRY_COLUMNS:
        raise CodebookError(f"{path} has columns {', '.join(frame.columns)}",
                            f"its header is {','.join(COUNTRY_COLUMNS)}", file=path)
    known = code_list("iso3166-1-alpha3")
    for i, (alpha3, cow, gw) in enumerate(frame.select("alpha3", "cow", "gw").iter_rows()):
        line = i + 1 + data[:data.find(b"alpha3,")].count(b"\n") + 1
        if alpha3 is None:
            raise CodebookError("the row has no alpha3 code", "remove the empty row",
                                file=path, line=line)
        if alpha3 not in known:
            raise CodebookError(f"{alpha3!r} is not an ISO 3166-1 alpha-3 code", "remove the row",
                                file=path, line=line)
        for value in (cow, gw):
            if value is not None and not (value.isascii() and value.isdigit()
                                          and len(value) <= 4):
                raise CodebookError(f"{value[:20]!r} is not a state number (1 to 4 digits)",
                                    "write the system's number, or leave it empty where the "
                                    "system has none", file=path, line=line)
    if frame.get_column("alpha3").is_duplicated().any():
        twice = frame.filter(pl.col("alpha3").is_duplicated()).get_column("alpha3")[0]
        raise CodebookError(f"{path} lists {twice} twice", "keep one row", file=path)
    numeric = {c.alpha_3: int(c.numeric) for c in pycountry.countries}
    return frame.select(
        "alpha3",
        pl.col("alpha3").replace_strict(numeric, default=None, return_dtype=pl.Int64)
        .alias("iso-numeric"),
        pl.col("cow").cast(pl.Int64), pl.col("gw").cast(pl.Int64))


def event_types(codebook: Codebook) -> pl.DataFrame:
    """event_type, plover-quad, gdelt-quadclass: one row per event type of the codebook."""
    rows = []
    for code, t in codebook.event_types.items():
        classes = {GDELT_QUADCLASS.get(r) for r in t.cameo_roots}
        rows.append((code, PLOVER_QUADS.get(t.quad),
                     classes.pop() if len(classes) == 1 else None))
    return pl.DataFrame(rows, schema={"event_type": pl.String, "plover-quad": pl.Int64,
                                      "gdelt-quadclass": pl.Int64}, orient="row")


def crosswalk(values: pl.Series, system: str, codebook: Codebook) -> pl.Series:
    """The numbers ``system`` gives ``values`` (a column of codes, or of lists of them):
    a list's numbers in its order, one for each code (null for a code without one, so
    that the n-th number is the n-th code's)."""
    from geoevents.codebook import CROSSWALKS

    table = countries(codebook) if CROSSWALKS[system] == "country" else event_types(codebook)
    key = table.columns[0]
    mapping = dict(table.select(key, system).drop_nulls().iter_rows())
    if isinstance(values.dtype, pl.List):
        return values.list.eval(
            pl.element().replace_strict(mapping, default=None, return_dtype=pl.Int64))
    return values.replace_strict(mapping, default=None, return_dtype=pl.Int64)
