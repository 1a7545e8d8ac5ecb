"""The release's data-quality report: a great-expectations suite on the release tables.

The suite is generated from the codebook (see ``expectations``): every
constraint of every published column, the foreign keys between published
tables, and the release-level rules (every event cited and checked, dates in
the covered years, row counts against the previous release). The
results are saved as a compact, deterministic JSON summary; full Data Docs HTML
is written only on request. great-expectations costs seconds to import, so it
is imported here and nowhere on the validate path.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from geoevents.check.dates import EARLIEST
from geoevents.codebook import Codebook
from geoevents.codebook import release as spec

#: the events of a release may not shrink below this share of the previous release's
#: nor grow beyond this factor of it: either means something went wrong upstream
SHRINK_TOLERANCE = 0.9
GROWTH_LIMIT = 10


def expectations(gx, tables: dict[str, pl.DataFrame], codebook: Codebook,
                 previous_counts: dict[str, int] | None) -> dict[str, list]:
    """The suite: the codebook's field-level expectations of every published table
    (``codebook.release.expectations``: keys, required fields, vocabularies,
    patterns, bounds, lengths), then the cross-table ones ``with_references``
    answers: references resolve, every event is cited, every date has a known
    end, events start in the covered years, every event is checked, and the
    number of events is in line with the previous release's."""
    E = gx.expectations
    suites: dict[str, list] = {name: [] for name in codebook.release_tables}
    for item in spec.expectations(codebook):
        suites[item.table].append(getattr(E, item.kind)(**item.kwargs))
    for name, columns in _reference_columns(codebook).items():
        for column in columns:
            suites[name].append(E.ExpectColumnValuesToBeInSet(column=column, value_set=[True]))
    for name in codebook.release_tables:
        for column in _known_columns(codebook, name):
            suites[name].append(E.ExpectColumnValuesToBeInSet(column=column, value_set=[True]))
    events = suites["events"]
    events.append(E.ExpectColumnValuesToBeInSet(column="event_is_cited", value_set=[True]))
    for column in ("date_start", "date_end"):  # when the release publishes them
        if codebook.tables["events"].column(column) is not None:
            events.append(E.ExpectColumnValuesToBeBetween(
                column=column, min_value=dt.datetime.combine(EARLIEST, dt.time())))
    # a release publishes only checked events
    events.append(E.ExpectColumnValuesToNotBeNull(column="checked_by"))
    count = (previous_counts or {}).get("events")
    if count:
        # events only leave through retirement, which the build checks by ID
        events.append(E.ExpectTableRowCountToBeBetween(
            min_value=int(count * SHRINK_TOLERANCE), max_value=count * GROWTH_LIMIT + 100))
    return suites


def _reference_columns(codebook: Codebook) -> dict[str, list[str]]:
    """Per published table, a column ``<field>_resolves`` for each of its foreign keys."""
    return {name: [f"{k.field}_resolves" for k in spec.foreign_keys(codebook, name)]
            for name in codebook.release_tables}


def _known_columns(codebook: Codebook, name: str) -> list[str]:
    """``<field>_is_known`` for each EDTF field whose start and end the release derives."""
    derived = {(c.derived.source, c.derived.part) for c in codebook.tables[name].columns
               if c.derived and c.derived.kind == "edtf"}
    return [f"{f}_is_known" for f, part in sorted(derived) if part == "start"
            and (f, "end") in derived]


def with_references(tables: dict[str, pl.DataFrame], codebook: Codebook,
                    citations: pl.DataFrame | None = None) -> dict[str, pl.DataFrame]:
    """The tables with a column per cross-table rule, for the suite to check.

    GX has no expectation across tables, and a value set of every event ID
    costs it minutes at a million events (it copies the set for each metric), so
    polars answers "does this reference resolve", "is this event cited" and "is
    one end of the date known", and GX checks that every answer is yes.
    """
    out = dict(tables)
    for name in codebook.release_tables:
        frame = out[name]
        added = {}
        for k in spec.foreign_keys(codebook, name):
            ids = tables[k.table].get_column(k.target).implode()
            added[f"{k.field}_resolves"] = pl.col(k.field).is_null() | pl.col(k.field).is_in(ids)
        for column in _known_columns(codebook, name):
            f = column[:-len("_is_known")]
            added[column] = pl.col(f"{f}_start").is_not_null() | pl.col(f"{f}_end").is_not_null()
        out[name] = frame.with_columns(**added)
    citations = tables.get("citations", citations)
    cited = citations.get_column("event_id").implode()
    out["events"] = out["events"].with_columns(event_is_cited=pl.col("event_id").is_in(cited))
    return out


def run(tables: dict[str, pl.DataFrame], codebook: Codebook,
        previous_counts: dict[str, int] | None, docs: Path | None = None,
        citations: pl.DataFrame | None = None) -> dict:
    """Run the suites; return a compact summary (no timestamps, no run IDs).

    ``citations`` are the project's, for "every event is cited" when the release
    does not publish them (by default, the release's)."""
    return _run(tables, codebook, previous_counts, docs, citations)


def _context(gx):
    """An in-memory context with analytics off in its own configuration: the process's
    environment (GX_ANALYTICS_ENABLED) is left as it is."""
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
    )

    config = DataContextConfig(
        analytics_enabled=False,
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False))
    return gx.get_context(mode="ephemeral", project_config=config)


def _run(tables, codebook, previous_counts, docs, citations) -> dict:
    from geoevents.envguard import environment_kept

    with environment_kept():  # its import sets Spark's variables
        import great_expectations as gx

    tables = with_references(tables, codebook, citations)

    context = _context(gx)
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
    from geoevents.release import list_text

    return frame.with_columns(list_text(c) for c in lists).to_pandas()


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
