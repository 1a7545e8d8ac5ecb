"""The release's data-quality report: a great-expectations suite on the release tables.

Release-level expectations: keys unique, every event cited, vocabularies,
date and coordinate bounds, row counts against the previous release. The
results are saved as a compact, deterministic JSON summary; full Data Docs HTML
is written only on request. great-expectations costs seconds to import, so it
is imported here and nowhere on the validate path.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path

import polars as pl

from geoevents.codebook import Codebook

#: the events of a release may not shrink below this share of the previous release's
#: nor grow beyond this factor of it: either means something went wrong upstream
SHRINK_TOLERANCE = 0.9
GROWTH_LIMIT = 10


def expectations(gx, tables: dict[str, pl.DataFrame], codebook: Codebook,
                 previous_counts: dict[str, int] | None) -> dict[str, list]:
    E = gx.expectations
    voc = codebook.vocabularies
    suites = {
        "events": [
            E.ExpectColumnValuesToBeUnique(column="event_id"),
            # an open or unknown start ("../2023-09-13", "/2023-09-13") has no
            # date_start; every date validate accepts has at least one known end
            E.ExpectColumnValuesToBeInSet(column="date_is_known", value_set=[True]),
            E.ExpectColumnValuesToBeBetween(column="date_start", min_value=dt.datetime(1900, 1, 1)),
            E.ExpectColumnValuesToBeBetween(column="date_end", min_value=dt.datetime(1900, 1, 1)),
            E.ExpectColumnValuesToBeInSet(column="status", value_set=sorted(voc["statuses"])),
            E.ExpectColumnValuesToBeInSet(column="event_type", value_set=sorted(voc["event_types"])),
            E.ExpectColumnValuesToNotBeNull(column="checked_by"),
            E.ExpectColumnValuesToNotBeNull(column="summary"),
        ],
        "citations": [
            E.ExpectCompoundColumnsToBeUnique(column_list=["event_id", "source_id", "quote"]),
            E.ExpectColumnValuesToBeInSet(column="event_is_defined", value_set=[True]),
            E.ExpectColumnValuesToNotBeNull(column="char_start"),
            E.ExpectColumnValueLengthsToBeBetween(column="quote", min_value=1, max_value=300),
        ],
        "event_actors": [
            E.ExpectCompoundColumnsToBeUnique(column_list=["event_id", "actor_id", "role"]),
            E.ExpectColumnValuesToBeInSet(column="role", value_set=sorted(voc["roles"])),
        ],
        "actors": [E.ExpectColumnValuesToBeUnique(column="actor_id")],
        "locations": [
            E.ExpectColumnValuesToBeUnique(column="location_id"),
            E.ExpectColumnValuesToBeBetween(column="lat", min_value=-90, max_value=90),
            E.ExpectColumnValuesToBeBetween(column="lon", min_value=-180, max_value=180),
        ],
        "sources": [
            E.ExpectColumnValuesToBeUnique(column="source_id"),
            E.ExpectColumnValuesToMatchRegex(column="sha256", regex=r"^[0-9a-f]{64}$"),
        ],
    }
    suites["events"].append(E.ExpectColumnValuesToBeInSet(column="event_is_cited", value_set=[True]))
    count = (previous_counts or {}).get("events")
    if count:
        # events only leave through retirement, which the build checks by ID
        suites["events"].append(E.ExpectTableRowCountToBeBetween(
            min_value=int(count * SHRINK_TOLERANCE), max_value=count * GROWTH_LIMIT + 100))
    return suites


def with_references(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The tables with a column per cross-table rule, for the suite to check.

    GX has no expectation across tables, and a value set of every event ID
    costs it minutes at a million events (it copies the set for each metric), so
    polars answers "is this event cited / is this event defined" and GX checks
    that every answer is yes. "Is one end of the date known" is answered the
    same way, as one column.
    """
    events, citations = tables["events"], tables["citations"]
    in_column = lambda frame: pl.col("event_id").is_in(frame.get_column("event_id").implode())
    known = pl.col("date_start").is_not_null() | pl.col("date_end").is_not_null()
    return tables | {
        "events": events.with_columns(event_is_cited=in_column(citations), date_is_known=known),
        "citations": citations.with_columns(event_is_defined=in_column(events)),
    }


def run(tables: dict[str, pl.DataFrame], codebook: Codebook,
        previous_counts: dict[str, int] | None, docs: Path | None = None) -> dict:
    """Run the suites; return a compact summary (no timestamps, no run IDs)."""
    with _analytics_off():
        return _run(tables, codebook, previous_counts, docs)


@contextlib.contextmanager
def _analytics_off():
    """GX reads GX_ANALYTICS_ENABLED from the environment: off while it runs, then the
    environment is as it was (a library leaves the process's environment alone)."""
    before = os.environ.get("GX_ANALYTICS_ENABLED")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("GX_ANALYTICS_ENABLED", None)


def _run(tables, codebook, previous_counts, docs) -> dict:
    import great_expectations as gx

    tables = with_references(tables)

    context = gx.get_context(mode="ephemeral")
    _quiet(context)
    source = context.data_sources.add_pandas("release")
    summary = {"tool": "great_expectations", "success": True, "tables": {}}
    definitions = []
    for name, items in expectations(gx, tables, codebook, previous_counts).items():
        batch = source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe("all")
        suite = context.suites.add(gx.ExpectationSuite(name=name))
        for item in items:
            suite.add_expectation(item)
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch, suite=suite))
        definitions.append(definition)
        result = definition.run(batch_parameters={"dataframe": _pandas(tables[name])})
        summary["success"] &= bool(result.success)
        summary["tables"][name] = [_compact(r) for r in result.results]
    if docs is not None:
        _data_docs(gx, context, definitions, tables, Path(docs))
    return summary


def _pandas(frame: pl.DataFrame):
    lists = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
    return frame.with_columns(pl.col(c).list.join(";") for c in lists).to_pandas()


def _compact(result) -> dict:
    config = result.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
    if "value_set" in kwargs and len(kwargs["value_set"]) > 20:
        kwargs["value_set"] = f"<{len(kwargs['value_set'])} values>"
    out = {"expectation": config.type, "kwargs": kwargs, "success": bool(result.success)}
    for key in ("element_count", "unexpected_count", "observed_value"):
        if key in result.result:
            value = result.result[key]
            out[key] = value if isinstance(value, int | float | str | bool) else str(value)
    return out


def _quiet(context) -> None:
    try:
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context.variables.progress_bars = ProgressBarsConfig(globally=False)
    except (ImportError, AttributeError):  # older or newer layouts: progress bars stay
        pass


def _data_docs(gx, context, definitions, tables, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    context.add_data_docs_site(
        site_name="release",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": str(folder.resolve())},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    for definition in definitions:
        checkpoint = context.checkpoints.add(gx.Checkpoint(
            name=f"release-{definition.name}", validation_definitions=[definition],
            actions=[gx.checkpoint.UpdateDataDocsAction(name="docs", site_names=["release"])],
        ))
        checkpoint.run(batch_parameters={"dataframe": _pandas(tables[definition.name])})
