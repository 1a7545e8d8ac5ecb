"""PLOVER coherence: modes belong to their type; actors and recipients are present."""

from __future__ import annotations

import polars as pl

from geoevents import problems as P
from geoevents.codebook import Codebook


def check(events: pl.DataFrame, event_actors: pl.DataFrame, codebook: Codebook,
          actors_read: bool = True) -> pl.DataFrame:
    """Modes of the wrong type; events without an actor or a needed recipient (not
    looked for when some event_actors records could not be read)."""
    types = codebook.event_types
    pairs = pl.DataFrame(
        [(t.code, m) for t in types.values() for m in t.modes],
        schema={"event_type": pl.String, "mode": pl.String}, orient="row",
    )
    # one row per mode an event carries; a mode of no type is a vocabulary problem only
    with_mode = (events.select("_file", "_line", "event_type", pl.col("modes").alias("mode"))
                 .explode("mode")
                 .filter(pl.col("mode").is_in(pairs.get_column("mode").unique().to_list())
                         & pl.col("event_type").is_in(list(types))))
    bad_mode = with_mode.join(pairs, on=["event_type", "mode"], how="anti")
    modes_of = {c: ", ".join(t.modes) or "none (leave modes empty)" for c, t in types.items()}
    needs = [c for c, t in types.items() if t.requires_recipient]
    sources = codebook.role_values("event_actors", "role", "source")
    targets = codebook.role_values("event_actors", "role", "target")
    listed = events if actors_read else events.clear()
    no_actor = listed.join(_with_role(event_actors, sources), on="event_id", how="anti")
    no_recipient = listed.filter(pl.col("event_type").is_in(needs)).join(
        _with_role(event_actors, targets), on="event_id", how="anti"
    )
    return P.combine([
        P.from_frame(
            bad_mode, "mode-type", "modes",
            pl.format("mode {} does not belong to {}", pl.col("mode"), pl.col("event_type")),
            pl.format("modes of {}: {}", pl.col("event_type"),
                      pl.col("event_type").replace_strict(modes_of, return_dtype=pl.String)),
            value=pl.col("mode"),
        ),
        P.from_frame(
            no_actor, "no-actor", "event_id",
            f"the event has no participant with role {' or '.join(sources)}",
            f"add the participant who acts (role: {sources[0]}) under the event's actors",
        ),
        P.from_frame(
            no_recipient, "recipient-missing", "event_type",
            pl.format("{} requires a recipient", pl.col("event_type")),
            f"add the party the action is directed at with role: {targets[0]}",
        ),
    ])


def _with_role(event_actors: pl.DataFrame, roles: list[str]) -> pl.DataFrame:
    """IDs of the events that have a participant in one of ``roles``."""
    return event_actors.filter(pl.col("role").is_in(roles)).select("event_id")
