"""What every page shares: escaping, the data blob, colours, the frame of a page."""

from __future__ import annotations

import datetime as dt
import html
import math
from pathlib import Path

import polars as pl

ASSETS = Path(__file__).parent
#: colours of event types, assigned in the codebook's order (then by name)
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#2ca02c", "#d62728", "#9467bd",
           "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


#: nothing may load from anywhere: the page is whole as it is
CSP = ('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
       "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">")


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def plain(value):
    """A cell as JSON can hold it: dates as ISO text, lists as lists, NaN as null."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def records(frame: pl.DataFrame, internal: bool = False) -> list[dict]:
    """The rows of a frame as plain dicts, without the reader's ``_`` columns."""
    columns = [c for c in frame.columns if internal or not c.startswith("_")]
    return [{k: plain(v) for k, v in row.items()}
            for row in frame.select(columns).iter_rows(named=True)]


def blob(doc) -> str:
    """JSON for a ``<script type="application/json">``: sorted keys, nothing that
    could close the element or a comment."""
    import orjson  # ten times json's speed on a page of 100,000 events; same JSON

    text = orjson.dumps(doc, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def colours(types: list[str]) -> dict[str, str]:
    return {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(types)}


def type_css(types: dict[str, str]) -> str:
    """One rule a type: ``[data-type=X]`` takes its colour."""
    return "".join(f'[data-type="{esc(t)}"]{{--type:{c}}}' for t, c in types.items())


def asset(name: str) -> str:
    return (ASSETS / name).read_text("utf-8")


def page(title: str, body: str, css: str = "", script: str = "", data=None,
         lang: str = "en") -> str:
    """A whole page: its style, its data and its script inline."""
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        CSP,
        f"<title>{esc(title)}</title>",
        f"<style>{asset('pages.css')}{css}</style>",
        "</head>",
        "<body>",
        body,
    ]
    if data is not None:
        parts.append(f'<script type="application/json" id="page-data">{blob(data)}</script>')
    if script:
        parts.append(f"<script>{script}</script>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
