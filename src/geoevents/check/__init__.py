"""The check stage: every rule, run over a whole project, all problems reported.

``run(root)`` reads the project (``geoevents.read``), normalises it
(``geoevents.normalise``: casts, derived dates) and returns the tables with every
problem found. Each concern is one module: structure
(types and pandera schemas), dates, references, evidence, eventtypes,
geography, identity, review and text (control characters, spreadsheet formulas).
Problems that follow from another are folded under it (``cascades``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from geoevents import problems as P
from geoevents.check import (
    cascades,
    dates,
    eventtypes,
    evidence,
    geography,
    identity,
    project,
    references,
    review,
    structure,
    text,
)
from geoevents.codebook import Codebook, load_codebook, schemas_dir
from geoevents.errors import GeoeventsError, NotAProject
from geoevents.normalise import normalise
from geoevents.read import RawProject, read_project


@dataclass
class Result:
    tables: dict[str, pl.DataFrame]
    problems: pl.DataFrame
    codebook: Codebook
    #: every problem found, follow-ons included (``problems`` counts them on their cause)
    unfolded: pl.DataFrame | None = None
    #: the agreement studies of studies/, read and checked (none when any has a problem)
    studies: tuple = ()

    @property
    def errors(self) -> pl.DataFrame:
        return self.problems.filter(pl.col("severity") == P.ERROR)

    @property
    def all_errors(self) -> pl.DataFrame:
        """Errors with the follow-ons: what sign-off holds against an event (a folded
        problem is still a problem of the record it stands in)."""
        found = self.problems if self.unfolded is None else self.unfolded
        return found.filter(pl.col("severity") == P.ERROR)


def run(root: Path | str = ".") -> Result:
    """Read, normalise and check a project: its tables and every problem found."""
    root = Path(root)
    codebook, raw, normal = _read(root)
    found = [*raw.problems, normal.problems]
    tables = normal.tables
    for name, table in codebook.tables.items():
        found += [
            structure.validate_table(tables[name], table, codebook),
            structure.list_vocabularies(tables[name], table, codebook),
            _unless_quote_empty(structure.blank_required(raw.tables[name], table)),
            _localized_languages(tables[name], table),
            text.check(raw.tables[name], table),
        ]
        for f in table.fields:
            if f.type == "edtf":
                found.append(dates.date_problems(tables[name], f.name, prefix=f.name))
    found += [
        project.check(tables["project"], raw, codebook),
        dates.too_early(tables["events"]),
        dates.in_the_future(tables["events"], tables["sources"], codebook),
        # an event's sources are all known only when citations and sources were read whole
        P.empty() if {"citations", "sources"} & raw.unread_tables
        else dates.against_sources(tables["events"], tables["citations"], tables["sources"],
                                   codebook),
        references.check(tables, codebook),
        identity.duplicate_rows(tables, codebook),
        identity.retired_reused(tables, codebook),
        identity.split_records(tables, codebook),
        eventtypes.check(tables["events"], tables["event_actors"], codebook,
                         actors_read="event_actors" not in raw.unread_tables),
        _subdivision_country(tables["locations"]),
        geography.check(tables["locations"], codebook),
        review.check(tables["events"], distinct_checker=project.distinct_checker(tables)),
        # events whose citations may stand in a file not read whole are not uncited
        P.empty() if "citations" in raw.unread_tables
        else evidence.uncited(tables["events"], tables["citations"]),
    ]
    texts, source_problems = evidence.source_texts(root, tables["sources"])
    found += [
        source_problems,
        evidence.unregistered(root, tables["sources"], codebook.tables["sources"].location),
        evidence.quotes(tables["citations"], texts, tables["sources"], codebook, "citations"),
        evidence.quotes(tables["errata"], texts, tables["sources"], codebook, "errata"),
        evidence.not_source(tables["sources"], texts),
        (study_problems := _studies(root, tables, codebook))[0],
    ]
    problems = _refine_lines(P.combine(found), raw)
    unfolded = _collapse_missing_columns(problems, raw)
    unfolded = P.combine([unfolded, references.missing_tables(root, unfolded, codebook)])
    problems = cascades.fold(unfolded, raw, codebook)
    return Result(tables=tables, problems=problems, codebook=codebook, unfolded=unfolded,
                  studies=study_problems[1])


def _studies(root: Path, tables: dict[str, pl.DataFrame], codebook) -> tuple[pl.DataFrame, tuple]:
    """The agreement studies of studies/ (when there is such a folder): the problems of
    rule study (what cannot be read, what they name that the project does not know),
    and the studies themselves when they have none."""
    if not os.path.lexists(root / "studies"):
        return P.empty(), ()
    from geoevents import agreement
    from geoevents.release import dataset_dir, published

    studies: list = []
    try:
        studies = agreement.read_studies(root)
        known = [v for v in published(root)
                 if (dataset_dir(root) / v / "events.parquet").is_file()]
        found = agreement.check(studies, codebook, tables["events"], tables["retired"],
                                tables["actors"], known)
    except agreement.StudyError as exc:
        found = exc.problems
    except GeoeventsError as exc:  # the index cannot be read: build and status say why
        found = [("dataset/index.json", None, str(exc), getattr(exc, "hint", ""))]
    problems = P.make([{"rule": "study", "file": file, "line": line, "message": message,
                        "hint": hint} for file, line, message, hint in found])
    return problems, (() if found else tuple(studies))


def _unless_quote_empty(blank: pl.DataFrame) -> pl.DataFrame:
    """A blank quote is quote-empty (``evidence.quotes``), with its own hint: not also
    missing-field."""
    return blank.filter(pl.col("field") != "quote")


def read_normalised(root: Path | str = ".") -> dict[str, pl.DataFrame]:
    """The project's tables, read and normalised, without running the rules."""
    return _read(Path(root))[2].tables


def _read(root: Path):
    require_project(root)
    codebook = load_codebook(schemas_dir(root))
    _country_numbers(codebook)
    raw = read_project(root, codebook)
    return codebook, raw, normalise(raw.tables, codebook)


def _country_numbers(codebook) -> None:
    """The codebook's countries.csv, read (and refused with its line) whenever a
    crosswalk column needs it, so that validate judges it before a build does."""
    from geoevents.codebook import crosswalk

    if any(c.derived is not None and c.derived.kind == "crosswalk"
           and c.derived.part in ("cow", "gw")
           for t in codebook.tables.values() for c in t.columns):
        crosswalk.countries(codebook)


def is_project(root: Path) -> bool:
    """The one test of "an annotation project" (validate, read_annotations, build and
    the command line): a folder with its project file, seeds/ or annotations/."""
    root = Path(root)
    try:
        return root.is_dir() and ((root / "geoevents.yaml").is_file()
                                  or (root / "seeds").is_dir() or (root / "annotations").is_dir())
    except (OSError, ValueError):  # a name the system refuses (a NUL byte, too long)
        return False


def require_project(root: Path) -> None:
    if not is_project(root):
        raise NotAProject(
            f"{root} is not an annotation project (no geoevents.yaml, seeds/ or annotations/)",
            "give the folder that holds geoevents.yaml, seeds/ and annotations/ (--root), or "
            "make one with: geoevents init <folder>")


def _localized_languages(frame: pl.DataFrame, table) -> pl.DataFrame:
    """name_xx columns name real ISO 639-1 languages."""
    from geoevents.check.hints import language_hint
    from geoevents.codebook import LOCALIZED, code_list

    out = []
    for column in frame.columns:
        m = LOCALIZED.match(column)
        if not m or m["base"] not in table.localized or m["lang"] in code_list("iso639-1"):
            continue
        # one problem per file that uses the column, where it first does: the
        # column's name is wrong, not each of its values
        bad = frame.filter(pl.col(column).is_not_null()).group_by("_file").agg(
            pl.col("_line").min(), pl.len().alias("_n"))
        header = pl.col("_file").str.to_lowercase().str.ends_with(".csv")  # named in line 1
        bad = bad.with_columns(pl.when(header).then(1).otherwise(pl.col("_line")).alias("_line"))
        out.append(P.from_frame(
            bad, "language-code", column,
            pl.format(f"{m['lang']!r} in {column!r} is not an ISO 639-1 language code "
                      "({} value(s) in this file)", pl.col("_n")),
            language_hint(m["lang"]), value=pl.lit(m["lang"]),
        ))
    return P.combine(out)


def _subdivision_country(locations: pl.DataFrame) -> pl.DataFrame:
    alpha2 = geography.alpha2_map()
    with_both = locations.filter(pl.col("admin1").is_not_null() & pl.col("country").is_not_null())
    expected = pl.col("country").replace_strict(alpha2, default=None)
    bad = with_both.filter(
        expected.is_not_null() & (pl.col("admin1").str.split("-").list.first() != expected)
    )
    return P.from_frame(
        bad, "subdivision-country", "admin1",
        pl.format("{} is not a subdivision of {}", pl.col("admin1"), pl.col("country")),
        "the subdivision code starts with the country's alpha-2 code; check both",
    )


def _refine_lines(problems: pl.DataFrame, raw: RawProject) -> pl.DataFrame:
    """Point YAML problems at the line of the field itself, not of its record."""
    if not raw.field_lines or problems.is_empty():
        return problems
    lines = pl.DataFrame(
        [(f, r, k, v) for (f, r, k), v in raw.field_lines.items()],
        schema={"file": pl.String, "line": pl.Int64, "field": pl.String, "_fl": pl.Int64},
        orient="row",
    )
    joined = problems.join(lines, on=["file", "line", "field"], how="left")
    return P.combine([joined.with_columns(pl.coalesce("_fl", "line").alias("line"))])


def _collapse_missing_columns(problems: pl.DataFrame, raw: RawProject) -> pl.DataFrame:
    """A required column absent from a CSV header is one problem, not one per row."""
    absent = [(f, c) for f, cols in raw.file_fields.items() if f.endswith(".csv")
              for c in _all_fields(raw) if c not in cols]
    if not absent:
        return problems
    absent_df = pl.DataFrame(absent, schema={"file": pl.String, "field": pl.String}, orient="row")
    is_missing = problems.filter(pl.col("rule") == "missing-field").join(
        absent_df, on=["file", "field"], how="semi")
    if is_missing.is_empty():
        return problems
    rest = problems.join(is_missing, on=list(problems.columns), how="anti", nulls_equal=True)
    header = is_missing.group_by(["file", "field"], maintain_order=True).agg(
        pl.len().alias("_n"), pl.col("hint").first()
    ).select(
        pl.lit("missing-field").alias("rule"), pl.lit(P.ERROR).alias("severity"), "file",
        pl.lit(1, dtype=pl.Int64).alias("line"), "field", pl.lit(None, dtype=pl.String).alias("value"),
        pl.format("the header has no column {} (required; {} rows lack it)", pl.col("field"),
                  pl.col("_n")).alias("message"),
        "hint",
    )
    return P.combine([rest, header])


def _all_fields(raw: RawProject) -> set[str]:
    return {f.name for t in raw.codebook.tables.values() for f in t.fields}
