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
    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True)
class Study:
    file: str  # relative to the project
    name: str
    about: dict  # study, date, coder, method, sample, notes
    compare: tuple[str, ...]
    items: tuple[dict, ...]


def read_studies(root: Path) -> list[Study]:
    """The studies of ``root/studies/*.yaml``, in file-name order (none: empty)."""
    from geoevents import codebook as C
    from geoevents import safefile

    folder = Path(root) / "studies"
    if not folder.is_dir() or folder.is_symlink():
        return []
    out = []
    for path in sorted(folder.glob("*.yaml")):
        rel = f"studies/{path.name}"
        try:
            data = safefile.read_bytes(path, Path(root), MAX_BYTES)
        except OSError as exc:
            raise StudyError(f"{rel} cannot be read: {exc.strerror}",
                             "check the file's permissions") from None
        if isinstance(data, safefile.Refused):
            raise StudyError(f"{rel} {data.message}", "a study is a YAML file in studies/")
        try:
            doc = C._parse(data.decode("utf-8"), rel, trusted=False)
        except UnicodeDecodeError:
            raise StudyError(f"{rel}: not UTF-8", "save the study as UTF-8") from None
        except C.CodebookError as exc:
            at = f" (line {exc.line})" if getattr(exc, "line", None) else ""
            raise StudyError(f"{rel}{at}: {exc.message}", exc.hint) from None
        out.append(_study(rel, doc))
    return out



def _study(rel: str, doc) -> Study:
    if not isinstance(doc, dict):
        raise StudyError(f"{rel}: a study is a mapping (study, method, compare, items)",
                         "see the header of geoevents/agreement.py or docs/curating.md")
    unknown = sorted(set(doc) - STUDY_KEYS)
    if unknown:
        raise StudyError(f"{rel}: unknown key(s) {', '.join(map(str, unknown))}",
                         f"a study has {', '.join(sorted(STUDY_KEYS))}")
    items = doc.get("items")
    if not isinstance(items, list) or not items:
        raise StudyError(f"{rel}: items must be a non-empty list of coded events",
                         "one mapping per sampled event, with event_id and the coded fields")
    if len(items) > MAX_ITEMS:
        raise StudyError(f"{rel}: {len(items)} items, more than {MAX_ITEMS}",
                         "split the study")
    compare = doc.get("compare") or []
    if not isinstance(compare, list) or not all(isinstance(v, str) for v in compare):
        raise StudyError(f"{rel}: compare must be a list of release versions (quoted)",
                         'for example compare: ["1.1.2"]')
    seen: set[str] = set()
    clean = []
    for n, item in enumerate(items, 1):
        where = f"{rel}: item {n}"
        if not isinstance(item, dict):
            raise StudyError(f"{where} is not a mapping", "write event_id: and the coded fields")
        bad = sorted(set(map(str, item)) - ITEM_KEYS)
        if bad:
            raise StudyError(f"{where}: unknown key(s) {', '.join(bad)}",
                             f"an item has {', '.join(sorted(ITEM_KEYS))}")
        event_id = item.get("event_id")
        if not isinstance(event_id, str) or not event_id:
            raise StudyError(f"{where}: event_id is missing", "name the sampled event")
        if event_id in seen:
            raise StudyError(f"{where}: {event_id} is sampled twice", "code each event once")
        seen.add(event_id)
        coded = {"event_id": event_id}
        for name, kind in FIELDS.items():
            value = item.get(name)
            if kind == "set":
                if value is None:
                    value = []
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise StudyError(f"{where} ({event_id}): {name} must be a list of text",
                                     f"for example {name}: [] or {name}: [a, b]")
                coded[name] = tuple(sorted(set(value)))
            else:
                if not isinstance(value, str) or not value.strip():
                    raise StudyError(f"{where} ({event_id}): {name} must be text",
                                     "quote dates: date: \"2019-04-25\"")
                coded[name] = value.strip()
        clean.append(coded)
    about = {k: doc[k] for k in ("study", "date", "coder", "method", "sample", "notes")
             if doc.get(k) is not None}
    name = str(doc.get("study") or Path(rel).stem)
    return Study(rel, name, about, tuple(compare), tuple(clean))


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
    import numpy as np
    import krippendorff

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


def report(root: Path, studies: list[Study], version: str, events: pl.DataFrame,
           retired: pl.DataFrame, release_events) -> dict | None:
    """agreement.json of the release ``version`` (``events``): each study against it
    and against the releases it names (``release_events(version)`` reads one)."""
    if not studies:
        return None
    replaced = {r["retired_id"]: r["replaced_by"]
                for r in retired.filter(pl.col("table") == "events").iter_rows(named=True)
                if r.get("replaced_by")}
    import krippendorff  # noqa: F401  (the version is part of the method)
    from importlib.metadata import version as installed

    out = []
    for study in studies:
        comparisons = []
        for other in study.compare:
            frame = release_events(other)
            if frame is None:
                raise StudyError(f"{study.file}: compare names {other}, which is not "
                                 "published here", "name a release listed in dataset/index.json")
            comparisons.append(compare(study, coding(frame), replaced, other))
        comparisons.append(compare(study, coding(events), replaced, version))
        out.append({"file": study.file, **study.about, "items": len(study.items),
                    "comparisons": comparisons})
    return {"statistic": "Krippendorff's alpha for two coders, per field",
            "package": f"krippendorff {installed('krippendorff')}",
            "fields": dict(FIELDS), "studies": out}


def readme_lines(doc: dict | None) -> list[str]:
    """The release README's section on agreement (empty without a study)."""
    if not doc:
        return []
    lines = ["## Agreement", "",
             "An independent coding of a sample of events, compared field by field with the",
             f"released coding ({doc['statistic']}; {doc['package']}); `agreement.json` has",
             "the figures and every disagreement.", ""]
    for s in doc["studies"]:
        head = " ".join(str(s.get("study") or s["file"]).split())
        lines += [f"### {head} ({s['items']} events)", ""]
        if s.get("method"):
            lines += [" ".join(str(s["method"]).split()), ""]
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
        lines.append("")
    return lines
