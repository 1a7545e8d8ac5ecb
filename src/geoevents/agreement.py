"""Agreement studies: how far an independent coding of a sample of events agrees with
the coding a release publishes.

A study is a YAML file in the project's ``studies/`` folder: what was coded and how
(``study``, ``date``, ``coder``, ``method``, ``sample``), the releases to compare with
besides the one being built (``compare``), and ``items``: one mapping per event of
the sample, its ``event_id`` and the fields coded without looking at the records.

For each comparison and each field (event type, modes, actors, recipients, date,
status) the build reports Krippendorff's alpha (the ``krippendorff`` package) for
two coders over the sampled events, the share of events on which both agree, and
every disagreement. Fields that hold a set (modes, actors, recipients) get two
alphas: nominal (the sets must be equal) and with the MASI distance (Passonneau
2006), which gives partial credit to sets that overlap. The event type, the status
and the date are nominal: a date agrees only when its EDTF string is the same.

An event the release has retired is compared through the record that replaced it
(``retired.replaced_by``). Modes of releases coded with PLOVER 1.3 (a single
``mode``) are read as a list of one, renamed as draft 2.0 renamed them.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl

#: the fields a study codes, and how they are compared
FIELDS = {"event_type": "nominal", "modes": "set", "actors": "set", "recipients": "set",
          "date": "nominal", "status": "nominal"}
ITEM_KEYS = {"event_id", *FIELDS, "contexts", "location", "item", "notes"}
STUDY_KEYS = {"study", "date", "coder", "method", "sample", "compare", "items", "notes"}
#: modes PLOVER DRAFT 2.0 renamed or merged (1.3 -> 2.0)
RENAMED_MODES = {"ban": "restrict", "assassinate": "targeted", "execute": "targeted",
                 "massacre": "targeted"}
#: the largest study a build reads (items, bytes)
MAX_ITEMS = 100_000
MAX_BYTES = 16 * 2**20


class StudyError(ValueError):
    """Problems of the project's studies: each (file, line, message, hint)."""

    def __init__(self, problems: list[tuple[str, int | None, str, str]]):
        self.problems = problems
        file, line, message, hint = problems[0]
        self.message, self.hint = _where(file, line, message), hint
        super().__init__(self.message)


def _where(file: str, line: int | None, message: str) -> str:
    return f"{file}, line {line}: {message}" if line else f"{file}: {message}"


@dataclass(frozen=True)
class Study:
    file: str  # relative to the project
    about: dict  # study, date, coder, method, sample, notes
    compare: tuple[str, ...]
    items: tuple[dict, ...]
    lines: tuple[int | None, ...] = ()  # of each item


#: the keys of a study that are one text each (shown in the README), and their limits
TEXT_KEYS = {"study": 200, "date": 40, "coder": 500, "method": 5000, "notes": 5000}


def read_studies(root: Path) -> list[Study]:
    """The studies of ``root/studies/*.yaml``, in file-name order (none: empty); every
    problem of every study raises one StudyError (files whose names start with a dot,
    such as editors' lock files, are left alone)."""
    folder = Path(root) / "studies"
    if not os.path.lexists(folder):
        return []
    if folder.is_symlink() or not folder.is_dir():
        raise StudyError([("studies", None, "is a symbolic link or not a folder: it is not read",
                           "keep the studies in a folder studies/ of the project")])
    out, problems = [], []
    for path in sorted(folder.iterdir()):
        rel = f"studies/{path.name}"
        if path.name.startswith("."):
            continue
        if path.name == "README.md":
            continue
        if path.suffix != ".yaml":
            problems.append((rel, None, "is not a study: a study is a file <name>.yaml",
                             "rename it <name>.yaml, or move it out of studies/"))
            continue
        study, found = _read(Path(root), path, rel)
        problems += found
        if study is not None:
            out.append(study)
    if problems:
        raise StudyError(problems)
    return out


def _read(root: Path, path: Path, rel: str) -> tuple[Study | None, list]:
    from geoevents import codebook as C
    from geoevents import safefile, yamlio

    if path.is_symlink():
        return None, [(rel, None, "is a symbolic link: a study is read from its own file",
                       "copy the study instead of linking it")]
    try:
        data = safefile.read_bytes(path, root, MAX_BYTES)
    except OSError as exc:
        return None, [(rel, None, f"cannot be read: {exc.strerror}",
                       "check the file's permissions")]
    if isinstance(data, safefile.Refused):
        return None, [(rel, None, data.message, "a study is a regular YAML file in studies/")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [(rel, None, "is not UTF-8", "save the study as UTF-8")]
    try:
        doc = C._parse(text, rel, trusted=False)
    except C.CodebookError as exc:
        message = str(exc).split(": ", 1)[1] if exc.line else str(exc)
        return None, [(rel, exc.line, message.replace("a codebook", "a study"),
                       ("a study is plain YAML: mappings, lists and quoted text, without "
                       "anchors, aliases or tags"))]
    node, _ = yamlio.compose(text)

    def line(*path) -> int | None:
        return yamlio.line_of(node, path) if node is not None else None

    return _study(rel, doc, line)


def _study(rel: str, doc, line=lambda *path: None) -> tuple[Study | None, list]:
    problems = []

    def bad(where: tuple, message: str, hint: str) -> None:
        problems.append((rel, line(*where), message, hint))

    if not isinstance(doc, dict):
        bad((), "a study is a mapping (study, method, compare, items)",
            "see docs/curating.md, section 5.5")
        return None, problems
    unknown = sorted(str(k) for k in doc if k not in STUDY_KEYS)
    if unknown:
        bad((), f"unknown key(s) {', '.join(unknown)}", f"a study has {', '.join(sorted(STUDY_KEYS))}")
    about = {}
    for key, limit in TEXT_KEYS.items():
        value = doc.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            bad((key,), f"{key} must be text", f'write it in quotes: {key}: "..."')
        elif len(value) > limit:
            bad((key,), f"{key} is {len(value):,} characters, more than {limit:,}",
                "say it in fewer words; details go into notes")
        else:
            about[key] = value
    sample = doc.get("sample")
    if sample is not None:
        if not isinstance(sample, dict) or not all(
                isinstance(k, str) and (isinstance(v, str) or type(v) is int)
                for k, v in sample.items()):
            bad(("sample",), "sample must be a mapping of names to text or whole numbers",
                'for example sample: {population: "1.1.2", events: 24, seed: 7}')
        else:
            about["sample"] = sample
    compare = doc.get("compare") or []
    if not isinstance(compare, list) or not all(isinstance(v, str) for v in compare):
        bad(("compare",), "compare must be a list of release versions (quoted)",
            'for example compare: ["1.1.2"]')
        compare = []
    elif len(set(compare)) < len(compare):
        bad(("compare",), "compare names a version twice", "name each version once")
    items = doc.get("items")
    if not isinstance(items, list) or not items:
        bad(("items",), "items must be a non-empty list of coded events",
            "one mapping per sampled event, with event_id and the coded fields")
        return None, problems
    if len(items) > MAX_ITEMS:
        bad(("items",), f"{len(items):,} items, more than {MAX_ITEMS:,}", "split the study")
        return None, problems
    seen: set[str] = set()
    clean, lines = [], []
    for n, item in enumerate(items):
        at = ("items", n)
        if not isinstance(item, dict):
            bad(at, f"item {n + 1} is not a mapping", "write event_id: and the coded fields")
            continue
        unknown = sorted(str(k) for k in item if k not in ITEM_KEYS)
        if unknown:
            bad(at, f"item {n + 1}: unknown key(s) {', '.join(unknown)}",
                f"an item has {', '.join(sorted(ITEM_KEYS))}")
        event_id = item.get("event_id")
        if not isinstance(event_id, str) or not event_id.strip():
            bad(at + ("event_id",) if "event_id" in item else at,
                f"item {n + 1}: event_id must be the text of an event ID",
                "name the sampled event: event_id: 2019-04-25-...")
            continue
        if event_id in seen:
            bad(at, f"item {n + 1}: {event_id} is sampled twice", "code each event once")
        seen.add(event_id)
        coded, ok = {"event_id": event_id}, True
        for name, kind in FIELDS.items():
            value = item.get(name)
            where = at + (name,) if name in item else at
            if kind == "set":
                value = [] if value is None else value
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    bad(where, f"item {n + 1} ({event_id}): {name} must be a list of text",
                        f"for example {name}: [] or {name}: [a, b]")
                    ok = False
                elif len(set(value)) < len(value):
                    bad(where, f"item {n + 1} ({event_id}): {name} names a value twice",
                        "name each value once")
                    ok = False
                else:
                    coded[name] = tuple(sorted(value))
            elif not isinstance(value, str) or not value.strip():
                bad(where, f"item {n + 1} ({event_id}): {name} must be text",
                    'quote it (dates too: date: "2019-04-25")' if name == "date"
                    else f"write the coded {name}")
                ok = False
            else:
                coded[name] = value.strip()
        if ok:
            clean.append(coded)
            lines.append(line(*at))
    if problems:
        return None, problems
    return Study(rel, about, tuple(compare), tuple(clean), tuple(lines)), problems


def check(studies: list[Study], codebook, events: pl.DataFrame, retired: pl.DataFrame,
          actors: pl.DataFrame, published: list[str]) -> list[tuple]:
    """What a study says that the project does not know: events neither released nor
    retired, values outside the codebook's vocabularies, dates that are not EDTF,
    actors not in the actors table, versions not published."""
    from geoevents.normalise import derive

    table = codebook.tables["events"]
    allowed = {name: set(codebook.vocabulary(table.field(name)) or ())
               for name in ("event_type", "modes", "status") if table.field(name)}
    known = set(events.get_column("event_id").to_list())
    gone = set(retired.filter(pl.col("table") == "events").get_column("retired_id").to_list()) \
        if retired.height else set()
    actor_ids = set(actors.get_column("actor_id").to_list()) if actors.height else set()
    problems = []
    for study in studies:
        for version in study.compare:
            if version not in published:
                problems.append((study.file, None, (f"compare names {version}, which is not "
                                 "published here"), "name a release listed in dataset/index.json"))
        dates = pl.DataFrame({"date": [i["date"] for i in study.items]}, schema={"date": pl.String})
        errors = derive(dates, "date").get_column("_date_error").to_list()
        for n, (item, line, error) in enumerate(zip(study.items, study.lines, errors,
                                                    strict=True)):
            label = f"item {n + 1} ({item['event_id']})"
            if item["event_id"] not in known and item["event_id"] not in gone:
                problems.append((study.file, line, (f"{label}: no such event in the release "
                                 "or among the retired"), "check the event ID"))
            for name, values in allowed.items():
                given = item[name] if isinstance(item[name], tuple) else (item[name],)
                for value in given:
                    if values and value not in values:
                        problems.append((study.file, line, (f"{label}: {name} {value!r} is not "
                                         "in the codebook"), (f"use a value of the events "
                                         f"table's {name} (schemas/)")))
            for name in ("actors", "recipients"):
                for value in item[name]:
                    if value not in actor_ids:
                        problems.append((study.file, line, (f"{label}: {name} names "
                                         f"{value!r}, which is not in the actors table"),
                                         "use an actor_id of annotations/actors.*"))
            if error is not None:
                problems.append((study.file, line, (f"{label}: date {item['date']!r} is not an "
                                 "EDTF date of levels 0-1 (or not a day of the calendar)"),
                                 "write 2019-04-25, 2023-09, 2023-09-04/2023-09-05 or 2023?"))
    return problems


def coding(events: pl.DataFrame) -> dict[str, dict]:
    """What a release's events table codes, per event, in the fields a study codes."""
    modes = "modes" if "modes" in events.columns else "mode"
    out = {}
    for row in events.iter_rows(named=True):
        value = row[modes]
        listed = value if isinstance(value, list) else ([value] if value else [])
        out[row["event_id"]] = {
            "event_type": row["event_type"],
            "modes": tuple(sorted({RENAMED_MODES.get(m, m) for m in listed})),
            "actors": tuple(sorted(set(row.get("actor_ids") or []))),
            "recipients": tuple(sorted(set(row.get("recipient_ids") or []))),
            "date": row["date"],
            "status": row["status"],
        }
    return out


def compare(study: Study, coded: dict[str, dict], replaced_by: dict[str, str],
            against: str) -> dict:
    """Agreement of ``study`` with ``coded`` (a release's coding), field by field."""
    pairs, missing = [], []
    for item in study.items:
        event_id, seen = item["event_id"], set()
        while event_id not in coded and event_id in replaced_by and event_id not in seen:
            seen.add(event_id)
            event_id = replaced_by[event_id]
        if event_id in coded:
            pairs.append((item, event_id, coded[event_id]))
        else:
            missing.append(item["event_id"])
    fields = {}
    for name, kind in FIELDS.items():
        blind = [item[name] for item, _, _ in pairs]
        release = [record[name] for _, _, record in pairs]
        entry = {
            "level": "nominal" if kind == "nominal" else "nominal (equal sets); MASI",
            "alpha": _alpha(blind, release, "nominal"),
            "agreement": _share(sum(a == b for a, b in zip(blind, release, strict=True)),
                                len(pairs)),
        }
        if kind == "set":
            entry["alpha_masi"] = _alpha(blind, release, "masi")
        entry["disagreements"] = [
            {"event_id": item["event_id"],
             **({"compared_with": event_id} if event_id != item["event_id"] else {}),
             "blind": _shown(item[name]), "release": _shown(record[name])}
            for item, event_id, record in pairs if item[name] != record[name]]
        fields[name] = entry
    return {"against": against, "units": len(pairs), "not_found": missing, "fields": fields}


def _shown(value):
    return list(value) if isinstance(value, tuple) else value


def _share(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def _alpha(blind: list, release: list, level: str) -> float | None:
    """Krippendorff's alpha of two coders over the units; None when it is undefined
    (fewer than two units, or every value the same: no disagreement to expect)."""
    import krippendorff
    import numpy as np

    values = sorted({*blind, *release}, key=repr)
    if len(blind) < 2 or len(values) < 2:
        return None
    index = {v: i for i, v in enumerate(values)}
    data = np.array([[index[v] for v in blind], [index[v] for v in release]], dtype=float)
    if level == "nominal":
        alpha = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal",
                                   value_domain=list(range(len(values))))
    else:
        sets = [frozenset(v) for v in values]

        def masi(v1, v2, i1, i2, n_v, dtype=np.float64):
            out = np.vectorize(lambda a, b: _masi(sets[int(a)], sets[int(b)]))(v1, v2)
            return out.astype(dtype)

        alpha = krippendorff.alpha(reliability_data=data, level_of_measurement=masi,
                                   value_domain=list(range(len(values))))
    alpha = float(alpha)
    return None if math.isnan(alpha) else round(alpha, 4)


def _masi(a: frozenset, b: frozenset) -> float:
    """MASI distance (Passonneau 2006): 1 - Jaccard x monotonicity."""
    if a == b:
        return 0.0
    union = a | b
    jaccard = len(a & b) / len(union)
    m = 2 / 3 if (a <= b or b <= a) else (1 / 3 if a & b else 0.0)
    return 1.0 - jaccard * m


def report(studies: list[Study], version: str, events: pl.DataFrame,
           retired: pl.DataFrame, release_events) -> dict | None:
    """agreement.json of the release ``version`` (``events``): each study against it
    and against the releases it names (``release_events(version)`` reads one)."""
    if not studies:
        return None
    replaced = {r["retired_id"]: r["replaced_by"]
                for r in retired.filter(pl.col("table") == "events").iter_rows(named=True)
                if r.get("replaced_by")}
    from importlib.metadata import version as installed

    import krippendorff  # noqa: F401  (the version is part of the method)

    out = []
    for study in studies:
        comparisons = []
        for other in study.compare:  # published: check() refuses the others
            comparisons.append(compare(study, coding(release_events(other)), replaced, other))
        comparisons.append(compare(study, coding(events), replaced, version))
        out.append({"file": study.file, **study.about, "items": len(study.items),
                    "comparisons": comparisons})
    return {"statistic": "Krippendorff's alpha for two coders, per field",
            "package": f"krippendorff {installed('krippendorff')}",
            "fields": dict(FIELDS), "studies": out}


def inline(text: str) -> str:
    """``text`` as a run of Markdown text on one line: its breaks folded, and the
    characters that would open HTML written as entities."""
    return (" ".join(str(text).split()).replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def readme_lines(doc: dict | None) -> list[str]:
    """The release README's section on agreement (empty without a study). Every value
    a study gives follows fixed words, so none can start a heading, a rule or a table."""
    if not doc:
        return []
    lines = ["## Agreement", "",
             "An independent coding of a sample of events, compared field by field with the",
             f"released coding ({doc['statistic']}; {doc['package']}); `agreement.json` has",
             "the figures and every disagreement.", ""]
    for s in doc["studies"]:
        events = f"{s['items']} event" + ("" if s["items"] == 1 else "s")
        lines += [f"### Study {inline(s.get('study') or s['file'])} ({events})", ""]
        if s.get("method"):
            lines += [f"Method: {inline(s['method'])}", ""]
        if s.get("notes"):
            lines += [f"Notes: {inline(s['notes'])}", ""]
        versions = [c["against"] for c in s["comparisons"]]
        lines += ["| field | " + " | ".join(f"alpha vs {v} | agree vs {v}" for v in versions)
                  + " |", "| --- |" + " ---: | ---: |" * len(versions)]
        for name in FIELDS:
            cells = []
            for c in s["comparisons"]:
                f = c["fields"][name]
                alpha = "n/a" if f["alpha"] is None else f"{f['alpha']:.2f}"
                if "alpha_masi" in f and f["alpha_masi"] is not None:
                    alpha += f" (MASI {f['alpha_masi']:.2f})"
                agree = "n/a" if f["agreement"] is None else f"{f['agreement']:.0%}"
                cells += [alpha, agree]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        missing = sorted({e for c in s["comparisons"] for e in c["not_found"]})
        if missing:
            lines += ["", f"Not in every release compared: {', '.join(missing)}."]
        lines.append("")
    return lines
