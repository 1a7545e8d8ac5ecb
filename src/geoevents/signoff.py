"""Sign off events: write who checked them, and on which day, where each is written.

``sign_off(root, event_ids, by=..., on=...)`` runs the checks once and refuses what
cannot be signed off: an event no record defines, a curator the curators table
does not know, an event with errors (in its own record, nested actors and
citations included, or in a record of another table that names it), an event its
own annotator would check when the project file asks for a second curator
(``distinct_checker: true``), and an event already checked unless ``force``.
Only when nothing is refused does it write ``checked_by`` and ``checked_on``
(the fields the review rule reads: ``check.review``) into the record of each
event, in the file that holds it, YAML or CSV.

Nothing else in those files changes by one byte. A value that stands is replaced
where it stands, in its own quoting; a field that is absent is added after the
record's last line at the indentation of its keys (YAML) or written into its cell
(CSV: only the cells of that row change, so a row with quoted values spanning
lines is edited like any other). Line ends, comments, blank lines and a BOM stay
as they were. Every edited file is read back and compared record by record with
what it held, and all files are edited in memory before the first is written;
each is then replaced whole (a temporary file in its folder, then a rename).
"""

from __future__ import annotations

import bisect
import codecs
import csv
import datetime as dt
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from geoevents import errors as E
from geoevents import safefile, yamlio
from geoevents.check.review import ANNOTATED_BY, CHECKED_BY, CHECKED_ON

EVENTS = "events"
#: the day of a check, as --on takes it (ASCII digits only)
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: line breaks as libyaml counts them (the lines of its marks)
YAML_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
#: a value YAML reads back as the same plain text, unquoted (slugs, dates)
PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
YAML_NULLS = {"null", "Null", "NULL"}
#: errors listed under a refusal; the rest are counted
MAX_SHOWN = 10
READ_LIMIT = 256 * safefile.MIB
#: problems that keep records of a file from being read
READING = frozenset({"file-encoding", "file-too-large", "file-not-regular", "file-outside",
                     "line-too-long", "csv-ragged", "csv-header", "csv-too-many-columns",
                     "yaml-syntax", "yaml-shape", "yaml-duplicate-key", "yaml-tag",
                     "yaml-alias", "yaml-too-deep"})


@dataclass
class Refusal:
    """Why an event is not signed off: where it stands, what is wrong, what to do."""

    event_id: str | None
    message: str
    hint: str
    file: str | None = None
    line: int | None = None
    details: list[str] = field(default_factory=list)
    #: the arguments are at fault (exit 2), not the data (exit 1)
    usage: bool = False

    def text(self) -> str:
        where = f"{self.file}, line {self.line}: " if self.file and self.line else (
            f"{self.file}: " if self.file else "")
        head = f"{where}{self.event_id}: {self.message}" if self.event_id else (
            f"{where}{self.message}")
        return "\n".join([head, *(f"    {d}" for d in self.details), f"    hint: {self.hint}"])


class Refused(E.ProblemsFound):
    """Some events cannot be signed off: nothing was written (exit 1; 2 when an
    argument names nothing in the project)."""

    def __init__(self, refusals: list[Refusal], asked: int):
        refused = len({r.event_id for r in refusals})
        super().__init__(
            f"nothing signed off: {refused} of {asked} event(s) refused",
            "no file is written until every event named can be signed off: fix what is "
            "listed, or leave those events out, and run again")
        self.refusals = refusals
        if any(r.usage for r in refusals):
            self.exit_code = E.EXIT_USAGE


@dataclass
class Signed:
    event_id: str
    file: str
    line: int


@dataclass
class Outcome:
    by: str
    on: dt.date
    signed: list[Signed]
    #: events --all-clean left alone, and why
    skipped: list[Refusal]
    #: events --all-clean left alone because they are checked already
    already_checked: list[str]
    #: the files written (a file whose bytes would not change is not written)
    written: list[str]


@dataclass
class _Event:
    event_id: str
    file: str
    line: int
    annotated_by: str | None
    checked_by: str | None
    checked_on: dt.date | None


class _Unsafe(Exception):
    """An edit that could not be made without touching other bytes."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


class _Failed(Exception):
    """Some events of a file could not be edited: (event, why) for each."""

    def __init__(self, failures: list[tuple[_Event, _Unsafe]]):
        super().__init__(f"{len(failures)} event(s) not edited")
        self.failures = failures


# --- the day -----------------------------------------------------------------


def local_today() -> dt.date:
    """The curator's today: the local date, as validate's rule on checks in the future
    reads it (``check.review``)."""
    return dt.date.today()


def check_day(on: str | dt.date | None, today: dt.date | None = None) -> dt.date:
    """The day of the check: ``on`` (YYYY-MM-DD, a real day not after today) or today
    (the local date)."""
    today = today or local_today()
    if on is None:
        return today
    if isinstance(on, dt.date):
        day = on
    else:
        try:
            day = dt.date.fromisoformat(on) if DAY.fullmatch(on) else None
        except ValueError:
            day = None
        if day is None:
            raise E.UsageError(f"--on {on!r} is not a day: write it as YYYY-MM-DD",
                               "give the day of the check, e.g. --on 2024-03-01, or leave "
                               "--on out for today")
    if day > today:
        raise E.UsageError(f"--on {day.isoformat()} is after today ({today.isoformat()})",
                           "a check is dated the day it was done: give that day, or leave "
                           "--on out for today")
    return day


# --- sign off ----------------------------------------------------------------


def sign_off(root: Path | str, event_ids=(), *, by: str, on: str | dt.date | None = None,
             all_clean: bool = False, force: bool = False,
             today: dt.date | None = None) -> Outcome:
    """Sign off ``event_ids`` (or, with ``all_clean``, every event that can be) as
    checked by curator ``by`` on day ``on``; raises Refused (nothing written) if any
    event named cannot be, UsageError for bad arguments."""
    from geoevents import check

    root = Path(root)
    ids = list(dict.fromkeys(event_ids))
    if all_clean and ids:
        raise E.UsageError("give event IDs or --all-clean, not both",
                           "--all-clean signs off every event that can be; name events to "
                           "sign off those only")
    if not all_clean and not ids:
        raise E.UsageError("no event to sign off",
                           "name the events (geoevents sign-off EVENT_ID... --by CURATOR), or "
                           "give --all-clean for every event without problems")
    if all_clean and force:
        raise E.UsageError("--force signs off again named events only, not --all-clean",
                           "name the checked events to sign off again")
    day = check_day(on, today)
    result = check.run(root)  # NotAProject (exit 2) for a folder that is none
    review = _Review(root, result)
    review.require_curator(by)
    if all_clean:
        return review.all_clean(by, day)
    return review.named(ids, by, day, force)


class _Review:
    """The events of a checked project, the errors each has, and the edits."""

    def __init__(self, root: Path, result):
        from geoevents.check import project

        self.root, self.result, self.codebook = root, result, result.codebook
        table = self.codebook.tables[EVENTS]
        self.key = table.primary_key[0]
        self.checker = table.field(CHECKED_BY)
        self.distinct = project.distinct_checker(result.tables)
        self.policy_file = self.codebook.tables["project"].location
        self.sources: dict[str, _Source] = {}
        self.events = self._events()
        self.errors = self._errors()

    # the events, by ID

    def _events(self) -> dict[str, list[_Event]]:
        frame = self.result.tables[EVENTS]
        out: dict[str, list[_Event]] = defaultdict(list)
        columns = ["_file", "_line", self.key, ANNOTATED_BY, CHECKED_BY, CHECKED_ON]
        for file, line, eid, annotator, checker, on in frame.select(columns).iter_rows():
            if eid is not None:
                checker = checker if checker and checker.strip() else None  # '' is no check
                out[eid].append(_Event(eid, file, line, annotator, checker, on))
        return out

    # the curator

    def require_curator(self, by: str) -> None:
        curators = self.result.tables[self.checker.ref_table]
        column = self.checker.ref_field
        known = sorted(set(curators.get_column(column).drop_nulls())) \
            if column in curators.columns else []
        if by in known:
            self._require_sound(by, curators, column)
            return
        unread = self._unread(self.checker.ref_table)
        if unread:
            raise E.ProblemsFound(
                f"--by {by!r}: the curators could not all be read ({unread})",
                "fix what geoevents validate reports there, then sign off again")
        files = sorted(set(curators.get_column("_file"))) or [
            f"annotations/{self.checker.ref_table}.csv"]
        where = ", ".join(files)
        close = _closest(by, known)
        listed = f"known: {', '.join(known)}" if known else "none is defined yet"
        hint = (f"did you mean {close!r}? " if close else "") + (
            f"give one of the curators of {where}, or add a record for {by!r} there first")
        raise E.UsageError(f"--by {by!r}: no curator has this ID ({listed})", hint)

    def _require_sound(self, by: str, curators, column: str) -> None:
        """The curator's record and the project file (its review policy) have no errors."""
        errors = self.result.all_errors
        rows = curators.filter(pl.col(column) == by).select("_file", "_line")
        at = errors.join(rows.rename({"_file": "file", "_line": "line"}), on=["file", "line"],
                         how="semi")
        if at.height:
            p = at.row(0, named=True)
            raise E.ProblemsFound(
                f"--by {by!r}: the curator's record has {at.height} error(s) ({p['file']}, "
                f"line {p['line']}: {p['rule']}: {p['message']})",
                "fix it (geoevents validate shows each with its hint), then sign off again")
        policy = errors.filter(pl.col("file") == self.policy_file)
        if policy.height:
            shown = self.result.errors.filter(pl.col("file") == self.policy_file)
            p = (shown if shown.height else policy).row(0, named=True)
            raise E.ProblemsFound(
                f"{self.policy_file} has {policy.height} error(s), so its review policy cannot "
                f"be read (line {p['line']}: {p['rule']}: {p['message']})",
                "fix it (geoevents validate shows each with its hint), then sign off again")

    def _unread(self, table: str) -> str:
        """The reading problems of a table's files ('' if none): records they kept out."""
        from geoevents.check import cascades

        reading = self.result.all_errors.filter(pl.col("rule").is_in(list(READING)))
        files = [f for f in reading.get_column("file").drop_nulls().unique().sort().to_list()
                 if table in cascades.file_tables(f, self.codebook)]
        return "; ".join(f"{f}: {reading.filter(pl.col('file') == f).height} problem(s) of "
                         "reading" for f in files)

    # the errors of each event

    def _errors(self) -> dict[str, list[dict]]:
        """Errors by event ID: in the event's record (nested records included), in a
        record of another table naming the event, or in the header of its file."""
        owners: dict[tuple[str, int], set[str]] = defaultdict(set)
        by_file: dict[str, set[str]] = defaultdict(set)
        for table, column in self._naming():
            frame = self.result.tables[table]
            if column not in frame.columns:
                continue
            for file, line, eid in frame.select("_file", "_line", column).drop_nulls().iter_rows():
                owners[(file, line)].add(eid)
                by_file[file].add(eid)
        own = {(e.file, e.line): e.event_id for rows in self.events.values() for e in rows}
        out: dict[str, list[dict]] = defaultdict(list)
        for p in self.result.all_errors.iter_rows(named=True):
            file, line = p["file"], p["line"]
            if file not in by_file:
                continue
            record = self._record_of(file, line)
            ids = by_file[file] if record is None else owners.get((file, record), set()) | \
                owners.get((file, line), set())
            for eid in ids:
                # what sign-off writes is not held against the event: it replaces it
                if p["field"] in (CHECKED_BY, CHECKED_ON) and own.get((file, record)) == eid:
                    continue
                out[eid].append(p)
        for eid, errors in self._source_errors().items():
            out[eid] += errors
        return out

    def _source_errors(self) -> dict[str, list[dict]]:
        """Errors of the sources an event cites (a missing, changed or unreadable text):
        an event is checked against its sources, and these cannot be read as cited."""
        sources, citations = self.result.tables.get("sources"), self.result.tables.get("citations")
        if sources is None or citations is None or "source_id" not in citations.columns:
            return {}
        at = sources.select(pl.col("_file").alias("file"), pl.col("_line").alias("_rec"),
                            "source_id").drop_nulls()
        files = set(at.get_column("file").to_list())
        errors = self.result.all_errors.filter(pl.col("file").is_in(list(files)))
        if errors.is_empty():
            return {}
        records = [self._record_of(f, line) for f, line in errors.select("file", "line").rows()]
        bad = errors.with_columns(pl.Series("_rec", records, dtype=pl.Int64)).join(
            at, on=["file", "_rec"], how="inner").drop("_rec")
        cited = citations.select(self.key, "source_id").drop_nulls().unique()
        out: dict[str, list[dict]] = defaultdict(list)
        for row in cited.join(bad, on="source_id", how="inner").iter_rows(named=True):
            out[row[self.key]].append(row)
        return out

    def _naming(self) -> list[tuple[str, str]]:
        """(table, field) of the events' key and of every field referencing it."""
        target = f"{EVENTS}.{self.key}"
        return [(EVENTS, self.key)] + [(t.name, f.name) for t in self.codebook.tables.values()
                                       for f in t.fields if f.references == target]

    def _record_of(self, file: str, line: int | None) -> int | None:
        """The line where the record holding ``line`` starts; None for the whole file
        (no line, or a CSV header)."""
        if line is None:
            return None
        if file.endswith(".csv"):
            return None if line == 1 else line
        source = self._source(file)
        starts = source.item_starts() if source is not None else []
        i = bisect.bisect_right(starts, line) - 1
        return starts[i] if i >= 0 else line

    def _source(self, rel: str) -> _Source | None:
        if rel not in self.sources:
            self.sources[rel] = _Source.load(self.root, rel)
        return self.sources[rel]

    # what stands in the way of signing an event off

    def reasons(self, event: _Event, by: str, force: bool) -> list[Refusal]:
        out = []
        errors = self.errors.get(event.event_id, [])
        if errors:
            out.append(Refusal(
                event.event_id, f"has {len(errors)} error(s): fix them first",
                "fix them (geoevents validate shows each with its hint), then sign off again",
                event.file, event.line, _listed(errors, event.file)))
        if self.distinct and event.annotated_by == by:
            out.append(Refusal(
                event.event_id,
                f"{by!r} annotated this event, and {self.policy_file} asks for a second "
                "curator (distinct_checker: true)",
                "have another curator check it and sign it off (--by CURATOR)",
                event.file, event.line))
        if event.checked_by is not None and not force:
            when = f" on {event.checked_on.isoformat()}" if event.checked_on else ""
            out.append(Refusal(
                event.event_id, f"is checked already (by {event.checked_by!r}{when})",
                "give --force to sign it off again: its checked_by and checked_on are replaced",
                event.file, event.line))
        return out

    def named(self, ids: list[str], by: str, day: dt.date, force: bool) -> Outcome:
        refusals, targets = [], []
        for eid in ids:
            rows = self.events.get(eid, [])
            if not rows:
                refusals.append(self._unknown(eid))
            elif len(rows) > 1:
                refusals.append(self._twice(eid, rows))
            else:
                reasons = self.reasons(rows[0], by, force)
                refusals += reasons
                if not reasons:
                    targets.append(rows[0])
        edits, unsafe = self._edit(targets, by, day)
        refusals += unsafe
        if refusals:
            raise Refused(refusals, len(ids))
        return self._write(edits, targets, by, day, [], [])

    def all_clean(self, by: str, day: dt.date) -> Outcome:
        skipped, checked, targets = [], [], []
        events = sorted((rows[0] for rows in self.events.values() if len(rows) == 1),
                        key=lambda e: (e.file, e.line))
        for event in events:
            if event.checked_by is not None:
                checked.append(event.event_id)
                continue
            reasons = self.reasons(event, by, force=False)
            skipped += reasons
            if not reasons:
                targets.append(event)
        for eid, rows in self.events.items():
            if len(rows) > 1:
                skipped.append(self._twice(eid, rows))
        while True:  # leave out what cannot be edited, and edit the rest again
            edits, unsafe = self._edit(targets, by, day)
            skipped += unsafe
            if not unsafe:
                break
            refused = {r.event_id for r in unsafe}
            targets = [e for e in targets if e.event_id not in refused]
        return self._write(edits, targets, by, day, skipped, checked)

    def _twice(self, eid: str, rows: list[_Event]) -> Refusal:
        where = ", ".join(f"{e.file}, line {e.line}" for e in rows)
        return Refusal(eid, f"is written {len(rows)} times ({where})",
                       "keep one record of the event (IDs are unique across all files)",
                       rows[0].file, rows[0].line)

    def _unknown(self, eid: str) -> Refusal:
        unread = self._unread(EVENTS)
        if unread:  # the event may stand in a record that could not be read
            return Refusal(eid, f"no event with this ID was read, and the events could not "
                           f"all be read ({unread})",
                           "fix what geoevents validate reports there, then sign off again")
        close = _closest(eid, list(self.events))
        files = sorted({e.file for rows in self.events.values() for e in rows})
        hint = f"did you mean {close!r}?" if close else (
            f"check the spelling: the events are written in {', '.join(files)}" if files
            else "the project has no events yet")
        return Refusal(eid, "no event has this ID", hint, usage=True)

    # editing

    def _edit(self, targets: list[_Event], by: str,
              day: dt.date) -> tuple[dict[str, tuple[_Source, str]], list[Refusal]]:
        """The new text of each file holding a target, and the events that could not
        be edited safely."""
        values = {CHECKED_BY: by, CHECKED_ON: day.isoformat()}
        by_file: dict[str, list[_Event]] = defaultdict(list)
        for event in targets:
            by_file[event.file].append(event)
        edits, refusals = {}, []
        for rel, events in by_file.items():
            source = self._source(rel)
            if source is None:
                refusals += [Refusal(e.event_id, "its file cannot be read again",
                                     "run geoevents validate, then sign off again", e.file,
                                     e.line) for e in events]
                continue
            try:
                edits[rel] = (source, source.edit(events, values, self.key))
            except _Failed as exc:
                refusals += [Refusal(e.event_id, why.message, why.hint, e.file, e.line)
                             for e, why in exc.failures]
            except _Unsafe as exc:
                refusals += [Refusal(e.event_id, exc.message, exc.hint, e.file, e.line)
                             for e in events]
        return edits, refusals

    def _write(self, edits, targets, by, day, skipped, checked) -> Outcome:
        changed = {rel: (s, text) for rel, (s, text) in edits.items() if text != s.text}
        for source, _ in changed.values():  # all of them, before any is written
            source.require_unchanged()
        written = []
        try:
            for rel, (source, text) in changed.items():
                safefile.replace(source.path, source.encode(text))
                written.append(rel)
        except OSError as exc:
            failure = E.from_os_error(exc, "write")
            if written:  # each file is whole: say which hold the new check
                failure.hint += f" (written already, and complete: {', '.join(written)})"
            raise failure from None
        signed = [Signed(e.event_id, e.file, e.line) for e in targets]
        return Outcome(by, day, signed, skipped, checked, sorted(changed))


def _closest(word: str, choices: list[str]) -> str | None:
    if not choices:
        return None
    from rapidfuzz import process

    match = process.extractOne(word, choices, score_cutoff=80)
    return match[0] if match else None


def _listed(errors: list[dict], own_file: str) -> list[str]:
    lines = []
    for p in errors[:MAX_SHOWN]:
        where = "" if p["file"] == own_file else f"{p['file']}, "
        where += f"line {p['line']}" if p["line"] is not None else "the whole file"
        field_ = f" [{p['field']}]" if p["field"] else ""
        lines.append(f"{where}{field_} {p['rule']}: {p['message']}")
    if len(errors) > MAX_SHOWN:
        lines.append(f"... and {len(errors) - MAX_SHOWN} more")
    return lines


# --- files -------------------------------------------------------------------


class _Source:
    """One annotation file as read for editing: its bytes, text and records."""

    def __init__(self, root: Path, rel: str, path: Path, data: bytes, text: str):
        self.root, self.rel, self.path, self.data, self.text = root, rel, path, data, text
        self.bom = data.startswith(codecs.BOM_UTF8)
        self.is_csv = rel.endswith(".csv")
        self._node = self._starts = None

    @classmethod
    def load(cls, root: Path, rel: str) -> _Source | None:
        path = root / rel
        data = safefile.read_bytes(path, root, READ_LIMIT)
        if isinstance(data, safefile.Refused):
            return None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
        real, _ = safefile.inside(path, root)  # write where the file is (through a link)
        return cls(root, rel, real, data, text)

    def encode(self, text: str) -> bytes:
        return (codecs.BOM_UTF8 if self.bom else b"") + text.encode("utf-8")

    def require_unchanged(self) -> None:
        now = safefile.read_bytes(self.root / self.rel, self.root, READ_LIMIT)
        if now != self.data:
            raise E.ProblemsFound(f"{self.rel} changed while sign-off was running: nothing "
                                  "is written", "save your edits, then sign off again")

    # YAML

    def node(self):
        if self._node is None:
            node, issue = yamlio.compose(self.text)
            if issue is not None or not isinstance(node, SequenceNode):
                raise _Unsafe(f"{self.rel} cannot be read as a list of records",
                              "run geoevents validate and fix the file, then sign off again")
            self._node = node
        return self._node

    def item_starts(self) -> list[int]:
        """The line where each top-level record starts (for YAML; [] if unreadable)."""
        if self._starts is None:
            try:
                self._starts = [] if self.is_csv else [
                    item.start_mark.line + 1 for item in self.node().value]
            except _Unsafe:
                self._starts = []
        return self._starts

    def edit(self, events: list[_Event], values: dict[str, str], key: str) -> str:
        return (_edit_csv if self.is_csv else _edit_yaml)(self, events, values, key)


# --- YAML edits --------------------------------------------------------------


def _edit_yaml(source: _Source, events: list[_Event], values: dict[str, str], key: str) -> str:
    items = {item.start_mark.line + 1: item for item in source.node().value}
    replace: dict[int, list] = defaultdict(list)
    insert: dict[int, list[str]] = {}
    lines = _yaml_lines(source.text)
    failures = []
    for event in events:
        try:
            _edit_record(items.get(event.line), event, values, key, lines, replace, insert)
        except _Unsafe as exc:
            failures.append((event, exc))
    if failures:
        raise _Failed(failures)
    text = _apply(lines, replace, insert)
    _verify_yaml(source, text, events, values)
    return text


#: how a field sign-off adds is written: the curator plain (an ID), the day quoted
#: (as a date written by hand in these files is, so that it stays text)
ADDED_STYLE = {CHECKED_BY: "", CHECKED_ON: '"'}


def _edit_record(item, event: _Event, values: dict[str, str], key: str, lines, replace, insert):
    """Add to ``replace`` and ``insert`` the edits that write ``values`` into one record."""
    if not isinstance(item, MappingNode) or _value(item, key) != event.event_id:
        raise _Unsafe("the record is not where it was read",
                      "run geoevents validate, then sign off again")
    missing = []
    for name, value in values.items():
        pair = next(((k, v) for k, v in item.value if k.value == name), None)
        if pair is None:
            missing.append(name)
            continue
        k, v = pair
        if not isinstance(v, ScalarNode) or v.style in ("|", ">") \
                or v.start_mark.line != v.end_mark.line:
            raise _Unsafe(f"{name} on line {k.start_mark.line + 1} is not a one-line value: "
                          "sign-off replaces one-line values only",
                          f"write it on one line ({name}: ...) or delete that line, and run again")
        start, end = v.start_mark.column, v.end_mark.column
        style = v.style or ""
        if v.tag == yamlio.NULL:  # 'checked_by:' and nothing, or '~': written as if added
            style = ADDED_STYLE[name]
        before = lines[v.start_mark.line][0][:start]
        # an empty value stands right after its colon, or after the space that follows
        gap = " " if start == end and not before[-1:].isspace() else ""
        replace[v.start_mark.line].append((start, end, gap + _yaml_scalar(value, style)))
    if not missing:
        return
    if item.flow_style:
        raise _Unsafe("the record is written in flow style ({...}): sign-off adds fields to "
                      "records written one key a line only",
                      f"write the record one key a line, or add {' and '.join(missing)} to it "
                      "(empty), and run again")
    indent = _indent(item, lines)
    insert[_last_line(item)] = [f"{indent}{name}: {_yaml_scalar(values[name], ADDED_STYLE[name])}"
                                for name in missing]


def _value(item: MappingNode, name: str):
    return next((v.value for k, v in item.value
                 if isinstance(k, ScalarNode) and k.value == name and isinstance(v, ScalarNode)),
                None)


def _yaml_scalar(value: str, style: str) -> str:
    """``value`` written in the style of the value it replaces: plain (if YAML reads
    it back as this text), single- or double-quoted."""
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style == "" and PLAIN.fullmatch(value) and value not in YAML_NULLS \
            and yaml.safe_load(value) == value:  # not 123, yes, 2024-01-01: they are no text
        return value
    return json.dumps(value, ensure_ascii=False)  # JSON strings are YAML double-quoted ones


def _last_line(node) -> int:
    """The 0-based line where a record's last value ends (its comments after it, and
    blank lines, stay after what is added)."""
    if isinstance(node, ScalarNode):
        end = node.end_mark
        # a block scalar ends at the start of the line after it
        return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line
    if node.flow_style or not node.value:
        return node.end_mark.line
    last = node.value[-1]
    return _last_line(last[1] if isinstance(node, MappingNode) else last)


def _indent(item: MappingNode, lines: list[tuple[str, str]]) -> str:
    """The indentation of the record's keys, copied from a key that starts its line."""
    column = item.value[0][0].start_mark.column
    for k, _ in item.value:
        mark = k.start_mark
        prefix = lines[mark.line][0][:mark.column]
        if mark.line != item.start_mark.line and prefix.strip(" ") == "":
            return prefix
    return " " * column


def _yaml_lines(text: str) -> list[tuple[str, str]]:
    """(content, line break) of each line, the breaks being those libyaml counts."""
    out, pos = [], 0
    for m in YAML_BREAK.finditer(text):
        out.append((text[pos:m.start()], m.group()))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], ""))
    return out


def _apply(lines: list[tuple[str, str]], replace: dict[int, list], insert: dict[int, list[str]]
           ) -> str:
    """The text with ``replace`` (line -> [(start, end, new)]) made and ``insert``
    (line -> new lines after it) added, with the line break the file uses there."""
    eol = next((b for _, b in lines if b), "\n")
    out = []
    for i, (content, brk) in enumerate(lines):
        for start, end, new in sorted(replace.get(i, []), reverse=True):
            content = content[:start] + new + content[end:]
        added = insert.get(i)
        if not added:
            out.append(content + brk)
            continue
        # a last line without a break keeps the file without a final break
        out.append(content + (brk or eol))
        out += [a + (brk or eol) for a in added[:-1]] + [added[-1] + brk]
    return "".join(out)


def _verify_yaml(source: _Source, text: str, events: list[_Event], values: dict[str, str]):
    """Every record reads back as it was, but for the values written."""
    node, issue = yamlio.compose(text)
    before, _ = yamlio.to_records(source.node())
    after, _ = yamlio.to_records(node) if issue is None else ([], [])
    targets = {e.line for e in events}
    expected = [dict(_plain(r), **values) if r.line in targets else _plain(r) for r in before]
    if issue is not None or len(node.value) != len(source.node().value) or \
            [_plain(r) for r in after] != expected:
        raise _Unsafe(f"{source.rel} would not read back as it should after the edit",
                      "write checked_by and checked_on by hand, and report this")


def _plain(value):
    """A record's values as plain data (lines left out: they move)."""
    if isinstance(value, yamlio.Record):
        return {k: _plain(v) for k, v in value.values.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# --- CSV edits ---------------------------------------------------------------

CELL_END = re.compile(r"[,\n\r]")


@dataclass
class _Row:
    line: int
    #: (start, end) offsets of each cell's text, quotes included
    cells: list[tuple[int, int]]
    values: list[str]

    @property
    def blank(self) -> bool:
        return self.cells[0][0] == self.cells[-1][1]


def _edit_csv(source: _Source, events: list[_Event], values: dict[str, str], key: str) -> str:
    text = source.text
    rows = _csv_rows(text, source.rel)
    header = rows[0].values if rows else []
    missing = [name for name in (key, *values) if name not in header]
    if missing:
        raise _Unsafe(f"{source.rel} has no column {' or '.join(missing)}: sign-off writes "
                      "into cells, it does not add columns to every row",
                      f"add {', '.join(missing)} to its header and an empty cell for each to "
                      "every row (a spreadsheet does this), then run again")
    by_line = {r.line: r for r in rows[1:]}
    changes = []
    for event in events:
        row = by_line.get(event.line)
        if row is None or row.values[header.index(key)] != event.event_id:
            raise _Unsafe("the row is not where it was read",
                          "run geoevents validate, then sign off again")
        for name, value in values.items():
            start, end = row.cells[header.index(name)]
            quoted = text.startswith('"', start) and end > start
            changes.append((start, end, _csv_cell(value, quoted)))
    pieces, at = [], 0
    for start, end, new in sorted(changes):
        pieces += [text[at:start], new]
        at = end
    text = "".join([*pieces, text[at:]])
    targets = {e.line for e in events}
    expected = [_written(r.values, [header.index(n) for n in values], list(values.values()))
                if r.line in targets else r.values for r in rows]
    if [r.values for r in _csv_rows(text, source.rel)] != expected:
        raise _Unsafe(f"{source.rel} would not read back as it should after the edit",
                      "write checked_by and checked_on by hand, and report this")
    return text


def _written(values: list[str], columns: list[int], new: list[str]) -> list[str]:
    out = list(values)
    for column, value in zip(columns, new, strict=True):
        out[column] = value
    return out


def _csv_cell(value: str, quoted: bool) -> str:
    if quoted or any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _csv_rows(text: str, rel: str) -> list[_Row]:
    """The records of a CSV text (comma, double quotes doubled inside quoted values)
    with the line each starts on and where each cell stands; the csv module must
    read the same values, or the file is not edited."""
    rows, i, n, line = [], 0, len(text), 1
    while i < n:
        row = _Row(line, [], [])
        while True:
            start = i
            if text.startswith('"', i):
                i, value = _quoted(text, i + 1, rel)
            else:
                j = _cell_end(text, i, rel)
                value, i = text[i:j], j
            row.cells.append((start, i))
            row.values.append(value)
            if text.startswith(",", i):
                i += 1
                continue
            break
        line += text.count("\n", row.cells[0][0], i)
        i += 2 if text.startswith("\r\n", i) else 1 if text.startswith("\n", i) else 0
        line += 1
        if not row.blank:
            rows.append(row)
    try:
        same = [r.values for r in rows] == [
            r for r in csv.reader(io.StringIO(text, newline="")) if r]
    except csv.Error:
        same = False
    if not same:
        raise _Unsafe(f"{rel} cannot be edited cell by cell: its quoting is unusual",
                      "save it again as CSV UTF-8 (comma separated, double quotes), then "
                      "sign off again")
    return rows


def _quoted(text: str, i: int, rel: str) -> tuple[int, str]:
    """The end of a quoted cell whose text starts at ``i``, and its value."""
    parts = []
    while True:
        j = text.find('"', i)
        if j < 0:
            raise _Unsafe(f"{rel} has a quoted value that is never closed",
                          "close the quote (geoevents validate shows where), then run again")
        parts.append(text[i:j])
        if text.startswith('"', j + 1):
            parts.append('"')
            i = j + 2
            continue
        k = _cell_end(text, j + 1, rel)  # the csv module keeps text after the quote
        parts.append(text[j + 1:k])
        return k, "".join(parts)


def _cell_end(text: str, i: int, rel: str) -> int:
    m = CELL_END.search(text, i)
    end = m.start() if m else len(text)
    if text.startswith("\r", end) and not text.startswith("\r\n", end):
        raise _Unsafe(f"{rel} has a carriage return that ends no line",
                      "save it again with ordinary line ends, then sign off again")
    return end
