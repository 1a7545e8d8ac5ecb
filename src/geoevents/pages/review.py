"""The review site of an annotation project: ``geoevents review --out DIR``.

One page per source (its whole text, every cited span a ``<mark>`` at the
citation's offsets, what no citation covers passage by passage, the problems
of its records in place) and an index (the events with filters, who checked
what, coverage per source, the problems that belong to no event or source).
The site is written into a temporary folder beside ``DIR`` and moved into place
whole; ``DIR`` may be new, empty or a site written before.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from geoevents import evidence_text as T
from geoevents.errors import UsageError, from_os_error
from geoevents.pages import coverage as C
from geoevents.pages.html import asset, colours, esc, page, records, type_css

#: the file that says a folder holds a site this command wrote (and may replace)
MARKER = ".geoevents-review.json"
#: the source field that lists passages of page chrome, left out of coverage
NOT_SOURCE = "not_source"


@dataclass
class Span:
    citation: int
    start: int
    end: int
    event_id: str
    event_type: str | None


@dataclass
class Placed:
    """Every problem, where it belongs."""

    events: dict[str, list[dict]] = field(default_factory=dict)
    citations: dict[int, list[dict]] = field(default_factory=dict)
    sources: dict[str, list[dict]] = field(default_factory=dict)
    project: list[dict] = field(default_factory=list)


@dataclass
class Site:
    pages: dict[str, str]
    coverage: dict[str, C.Coverage]
    problems: int


def write(root: Path | str, out: Path | str) -> Site:
    """Check the project at ``root`` and write its review site into ``out``."""
    from geoevents import check

    root, out = Path(root), Path(out)
    refuse_out(out)
    result = check.run(root)
    texts, _ = T.read_sources(root, result.tables["sources"])
    made = site(result, dict(texts.iter_rows()))
    publish(out, made.pages)
    return made


def refuse_out(out: Path) -> None:
    """``out`` is new, an empty folder, or a site written by review."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise UsageError(f"--out {out} is a file or a link, not a folder",
                         "give a new folder (or one that holds a review site) for the site")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise UsageError(f"--out {out} holds files that review did not write; they are not "
                         "replaced", "give a new or empty folder, or one review wrote before")


def publish(out: Path, pages: dict[str, str]) -> None:
    """Write ``pages`` (path in the site -> HTML) as the folder ``out``, whole."""
    refuse_out(out)
    parent = out.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=parent))
    except OSError as exc:
        raise from_os_error(exc, "create the review folder beside") from None
    old = None
    try:
        for name, text in {**pages, MARKER: json.dumps({"written_by": "geoevents review"})
                           + "\n"}.items():
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8", newline="\n")
        os.chmod(tmp, 0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=parent))
            os.rename(out, old / "site")
        os.rename(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not out.exists():
            os.rename(old / "site", out)
        raise from_os_error(exc, "write the review site into") from None
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


# --- the site --------------------------------------------------------------------


def site(result, texts: dict[str, str]) -> Site:
    """Every page of the site: ``index.html`` and ``sources/<source_id>.html``."""
    tables = result.tables
    types = colours(list(result.codebook.event_types)
                    + sorted(set(tables["events"]["event_type"].drop_nulls()) -
                             set(result.codebook.event_types)))
    citations = tables["citations"]
    located = spans_of(citations.select("source_id", "quote"), texts)
    event_type = dict(zip(tables["events"]["event_id"], tables["events"]["event_type"],
                          strict=True))
    spans: dict[str, list[Span]] = {}
    for i, (row, at) in enumerate(zip(citations.iter_rows(named=True), located, strict=True)):
        if at is not None:
            spans.setdefault(row["source_id"], []).append(
                Span(i, at[0], at[1], row["event_id"], event_type.get(row["event_id"])))
    placed = place(result)
    events = _events(tables)
    cited = [{**c, "citation": i, "span": located[i], "problems": placed.citations.get(i, [])}
             for i, c in enumerate(records(citations))]
    covered = {}
    pages = {}
    sources = records(tables["sources"])
    chrome = _not_source(sources, texts)
    for source in sources:
        sid = source["source_id"]
        if sid not in texts:
            continue
        text = texts[sid]
        cited_spans = [(s.start, s.end) for s in spans.get(sid, [])]
        covered[sid] = C.coverage(text, cited_spans, chrome.get(sid, []))
        pages[page_name(sid)] = _source_page(
            result, source, text, spans.get(sid, []), covered[sid], events, cited, placed, types)
    pages["index.html"] = _index_page(result, events, cited, sources, covered, placed, types)
    return Site(pages, covered, result.problems.height)


def page_name(source_id: str) -> str:
    """The page of a source in the site: its ID, when the ID is a file name that stays
    in ``sources/`` (a slug, as validate requires); else a name made from it."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,100}", source_id):
        return f"sources/{source_id}.html"
    return f"sources/source-{hashlib.sha256(source_id.encode()).hexdigest()[:16]}.html"


def _not_source(sources: list[dict], texts: dict[str, str]) -> dict[str, list[tuple[int, int]]]:
    """The spans of each source's ``not_source`` passages that stand in its text."""
    listed = [(s["source_id"], p) for s in sources if s["source_id"] in texts
              for p in s.get(NOT_SOURCE) or [] if p is not None]
    found = spans_of(pl.DataFrame(listed, schema={"source_id": pl.String, "quote": pl.String},
                                  orient="row"), texts)
    out: dict[str, list[tuple[int, int]]] = {}
    for (sid, _), span in zip(listed, found, strict=True):
        if span is not None:
            out.setdefault(sid, []).append(span)
    return out


def spans_of(quotes: pl.DataFrame, texts: dict[str, str]) -> list[tuple[int, int] | None]:
    """Where each quote (``source_id``, ``quote``) stands in its source text, as the
    validator and the build find it; None where it does not."""
    ids = sorted(texts)
    folded = dict(zip(ids, T.fold_all([texts[s] for s in ids]), strict=True))
    known = pl.DataFrame({"source_id": ids, "text": [folded[s].text for s in ids]},
                         schema=T.TEXTS_SCHEMA)
    quotes = quotes.with_columns(_q=T.fold(quotes.get_column("quote").fill_null("")))
    if quotes.is_empty():
        return []
    at = T.find(known, quotes, offsets=True)
    found = T.find(known, quotes)
    out = []
    for (sid, _, q), position, ok in zip(quotes.iter_rows(), at, found, strict=True):
        start, end = T.spans(folded[sid], position, len(q)) if ok else (None, None)
        out.append(None if start is None else (start, end))
    return out


def _events(tables) -> dict[str, dict]:
    """Each event as a plain record, with its participants as ``actors``."""
    names = dict(zip(tables["actors"]["actor_id"], tables["actors"]["name"], strict=True))
    country = dict(zip(tables["actors"]["actor_id"], tables["actors"]["country"], strict=True))
    out = {}
    for event in records(tables["events"]):
        if event.get("event_id") is not None:
            out[event["event_id"]] = {**event, "actors": [], "countries": []}
    for link in records(tables["event_actors"]):
        event = out.get(link["event_id"])
        if event is None:
            continue
        aid = link["actor_id"]
        event["actors"].append(f"{names.get(aid) or aid} ({link['role']})")
        if country.get(aid) and country[aid] not in event["countries"]:
            event["countries"].append(country[aid])
    for event in out.values():
        event["countries"].sort()
    return out


# --- problems in place -----------------------------------------------------------


def place(result) -> Placed:
    """Each problem on the record it stands in: an event (its own record or one of
    its participants), a citation, a source; any other on the project."""
    tables, codebook = result.tables, result.codebook
    fields = {name: {f.name for f in codebook.tables[name].fields}
              for name in ("events", "citations", "event_actors", "sources")}
    lines: dict[str, list[tuple[int, str, object]]] = {}
    for name, key in (("events", "event_id"), ("event_actors", "event_id"),
                      ("sources", "source_id")):
        for file, line, value in tables[name].select("_file", "_line", key).iter_rows():
            lines.setdefault(file, []).append((line or 0, name, value))
    for i, (file, line) in enumerate(tables["citations"].select("_file", "_line").iter_rows()):
        lines.setdefault(file, []).append((line or 0, "citations", i))
    for found in lines.values():
        found.sort(key=lambda r: (r[0], r[1] != "events"))
    event_of = tables["citations"]["event_id"].to_list()
    placed = Placed()
    for problem in records(result.problems):
        record = _record(lines.get(problem["file"], []), problem, fields)
        if record is None:
            placed.project.append(problem)
        elif record[1] == "citations":
            placed.citations.setdefault(record[2], []).append(problem)
            placed.events.setdefault(event_of[record[2]], []).append(problem)
        elif record[1] == "sources":
            placed.sources.setdefault(record[2], []).append(problem)
        else:
            placed.events.setdefault(record[2], []).append(problem)
    return placed


def _record(found: list, problem: dict, fields: dict) -> tuple | None:
    """The record a problem's line falls in, of a table that has its field: the
    nearest one starting at or before the line (a nested citation, else its event)."""
    line = problem.get("line")
    if line is None or not found:
        return None
    at = bisect.bisect_right([r[0] for r in found], line)
    for record in reversed(found[max(0, at - 50):at]):
        if problem.get("field") is None or problem["field"] in fields[record[1]]:
            return record if record[2] is not None else None
        if record[1] == "events":
            return record if record[2] is not None else None
    return None


def _problem_list(problems: list[dict]) -> str:
    if not problems:
        return ""
    items = "".join(
        f'<li class="problem {esc(p["severity"])}"><span class="rule">{esc(p["severity"])} '
        f'{esc(p["rule"])}</span> {esc(p["file"])}'
        + (f', line {esc(p["line"])}' if p.get("line") is not None else "")
        + (f' [{esc(p["field"])}]' if p.get("field") else "")
        + f': {esc(p["message"])}'
        + (f'<br><span class="hint">hint: {esc(p["hint"])}</span>' if p.get("hint") else "")
        + "</li>" for p in problems)
    return f'<ul class="problems">{items}</ul>'


# --- a source's page -------------------------------------------------------------


def marked(text: str, spans: list[Span], passages: list[int]) -> str:
    """The text with each span a ``<mark>`` (nested where spans nest, cut into
    pieces where they cross) and an anchor where each passage starts."""
    bounds = sorted({0, len(text), *passages, *(s.start for s in spans),
                     *(s.end for s in spans)})
    starting = set(passages)
    by_start = sorted(spans, key=lambda s: (s.start, -s.end, s.citation))
    active: list[Span] = []
    stack: list[Span] = []
    opened: set[int] = set()
    out: list[str] = []
    nxt = 0
    for a, b in itertools.pairwise(bounds):
        active = [s for s in active if s.end > a]
        while nxt < len(by_start) and by_start[nxt].start == a:
            active.append(by_start[nxt])
            nxt += 1
        wanted = {s.citation for s in active}
        keep = 0
        while keep < len(stack) and stack[keep].citation in wanted:
            keep += 1
        out.append("</mark>" * (len(stack) - keep))
        stack = stack[:keep]
        if a in starting:
            out.append(f'<a class="passage" id="at-{a}"></a>')
        on = {s.citation for s in stack}
        for s in sorted((s for s in active if s.citation not in on),
                        key=lambda s: (-s.end, s.start, s.citation)):
            out.append(_mark(s, first=s.citation not in opened))
            opened.add(s.citation)
            stack.append(s)
        out.append(esc(text[a:b]))
    out.append("</mark>" * len(stack))
    return "".join(out)


def _mark(span: Span, first: bool) -> str:
    common = (f'data-event-id="{esc(span.event_id)}" data-citation="{span.citation}" '
              f'data-type="{esc(span.event_type or "")}" data-start="{span.start}" '
              f'data-end="{span.end}"')
    if first:
        return (f'<mark id="c{span.citation}" {common} tabindex="0" '
                f'aria-describedby="tip">')
    return f'<mark class="cont" {common}>'


def _source_page(result, source, text, spans, covered, events, cited, placed, types) -> str:
    sid = source["source_id"]
    passages = [p.start for p in covered.passages]
    meta = "".join(f"<tr><th>{esc(k)}</th><td>{esc(_shown(v))}</td></tr>"
                   for k, v in source.items() if v not in (None, [], "") and k != NOT_SOURCE)
    excluded = source.get(NOT_SOURCE) or []
    here = sorted({s.event_id for s in spans} | {c["event_id"] for c in cited
                                                 if c["source_id"] == sid})
    event_items = []
    for eid in here:
        event = events.get(eid, {"event_id": eid})
        mine = [c for c in cited if c["event_id"] == eid and c["source_id"] == sid]
        links = " ".join(
            f'<a href="#c{c["citation"]}">{c["span"][0]}–{c["span"][1]}</a>' if c["span"]
            else '<span class="missing">not found in the text</span>' for c in mine)
        event_items.append(
            f'<li class="event" id="event-{esc(eid)}" data-type="{esc(event.get("event_type"))}">'
            f'<span class="swatch"></span><a href="../index.html#event-{esc(eid)}">{esc(eid)}</a> '
            f'<span class="type">{esc(event.get("event_type"))}</span> {esc(event.get("date"))}: '
            f'{esc(event.get("summary"))}<br>highlights: {links}'
            f'{_problem_list([p for c in mine for p in c["problems"]])}</li>')
    rows = "".join(
        f'<tr><td><a href="#at-{p.start}">{p.start}–{p.end}</a></td>'
        f'<td class="num">{p.uncovered}/{p.counted}</td>'
        f'<td class="num">{p.uncovered_share:.0%}</td>'
        f'<td class="excerpt" lang="{esc(source.get("language"))}">'
        f'{esc(_excerpt(text[p.start:p.end]))}</td></tr>' for p in covered.passages)
    shown = [f.name for f in result.codebook.tables["events"].fields if not f.derived]
    data = {"events": {e: _tip(events[e], shown) for e in here if e in events},
            "citations": {str(c["citation"]): {"event_id": c["event_id"],
                                               "quote_en": c.get("quote_en"),
                                               "problems": [p["message"] for p in c["problems"]]}
                          for c in cited if c["source_id"] == sid}}
    body = f"""<header><p><a href="../index.html">← all events and sources</a></p>
<h1 lang="{esc(source.get('language'))}">{esc(source.get('title'))}</h1>
<p class="subtitle">{esc(source.get('title_en'))}</p></header>
<main>
{_problem_list(placed.sources.get(sid, []))}
<section class="source-layout">
<div class="text-column">
<h2>Text <span class="small">({len(spans)} highlight(s); hover or focus one)</span></h2>
<pre class="source-text" lang="{esc(source.get('language'))}" data-source-id="{esc(sid)}">{marked(text, spans, passages)}</pre>
</div>
<div class="side-column">
<h2>Events cited here</h2>
<ul class="events">{''.join(event_items)}</ul>
</div>
</section>
<section id="coverage" data-counted="{covered.counted}" data-covered="{covered.covered}" data-excluded="{covered.excluded}">
<h2>Coverage</h2>
<p><strong class="uncovered-share">{covered.uncovered_share:.1%}</strong> of the text
({covered.uncovered} of {covered.counted} characters, white space not counted) is in no
citation{f"; {covered.excluded} characters of page chrome (not_source) left out" if excluded else ""}.
Passages with text no event records:</p>
<table class="passages"><thead><tr><th>passage (offsets)</th><th>uncited characters</th>
<th>share</th><th>text</th></tr></thead><tbody>{rows}</tbody></table>
</section>
<section><h2>Source</h2><table class="meta">{meta}</table></section>
</main>
<div id="tip" role="tooltip" hidden></div>"""
    return page(f"{source.get('title_en') or sid} — review", body, type_css(types),
                asset("review.js"), data)


def _tip(event: dict, shown: list[str]) -> dict:
    """What a highlight's tip shows of its event: its annotated fields but the notes,
    and its participants."""
    return {k: v for k, v in event.items()
            if v not in (None, [], "") and k in (*shown, "actors") and k != "notes"}


def _shown(value) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _excerpt(text: str, width: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


# --- the index -------------------------------------------------------------------


def _index_page(result, events, cited, sources, covered, placed, types) -> str:
    about = records(result.tables["project"])
    title = (about[0].get("title") if about else None) or "Annotation project"
    by_event: dict[str, list[dict]] = {}
    for c in cited:
        by_event.setdefault(c["event_id"], []).append(c)
    items = []
    for eid, event in sorted(events.items()):
        state = "checked" if event.get("checked_by") else "unchecked"
        links = " ".join(
            f'<a href="{esc(page_name(c["source_id"]))}#c{c["citation"]}">{esc(c["source_id"])}'
            f'{_offsets(c["span"])}</a>' if c["source_id"] in covered  # its page exists
            else f'{esc(c["source_id"])} (no text)' for c in by_event.get(eid, []))
        who = (f' by {esc(event["checked_by"])} on {esc(event.get("checked_on"))}'
               if event.get("checked_by") else "")
        problems = placed.events.get(eid, [])
        items.append(
            f'<li class="event" id="event-{esc(eid)}" data-event-id="{esc(eid)}" '
            f'data-type="{esc(event.get("event_type"))}" data-status="{esc(event.get("status"))}" '
            f'data-country="{esc(" ".join(event["countries"]))}" data-review="{state}" '
            f'data-problems="{len(problems)}">'
            f'<span class="swatch"></span><strong>{esc(eid)}</strong> '
            f'<span class="type">{esc(event.get("event_type"))}</span> '
            f'<span class="status">{esc(event.get("status"))}</span> {esc(event.get("date"))} '
            f'<span class="review {state}">{state}{who}</span><br>{esc(event.get("summary"))}<br><span class="small">actors: '
            f'{esc(", ".join(event["actors"]))}; cited in: {links or "nothing"}</span>'
            f'{_problem_list(problems)}</li>')
    filters = "".join(_filter(name, label, values) for name, label, values in (
        ("type", "Type", sorted({e.get("event_type") for e in events.values()} - {None})),
        ("status", "Status", sorted({e.get("status") for e in events.values()} - {None})),
        ("country", "Country", sorted({c for e in events.values() for c in e["countries"]})),
        ("review", "Review", ["checked", "unchecked"]),
    ))
    checkers: dict[str, list[str]] = {}
    for eid, event in sorted(events.items()):
        checkers.setdefault(event.get("checked_by") or "(not checked)", []).append(eid)
    checked = "".join(
        f'<tr><td>{esc(who)}</td><td class="num">{len(ids)}</td><td class="small">'
        + ", ".join(f'<a href="#event-{esc(e)}">{esc(e)}</a>' for e in ids) + "</td></tr>"
        for who, ids in sorted(checkers.items()))
    cover = "".join(
        f'<tr data-source-id="{esc(s["source_id"])}"><td><a href="{esc(page_name(s["source_id"]))}">'
        f'{esc(s["source_id"])}</a></td><td class="num">{covered[s["source_id"]].counted}</td>'
        f'<td class="num">{covered[s["source_id"]].covered}</td>'
        f'<td class="num uncovered-share">{covered[s["source_id"]].uncovered_share:.1%}</td>'
        f'<td class="num">{len(covered[s["source_id"]].passages)}</td></tr>'
        if s["source_id"] in covered else
        f'<tr data-source-id="{esc(s["source_id"])}"><td>{esc(s["source_id"])}</td>'
        f'<td colspan="4">the text cannot be read (see its problems)</td></tr>'
        for s in sources)
    source_problems = [p for s in sources for p in placed.sources.get(s["source_id"], [])]
    errors = result.problems.filter(pl.col("severity") == "error").height
    body = f"""<header><h1>{esc(title)}</h1>
<p class="subtitle">Review: {len(events)} events, {len(cited)} citations, {len(sources)} sources;
{errors} error(s), {result.problems.height - errors} warning(s)</p></header>
<main>
<section id="project-problems"><h2>Problems of the project</h2>
{_problem_list(placed.project + source_problems) or "<p>None outside events.</p>"}</section>
<section id="checked"><h2>Who checked what</h2>
<table><thead><tr><th>curator</th><th>events</th><th>which</th></tr></thead>
<tbody>{checked}</tbody></table></section>
<section id="coverage"><h2>Coverage per source</h2>
<table><thead><tr><th>source</th><th>characters</th><th>cited</th><th>uncited share</th>
<th>passages with uncited text</th></tr></thead><tbody>{cover}</tbody></table></section>
<section id="events-section"><h2>Events</h2>
<form class="filters" role="search" aria-label="Filter events">{filters}
<output id="shown" aria-live="polite">{len(events)} of {len(events)} events</output></form>
<ul class="events" id="events">{''.join(items)}</ul></section>
</main>"""
    return page(f"{title} — review", body, type_css(types), asset("review.js"))


def _offsets(span) -> str:
    return f" {span[0]}–{span[1]}" if span else " (not found)"


def _filter(name: str, label: str, values: list[str]) -> str:
    options = "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in values)
    return (f'<label>{label} <select data-filter="{name}"><option value="">all</option>'
            f'{options}</select></label>')
