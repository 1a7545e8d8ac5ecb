"""The build stage: validated annotations become a versioned, cited, checksummed release.

``build(root, version)`` takes the build lock, finishes or stops at what an
interrupted build left, verifies every published release against
``dataset/index.json``, validates, derives the release tables, writes every file
into a temporary folder inside ``dataset/`` and commits it through the index
(see ``release.index`` for the order of steps). A build killed at any moment
leaves either no release or one the next build finishes; a release folder that
differs from its index entry stops every build. The same inputs give
byte-identical files: nothing depends on the clock (the release date is the
CHANGELOG's).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from geoevents import loading
from geoevents.errors import (
    EXIT_ENVIRONMENT,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    EnvironmentFailure,
    ProblemsFound,
    TamperedRelease,
    from_os_error,
)
from geoevents.pages import explorer
from geoevents.release import changelog, index, metadata, quality, timeline
from geoevents.release import changes as C
from geoevents.release.tables import release_tables

#: a test hook: the build kills itself with SIGKILL when it reaches this stage, so
#: that tests reach every stage of a crash without depending on the machine's speed
KILL_AT = "GEOEVENTS_TEST_KILL_AT"
STAGES = ("locked", "validated", "written", "journaled", "renamed", "indexed")
#: seconds a build waits for another build of the same dataset/ to finish
LOCK_TIMEOUT = "GEOEVENTS_LOCK_TIMEOUT"
#: the files every release has (a journal naming fewer is not a build's): its
#: metadata and the events table (every codebook publishes events)
RELEASE_FILES = {"events.csv", "events.parquet", "datapackage.json", "CITATION.cff",
                 "SHA256SUMS", "changes.json"}


class ReleaseError(ProblemsFound):
    """A release that may not be built, with what to do about it (exit 1, or ``exit_code``)."""

    def __init__(self, message: str, hint: str = "", problems: pl.DataFrame | None = None,
                 exit_code: int = EXIT_PROBLEMS):
        super().__init__(message, hint)
        self.problems, self.exit_code = problems, exit_code


@dataclass
class Built:
    version: str
    path: Path
    previous: str | None
    changes: dict = field(default_factory=dict)
    #: what the build did besides building (an interrupted build finished, leftovers removed)
    notes: list[str] = field(default_factory=list)
    #: True when this version was not built now but finished from an interrupted build
    finished: bool = False


def dataset_dir(root: Path) -> Path:
    return Path(root) / "dataset"


def published(root: Path) -> list[str]:
    """Versions the index lists, oldest first: a version is published when the index lists it."""
    doc = index.read(dataset_dir(root))
    return sorted(index.versions(doc), key=C.parse_version)


def read_release(folder: Path, files=None) -> dict[str, pl.DataFrame]:
    """The tables of a release folder; ``files`` (its index entry's) says which."""
    if files is None:
        files = [p.name for p in folder.iterdir() if p.is_file()]
    return {name: pl.read_parquet(folder / f"{name}.parquet") for name in loading.table_names(files)}


def release_keys(root: Path, version: str) -> dict[str, list[str]]:
    """Each table's primary key as the release's own datapackage.json states it."""
    import json

    try:
        doc = json.loads((dataset_dir(root) / version / "datapackage.json").read_text("utf-8"))
        return {r["name"]: list(r["schema"].get("primaryKey") or []) for r in doc["resources"]
                if "schema" in r}  # a table's; a page, a report or an export has none
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def read_verified(root: Path, version: str) -> dict[str, pl.DataFrame]:
    """The tables of a published release, after checking its folder against the index."""
    dataset = dataset_dir(root)
    doc = index.read(dataset)
    entry = index.entry(doc, version)
    if entry is None:
        known = ", ".join(published(root)) or "none"
        raise ReleaseError(f"no release {version} in {dataset}; published: {known}",
                           exit_code=EXIT_USAGE)
    index.verify_all(dataset, {"versions": [entry]})
    return read_release(dataset / version, entry["files"])


def build(root: Path | str, version: str, docs: Path | None = None,
          out: Path | None = None, previous: str | None = "latest") -> Built:
    """Build release ``version``; ``out`` writes elsewhere (for --check) and skips the index."""
    root = Path(root)
    check_version(version)
    _check_project(root)
    if out is not None:
        return _build(root, version, docs, Path(out), previous, None)
    _check_docs(root, docs)
    dataset = _dataset_folder(root, create=True)
    with _lock(dataset):
        _stage("locked")
        notes, finished = recover(dataset)
        doc = index.read(dataset)
        index.verify_all(dataset, doc)
        doc = _with_sizes(dataset, doc)
        if finished == version:
            return Built(version, dataset / version, None, {}, notes, finished=True)
        refused = _not_new(index.versions(doc), version)
        if refused:
            raise ReleaseError(refused[0].message, refused[0].hint,
                               exit_code=refused[0].exit_code)
        built = _build(root, version, docs, dataset / version, previous, doc)
        built.notes = notes + built.notes
        return built


def _check_project(root: Path) -> None:
    from geoevents.check import require_project

    require_project(root)


def _dataset_folder(root: Path, create: bool = False) -> Path:
    """dataset/ of the project: a folder of its own, never a link to somewhere else."""
    dataset = dataset_dir(root)
    if dataset.is_symlink() or (os.path.lexists(dataset) and not dataset.is_dir()):
        what = "a symbolic link" if dataset.is_symlink() else "not a folder"
        raise EnvironmentFailure(f"{dataset} is {what}: releases live in a folder of the project",
                                 f"move {dataset} away and restore dataset/ from version control")
    if create:
        try:
            dataset.mkdir(exist_ok=True)
        except OSError as exc:
            raise from_os_error(exc, "create the dataset folder") from None
    return dataset


def check_version(version: str) -> None:
    try:
        C.parse_version(version)
    except ValueError as exc:
        raise ReleaseError(str(exc), "versions are SemVer: MAJOR.MINOR.PATCH in ASCII digits",
                           exit_code=EXIT_USAGE) from None


def _check_docs(root: Path, docs: Path | None) -> None:
    """Data Docs go anywhere but into dataset/, where only releases live."""
    if docs is None:
        return
    target, project = Path(docs).resolve(), root.resolve()
    for name in ("dataset", "seeds", "annotations", "schemas"):
        if target.is_relative_to(project / name):
            raise ReleaseError(f"--docs {docs} is inside {name}/, which holds the project's "
                               f"{'releases' if name == 'dataset' else 'inputs'}: only releases "
                               "live in dataset/, only inputs in the others",
                               "write the Data Docs to a folder of their own, like docs/",
                               exit_code=EXIT_USAGE)
    if target == project or (target.exists() and not target.is_dir()):
        raise ReleaseError(f"--docs {docs} is the project itself or a file, not a folder of "
                           "its own", "give a new folder, like docs/", exit_code=EXIT_USAGE)
    if target.is_dir() and any(target.iterdir()) and not (target / "index.html").is_file():
        raise ReleaseError(f"--docs {docs} holds other files; Data Docs are not written over them",
                           "give a new or empty folder, or one that holds earlier Data Docs",
                           exit_code=EXIT_USAGE)


def _stage(name: str) -> None:
    if os.environ.get(KILL_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)


@contextlib.contextmanager
def _lock(dataset: Path):
    """One build at a time per dataset/: a second one waits, then refuses cleanly."""
    from filelock import FileLock, Timeout

    timeout = _lock_timeout()
    lock = FileLock(str(dataset / index.LOCK), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise EnvironmentFailure(
            f"another build holds {dataset / index.LOCK} (waited {timeout:g} s)",
            f"wait for it to finish and run again (or set {LOCK_TIMEOUT} to wait longer)",
        ) from None
    except OSError as exc:
        raise from_os_error(exc, "take the build lock") from None
    try:
        yield
    finally:
        lock.release()


def _lock_timeout() -> float:
    text = os.environ.get(LOCK_TIMEOUT, "300")
    try:
        timeout = float(text)
    except ValueError:
        timeout = float("nan")
    if not 0 <= timeout <= 86400:  # also refuses nan and inf (filelock waits forever)
        raise ReleaseError(f"{LOCK_TIMEOUT}={text[:40]!r} is not a number of seconds from 0 "
                           "to 86400", f"unset {LOCK_TIMEOUT} or give it seconds, like 60",
                           exit_code=EXIT_USAGE)
    return timeout


def recover(dataset: Path) -> tuple[list[str], str | None]:
    """Finish or clean what interrupted builds left: notes on what was done, and the
    version finished from a journal (if any).

    Called with the build lock held, so no other build's temporary folder is removed.
    """
    notes, finished = [], None
    for tmp in sorted(dataset.glob(".tmp-*")) + sorted(dataset.glob(".*.json.*.tmp")):
        _remove(tmp)
        notes.append(f"removed {tmp.name}, left by an interrupted build")
    doc = index.read(dataset)
    journal = _journal(dataset)
    if journal is not None and _finish(dataset, doc, journal):
        finished = journal["version"]
        notes.append(f"finished dataset/{finished} (an interrupted build had written it but "
                     "not yet listed it in index.json); 'geoevents build --check' compares it "
                     "with the annotations")
    _refuse_unlisted(dataset, index.read(dataset))
    return notes, finished


def _remove(path: Path) -> None:
    """Remove a leftover: a folder with what it holds, a file or a link (never followed)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _journal(dataset: Path) -> dict | None:
    try:
        journal = index.read_journal(dataset)
    except index.CorruptIndex:
        journal = None  # a journal cut short: the build never renamed its folder
    if journal is None:
        index.drop_journal(dataset)
    return journal


def _finish(dataset: Path, doc: dict, journal: dict) -> bool:
    """List the journal's folder in the index if an interrupted build left it whole."""
    version = journal["version"]
    folder = dataset / version
    if version in index.versions(doc) or not folder.exists():
        index.drop_journal(dataset)  # the build had committed, or never renamed its folder
        return False
    if not _could_be_ours(doc, journal) or index.differences(folder, journal):
        return False  # not what a build left: _refuse_unlisted stops the build
    entry = {key: journal[key] for key in ("version", "date", "files", "bytes") if key in journal}
    doc["versions"] = sorted(doc["versions"] + [entry],
                             key=lambda e: C.parse_version(e["version"]))
    index.write(dataset, doc)
    index.drop_journal(dataset)
    return True


def _could_be_ours(doc: dict, journal: dict) -> bool:
    """A build journals only a version above every listed one, with a whole release."""
    listed = [C.parse_version(v) for v in index.versions(doc)]
    newer = not listed or C.parse_version(journal["version"]) > max(listed)
    return newer and RELEASE_FILES <= set(journal["files"])


def _refuse_unlisted(dataset: Path, doc: dict) -> None:
    listed = set(index.versions(doc))
    unlisted = sorted(p.name for p in dataset.iterdir()
                      if p.is_dir() and not p.name.startswith(".") and p.name not in listed)
    if unlisted:
        raise TamperedRelease(
            f"dataset/{unlisted[0]} is not listed in index.json and no interrupted build "
            "explains it: a version is published only through the index",
            f"move dataset/{unlisted[0]}/ out of dataset/ (or restore index.json from version "
            "control), then build again",
        )


def _with_sizes(dataset: Path, doc: dict) -> dict:
    """Entries of older indexes lack file sizes: add them, once their hashes are verified."""
    missing = [e for e in doc["versions"] if set(e.get("bytes", {})) != set(e["files"])]
    if not missing:
        return doc
    for e in missing:
        folder = dataset / e["version"]
        e["bytes"] = {name: (folder / name).stat().st_size for name in sorted(e["files"])}
    index.write(dataset, doc)
    return doc


@dataclass
class Refusal:
    """One reason a release may not be built, with what to do about it."""

    message: str
    hint: str = ""
    problems: pl.DataFrame | None = None
    exit_code: int = EXIT_PROBLEMS
    #: what it is about: version, changelog, data (validation), change, quality, releases
    kind: str = "data"


@dataclass
class Survey:
    """The published releases as the next build will find them, read without writing:
    the versions listed, one an interrupted build left whole (it is published first),
    their dates, and what would stop a build (an unlisted folder)."""

    listed: list[str] = field(default_factory=list)
    pending: str | None = None
    dates: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def known(self) -> list[str]:
        """Listed and pending versions, oldest first."""
        return sorted(self.listed + ([self.pending] if self.pending else []),
                      key=C.parse_version)


def survey(root: Path) -> Survey:
    """What dataset/ holds, verified against the index, without changing anything."""
    dataset = _dataset_folder(root)
    if not dataset.is_dir():
        return Survey()
    doc = index.read(dataset)
    index.verify_all(dataset, doc)
    out = Survey(listed=list(index.versions(doc)),
                 dates={e["version"]: e.get("date") for e in doc["versions"]})
    try:
        journal = index.read_journal(dataset)
    except index.CorruptIndex:
        journal = None
    if journal is not None and journal["version"] not in out.listed \
            and (dataset / journal["version"]).is_dir() and _could_be_ours(doc, journal) \
            and not index.differences(dataset / journal["version"], journal):
        out.pending = journal["version"]
        out.dates[out.pending] = journal.get("date")
        out.notes.append(f"dataset/{out.pending} was written by an interrupted build: the next "
                         "build publishes it first, as it stands (not from the annotations as "
                         "they are now)")
    if list(dataset.glob(".tmp-*")) or list(dataset.glob(".*.json.*.tmp")):
        out.notes.append("an interrupted build left temporary files in dataset/: the next build "
                         "removes them first")
    unlisted = sorted(p.name for p in dataset.iterdir() if p.is_dir()
                      and not p.name.startswith(".") and p.name not in out.known)
    if unlisted:
        out.refusals.append(Refusal(
            f"dataset/{unlisted[0]} is not listed in index.json and no interrupted build "
            "explains it: a version is published only through the index",
            f"move dataset/{unlisted[0]}/ out of dataset/ (or restore index.json from version "
            "control), then build again", exit_code=EXIT_ENVIRONMENT, kind="releases"))
    return out


@dataclass
class Plan:
    """What building ``version`` would do: every refusal, and the change list.

    ``changes`` is None while the annotations have errors (nothing can be derived
    from them); ``tables`` are the release tables the build would write."""

    version: str | None
    previous: str | None
    result: object  # check.Result
    date: str | None = None
    tables: dict[str, pl.DataFrame] | None = None
    changes: dict | None = None
    refusals: list[Refusal] = field(default_factory=list)
    #: agreement.json: the project's agreement studies against this release (None: none)
    agreement: dict | None = None

    @property
    def least(self) -> str | None:
        """The smallest version the change allows."""
        if self.changes is None:
            return None
        return C.least_version(self.previous, self.changes["required_bump"])

    def error(self) -> ReleaseError:
        """Every refusal as one error (a single one keeps its own words and exit code)."""
        if len(self.refusals) == 1:
            r = self.refusals[0]
            return ReleaseError(r.message, r.hint, r.problems, r.exit_code)
        lines = [f"{self.version} cannot be released, for {len(self.refusals)} reasons:"]
        for r in self.refusals:
            lines.append(f"  - {r.message}")
            if r.hint:
                lines.append(f"    hint: {r.hint}")
        found = [r.problems for r in self.refusals if r.problems is not None]
        return ReleaseError("\n".join(lines), "", pl.concat(found) if found else None,
                            max(r.exit_code for r in self.refusals))


def plan(root: Path | str, version: str | None = None, previous: str | None = "latest",
         found: Survey | None = None, quality_suite: bool = False) -> Plan:
    """Everything a build of ``version`` checks, without writing anything.

    With no ``version``, the plan is the change list of the working annotations
    against the latest release and the least version it needs. ``found`` (the
    releases as ``survey`` finds them) adds the refusals of a version already
    published or not greater and of an unlisted folder; ``quality_suite`` runs the
    data-quality suite the build runs."""
    from geoevents import check

    root = Path(root)
    refusals: list[Refusal] = []
    known = found.known if found is not None else published(root)
    dates = found.dates if found is not None else _dates(root)
    prev = _previous(previous, known)
    date = None
    if found is not None:
        refusals += found.refusals
        if version is not None:
            refusals += _not_new(known, version)
    if version is not None:
        try:
            date = changelog.release_date(root, version).isoformat()
        except changelog.ChangelogError as exc:
            refusals.append(Refusal(str(exc), exc.hint, kind="changelog"))
        refusals += _date_refusal(version, date, prev, dates.get(prev))
    result = check.run(root)
    unfit = _problems_refusal(result)
    refusals += unfit
    out = Plan(version, prev, result, date, refusals=refusals)
    if result.errors.height:
        return out  # nothing can be derived from annotations with errors
    texts = _source_texts(root, result.tables["sources"])
    out.tables = release_tables(result.tables, result.codebook, texts)
    out.changes = _changes(root, prev, version, out.tables, result.codebook)
    # a version already refused (published, not greater) is not also an understated one
    judged = None if any(r.kind == "version" for r in refusals) else version
    refusals += _change_refusals(out.changes, result.tables["retired"], judged)
    _agreement(root, out, version)
    if quality_suite and not unfit:  # the suite would only repeat validate's findings
        refusals += _quality_refusal(root, out)
    return out


def _agreement(root: Path, out: Plan, version: str | None) -> None:
    """agreement.json: the studies validate read (studies/*.yaml) against the release
    to be built and the published releases they name."""
    from geoevents import agreement

    def published_events(v: str) -> pl.DataFrame:
        return pl.read_parquet(dataset_dir(root) / v / "events.parquet")

    out.agreement = agreement.report(list(out.result.studies),
                                     version or "the working annotations",
                                     out.tables["events"], out.result.tables["retired"],
                                     published_events)


def _dates(root: Path) -> dict[str, str]:
    doc = index.read(dataset_dir(root))
    return {e["version"]: e.get("date") for e in doc["versions"]}


def _date_refusal(version: str, date: str | None, prev: str | None,
                  prev_date: str | None) -> list[Refusal]:
    if date is None or prev is None or prev_date is None or date >= prev_date:
        return []
    return [Refusal(f"CHANGELOG.md dates {version} {date}, before {prev} ({prev_date})",
                    "a release is dated on or after the release before it: correct the date "
                    "of its section", kind="changelog")]


def _not_new(listed: list[str], version: str) -> list[Refusal]:
    """A version already published, or not greater than the latest: releases only move
    forward and are never overwritten."""
    listed = sorted(listed, key=C.parse_version)
    if version in listed:
        return [Refusal(f"dataset/{version} is already published and is never overwritten",
                        "choose the next version (see CHANGELOG.md)", exit_code=EXIT_USAGE,
                        kind="version")]
    if listed and C.parse_version(version) <= C.parse_version(listed[-1]):
        return [Refusal(f"{version} is not greater than the previous release {listed[-1]}",
                        "releases only move forward: choose a higher version",
                        exit_code=EXIT_USAGE, kind="version")]
    return []


def _build(root: Path, version: str, docs: Path | None, target: Path, previous: str | None,
           doc: dict | None) -> Built:
    """Validate, derive and write; with ``doc`` (the index), commit through it."""
    p = plan(root, version, previous)
    if p.refusals:
        raise p.error()
    _stage("validated")
    result, tables, prev, diff = p.result, p.tables, p.previous, p.changes
    counts = _previous_counts(root, prev)
    try:
        texts = _source_texts(root, result.tables["sources"])
        tmp = _write(target.parent, version, p.date, tables, diff, result, counts, docs, texts,
                     p.agreement)
    except OSError as exc:
        raise from_os_error(exc, "write the release into") from None
    _stage("written")
    try:
        _commit(tmp, target, version, p.date, doc,
                metadata.Project.of(result.tables["project"]).name)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise from_os_error(exc, "publish the release into") from None
    return Built(version, target, prev, diff)


def _commit(tmp: Path, target: Path, version: str, date: str, doc: dict | None,
            name: str) -> None:
    """Move the finished folder into place; with the index, through the journal."""
    if doc is None:  # --check: a private folder, no index
        if target.exists():
            shutil.rmtree(target)
        os.rename(tmp, target)
        return
    entry = index.entry_for(tmp, version, date)
    doc["name"] = name  # the project file's: the index speaks of this dataset
    index.write_journal(target.parent, entry)
    _stage("journaled")
    os.rename(tmp, target)
    index.fsync_dir(target.parent)
    _stage("renamed")
    doc["versions"] = sorted(doc["versions"] + [entry], key=lambda e: C.parse_version(e["version"]))
    index.write(target.parent, doc)
    _stage("indexed")
    index.drop_journal(target.parent)


def _previous_counts(root: Path, prev: str | None) -> dict[str, int] | None:
    if not prev:
        return None
    return {n: f.height for n, f in read_release(dataset_dir(root) / prev).items()}


def _problems_refusal(result) -> list[Refusal]:
    unchecked = result.problems.filter(pl.col("rule") == "unchecked")
    if not (result.errors.height or unchecked.height):
        return []
    hint = "run 'geoevents validate' and fix what it reports"
    if unchecked.height:
        hint += "; sign off checked events with 'geoevents sign-off EVENT_ID --by CURATOR'"
    return [Refusal(
        f"the annotations have {result.errors.height} error(s) and {unchecked.height} "
        "unchecked event(s): a release publishes only valid, checked data",
        hint, problems=pl.concat([result.errors, unchecked]),
    )]


def _previous(previous: str | None, known: list[str]) -> str | None:
    """The release a change list is drawn from: the latest. (A version not above the
    latest is refused; its change list is still drawn from the latest.)"""
    if previous != "latest":
        return previous
    known = sorted(known, key=C.parse_version)
    return known[-1] if known else None


def _changes(root, prev, version, tables, codebook) -> dict:
    keys = {name: list(codebook.tables[name].primary_key) for name in codebook.release_tables}
    if prev is None:
        empty = {n: t.clear() for n, t in tables.items()}
        return {"previous": None, "version": version, **C.diff(empty, tables, keys)}
    old = read_release(dataset_dir(root) / prev)
    return {"previous": prev, "version": version, **C.diff(old, tables, keys)}


def _change_refusals(diff: dict, retired: pl.DataFrame, version: str | None) -> list[Refusal]:
    out = []
    prev = diff["previous"]
    gone = set(diff["tables"].get("events", {}).get("removed", []))
    retired_ids = set(retired.filter(pl.col("table") == "events").get_column("retired_id"))
    vanished = sorted(gone - retired_ids)
    if vanished:
        out.append(Refusal(
            f"event IDs of {prev} vanish without being retired: {', '.join(vanished)}",
            "published IDs are stable forever: restore them, or retire them in "
            "annotations/retired.csv with a reason (and the ID that replaces them)",
            kind="change"))
    why = prev and version and C.understated(prev, version, diff["required_bump"])
    if why:
        least = C.least_version(prev, diff["required_bump"])
        out.append(Refusal(f"{why}: {C.bump_reasons(diff)}",
                           f"build {least} or a higher version (with its CHANGELOG.md section)",
                           kind="version"))
    return out


def _quality_refusal(root: Path, p: Plan) -> list[Refusal]:
    report = quality.run(p.tables, p.result.codebook, _previous_counts(root, p.previous), None,
                         citations=p.result.tables["citations"])
    if report["success"]:
        return []
    return [Refusal("the data-quality suite failed: " + _failed_expectations(report),
                    "the suite checks what validate should have caught: report it",
                    kind="quality")]


def dry_run(root: Path | str, version: str) -> tuple[Plan | None, list[str]]:
    """Every refusal a build of ``version`` would meet, and its change list; nothing is
    written, not even the build lock (so a build running now is not seen). None for
    the plan when ``version`` is what an interrupted build left: building it
    publishes that folder as it stands."""
    root = Path(root)
    check_version(version)
    _check_project(root)
    found = survey(root)
    if found.pending == version:
        return None, found.notes
    notes = found.notes + _skip_note(found, version)
    return plan(root, version, found=found, quality_suite=True), notes


def _skip_note(found: Survey, version: str) -> list[str]:
    """A version that skips ahead of every next one (11.0.0 for 1.1.0) is said so."""
    if not found.known:
        return []
    latest = found.known[-1]
    nexts = {C.least_version(latest, level) for level in C.LEVELS}
    if C.parse_version(version) <= C.parse_version(latest) or version in nexts:
        return []
    following = ", ".join(sorted(nexts, key=C.parse_version))
    return [(f"{version} skips ahead of the versions that follow {latest} ({following}): "
             "a published version is never taken back")]


#: names ``diff`` takes besides versions: the latest release, the working annotations
LATEST, WORKING = "LATEST", "."


def status(root: Path | str) -> Plan:
    """The working annotations against the latest release: problems, change list, and
    the least version the change needs (the releases verified first)."""
    root = Path(root)
    _check_project(root)
    return plan(root, found=survey(root))


def compare(root: Path | str, old: str, new: str) -> dict:
    """The change list from ``old`` to ``new``: each a published version, LATEST or
    ``.`` (the working annotations of ``root``)."""
    root = Path(root)
    _check_project(root)
    _dataset_folder(root)
    sides = [_side(root, name) for name in (old, new)]
    (before, before_keys, old), (after, after_keys, new) = sides
    return {"previous": old, "version": new,
            **C.diff(before, after, before_keys | after_keys)}


def compare_releases(old: str, new: str) -> dict:
    """The change list from ``old`` to ``new``, releases the package knows (bundled,
    cached or downloadable; each a version or LATEST), read as ``load()`` reads them:
    verified against the installed index.json. Needs no annotation project."""
    sides = [_package_side(name) for name in (old, new)]
    (before, before_keys, old), (after, after_keys, new) = sides
    return {"previous": old, "version": new,
            **C.diff(before, after, before_keys | after_keys)}


def _package_side(name: str) -> tuple[dict, dict, str]:
    import json

    from geoevents.errors import NotAProject

    if name == WORKING:
        raise NotAProject(
            f"'.' is the working annotations of a project, and {Path.cwd()} is not an "
            "annotation project (no geoevents.yaml, seeds/ or annotations/)",
            "outside a project, compare published versions (geoevents versions lists them), "
            "or give the project with --root")
    if name.upper() == LATEST:
        name = loading.latest()
        if name is None:
            raise ReleaseError("no release is published yet (index.json lists none)",
                               exit_code=EXIT_USAGE)
    entry = loading.entry(name)
    tables = {t: pl.read_parquet(loading.path(t, name))
              for t in loading.table_names(entry["files"])}
    keys = {}
    if "datapackage.json" in entry["files"]:
        package = loading.release_file(name, "datapackage.json")
        try:
            doc = json.loads(package.read_text(encoding="utf-8"))
            keys = {r["name"]: list(r["schema"].get("primaryKey") or [])
                    for r in doc["resources"] if "schema" in r}  # tables only
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            keys = {}
    return tables, keys, name


def _side(root: Path, name: str) -> tuple[dict, dict, str]:
    if name == WORKING:
        p = status(root)
        if p.tables is None:
            raise ReleaseError(
                f"the working annotations have {p.result.errors.height} error(s): a change list "
                "is drawn from annotations without errors",
                "run 'geoevents validate' and fix what it reports", p.result.errors)
        codebook = p.result.codebook
        keys = {n: list(codebook.tables[n].primary_key) for n in codebook.release_tables}
        return p.tables, keys, "working annotations"
    if name.upper() == LATEST:
        versions = published(root)
        if not versions:
            raise ReleaseError(f"there is no release in {dataset_dir(root)} yet",
                               "build one first: geoevents build 1.0.0", exit_code=EXIT_USAGE)
        name = versions[-1]
    return read_verified(root, name), release_keys(root, name), name


def _source_texts(root: Path, sources: pl.DataFrame) -> dict[str, str]:
    from geoevents.evidence_text import source_texts  # inside the project, strict UTF-8

    return source_texts(root, sources)


def _write(parent, version, date, tables, diff, result, counts, docs, texts,
           agreement=None) -> Path:
    """Every file of the release in a new temporary folder of ``parent``; its path."""
    from geoevents import exports

    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{version}-", dir=parent))
    try:
        for name, frame in tables.items():
            frame.write_parquet(tmp / f"{name}.parquet", compression="zstd", statistics=True)
            _csv(frame).write_csv(tmp / f"{name}.csv", date_format="%Y-%m-%d")
        for fmt, name in exports.RELEASE_FILES.items():  # GeoJSON, Web Annotations
            if all(t in tables for t in exports.TABLES[fmt]):
                _text(tmp / name, exports.render(fmt, tables, version, texts))
        curators = result.tables["curators"]
        report = quality.run(tables, result.codebook, counts, docs,
                             citations=result.tables["citations"])
        if not report["success"]:
            raise ReleaseError("the data-quality suite failed: " + _failed_expectations(report),
                               "the suite checks what validate should have caught: report it")
        _text(tmp / "quality.json", metadata.dumps(report))
        _text(tmp / "changes.json", metadata.dumps(diff))
        if agreement is not None:
            _text(tmp / "agreement.json", metadata.dumps(agreement))
        about = metadata.Project.of(result.tables["project"])
        _text(tmp / "CITATION.cff", metadata.citation_cff(about, version, date, curators))
        _text(tmp / "README.md", metadata.release_readme(about, version, date, tables, diff,
                                                         curators, result, agreement))
        timeline.draw(result.tables["events"], tmp / "timeline.png", f"{about.name} {version}",
                      result.codebook)
        package = metadata.datapackage(about, version, date, tables, tmp, result.codebook,
                                       curators, result.tables["sources"])
        explorer.write(tmp / "explorer.html", tables, package)  # listed in the package
        package = metadata.datapackage(about, version, date, tables, tmp, result.codebook,
                                       curators, result.tables["sources"])
        _text(tmp / "datapackage.json", metadata.dumps(package))
        _text(tmp / "SHA256SUMS", metadata.sha256sums(tmp))
        _readable(tmp)
        index.fsync_dir(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp


def _failed_expectations(report: dict) -> str:
    """One line per failed expectation: table, expectation, column, how many rows."""
    failed = [
        f"{table}: {r['expectation']}"
        + (f" on {r['kwargs']['column']}" if r["kwargs"].get("column") else "")
        + (f" ({r['unexpected_count']} row(s))" if r.get("unexpected_count") else "")
        for table, results in report["tables"].items() for r in results if not r["success"]
    ]
    return "; ".join(failed) or "no expectation says why"


def _readable(folder: Path) -> None:
    """Releases are for everyone to read (mkdtemp makes its folder private)."""
    for p in folder.iterdir():
        os.chmod(p, 0o644)
        with open(p, "rb") as fh:
            os.fsync(fh.fileno())
    os.chmod(folder, 0o755)


def _csv(frame: pl.DataFrame) -> pl.DataFrame:
    lists = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
    return frame.with_columns(list_text(c) for c in lists)


def list_text(column: str) -> pl.Expr:
    """A list column as CSV writes it: values separated by ';' (an empty value for a
    null inside a list of numbers)."""
    return (pl.col(column).list.eval(pl.element().cast(pl.String).fill_null(""))
            .list.join(";"))


def _text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def check_latest(root: Path | str) -> tuple[str, list[str]]:
    """Rebuild the latest release elsewhere; the files that differ byte for byte.

    First every published folder is verified against the index (TamperedRelease
    otherwise); then the rebuild is compared with the folder and with the index.
    """
    root = Path(root)
    _check_project(root)
    dataset = _dataset_folder(root)
    if not dataset.is_dir():
        raise ReleaseError("there is no release to check", "build one first: geoevents build 1.0.0",
                           exit_code=EXIT_USAGE)
    with _lock(dataset):
        return _check_latest(root, dataset)


def _check_latest(root: Path, dataset: Path) -> tuple[str, list[str]]:
    doc = index.read(dataset)
    index.verify_all(dataset, doc)
    _refuse_unlisted_readonly(dataset, doc)
    versions = sorted(index.versions(doc), key=C.parse_version)
    if not versions:
        raise ReleaseError("there is no release to check", "build one first: geoevents build 1.0.0",
                           exit_code=EXIT_USAGE)
    latest = versions[-1]
    previous = versions[-2] if len(versions) > 1 else None
    entry = index.entry(doc, latest)
    with tempfile.TemporaryDirectory(prefix="geoevents-check-") as tmp:
        out = Path(tmp) / latest
        build(root, latest, out=out, previous=previous)
        rebuilt = {p.name: index.file_sha256(p) for p in out.iterdir()}
    names = sorted(set(rebuilt) | set(entry["files"]))
    return latest, [n for n in names if rebuilt.get(n) != entry["files"].get(n)]


def _refuse_unlisted_readonly(dataset: Path, doc: dict) -> None:
    """--check changes nothing: a journal or an unlisted folder is reported, not repaired."""
    if (dataset / index.JOURNAL).exists() or list(dataset.glob(".tmp-*")):
        raise EnvironmentFailure(
            f"{dataset} holds what an interrupted build left",
            "run 'geoevents build VERSION' (any version): it finishes or cleans it first",
        )
    _refuse_unlisted(dataset, doc)
