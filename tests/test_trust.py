"""The index is the commit record: crashes at every stage, tampering, locks, safe writers."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import polars as pl
import pytest
import yaml
from click.testing import CliRunner

from geoevents import release
from geoevents.cli import main
from geoevents.codebook import load_codebook
from geoevents.release import index, metadata

DATA = Path(__file__).parent / "data"
CHANGELOG = ("# Changelog\n\n## [1.0.1] - 2023-10-03\n\n- Fix.\n\n"
             "## [1.0.0] - 2023-10-02\n\n- First release.\n")


def invoke(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def new_project(parent: Path, name: str = "project") -> Path:
    root = parent / name
    shutil.copytree(DATA / "valid", root)
    (root / "CHANGELOG.md").write_text(CHANGELOG, encoding="utf-8")
    return root


def run_cli(root: Path, *args, **env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "geoevents", *args, "--root", str(root)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, **env},
    )


def leftovers(root: Path) -> list[str]:
    dataset = root / "dataset"
    return sorted(p.name for p in dataset.iterdir()
                  if p.name.startswith((".tmp-", ".pending", ".index.json.tmp")))


def listed(root: Path) -> list[str]:
    path = root / "dataset" / "index.json"
    return [e["version"] for e in json.loads(path.read_text())["versions"]] if path.exists() else []


@pytest.fixture(scope="module")
def killed(tmp_path_factory):
    """One project per build stage, its build of 1.0.0 killed (SIGKILL) at that stage."""
    parent = tmp_path_factory.mktemp("killed")
    roots = {stage: new_project(parent, stage) for stage in release.STAGES}
    procs = {stage: run_cli(root, "build", "1.0.0", **{release.KILL_AT: stage})
             for stage, root in roots.items()}
    codes = {stage: proc.wait(timeout=300) for stage, proc in procs.items()}
    return roots, codes


@pytest.mark.parametrize("stage", release.STAGES)
def test_kill_at_each_stage_then_the_next_build_completes(killed, stage):
    roots, codes = killed
    root = roots[stage]
    assert codes[stage] == -signal.SIGKILL
    folder = root / "dataset" / "1.0.0"
    # what the crash left: the index lists 1.0.0 only once the folder is complete
    assert listed(root) == (["1.0.0"] if stage == "indexed" else [])
    assert folder.exists() == (stage in ("renamed", "indexed"))
    if stage == "renamed":  # complete, and exactly what the journal says
        journal = json.loads((root / "dataset" / index.JOURNAL).read_text())
        assert index.differences(folder, journal) == []
    again = invoke("build", "1.0.0", "--root", root)
    if stage == "indexed":  # committed before the kill: published, nothing to finish
        assert again.exit_code == 2 and "already published" in again.output
    else:
        assert again.exit_code == 0, again.output
    if stage == "renamed":  # finished from the journal, not built again
        assert "finished dataset/1.0.0" in again.output
        assert "dataset/1.0.0 is published" in again.output and "built" not in again.output
    if stage in ("written", "journaled"):
        assert "removed .tmp-1.0.0-" in again.output
    assert listed(root) == ["1.0.0"]
    assert leftovers(root) == []
    entry = json.loads((root / "dataset" / "index.json").read_text())["versions"][0]
    assert index.differences(folder, entry) == []
    assert set(entry["bytes"]) == set(entry["files"])


def test_check_after_a_finished_crash_passes(killed):
    roots, _ = killed
    root = roots["renamed"]
    if leftovers(root):  # the parametrized test has not run first
        assert invoke("build", "1.0.0", "--root", root).exit_code == 0
    result = invoke("build", "--check", "--root", root)
    assert result.exit_code == 0, result.output


def test_check_refuses_what_an_interrupted_build_left(tmp_path):
    root = new_project(tmp_path)
    proc = run_cli(root, "build", "1.0.0", **{release.KILL_AT: "renamed"})
    assert proc.wait(timeout=300) == -signal.SIGKILL
    result = invoke("build", "--check", "--root", root)
    assert result.exit_code == 3 and "interrupted build" in result.output
    assert (root / "dataset" / ".pending.json").exists()  # --check changes nothing


@pytest.fixture
def released(tmp_path):
    root = new_project(tmp_path)
    result = invoke("build", "1.0.0", "--root", root)
    assert result.exit_code == 0, result.output
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    dataset = root / "dataset"
    return {str(p.relative_to(dataset)): p.read_bytes() for p in sorted(dataset.rglob("*"))
            if p.is_file() and p.name != index.LOCK}


def test_tampered_release_with_new_sums_is_not_reblessed(released):
    folder = released / "dataset" / "1.0.0"
    events = folder / "events.csv"
    events.write_text(events.read_text().replace("Kim", "Kxm", 1))
    (folder / "SHA256SUMS").write_text(metadata.sha256sums(folder))  # a consistent forgery
    before = snapshot(released)
    (released / "annotations" / "events.yaml").write_text(
        (released / "annotations" / "events.yaml").read_text().replace(
            "summary: Kim Jong Un met", "summary: Kim met"))
    for args in (("build", "1.0.1"), ("build", "--check"), ("diff", "1.0.0", "1.0.0")):
        result = invoke(*args, "--root", released)
        assert result.exit_code == 3, (args, result.output)
        assert "dataset/1.0.0 differs from its entry in index.json" in result.output
        assert "events.csv" in result.output and "Traceback" not in result.output
    assert snapshot(released) == before


def test_a_folder_the_index_does_not_list_stops_the_build(released):
    shutil.copytree(released / "dataset" / "1.0.0", released / "dataset" / "1.0.1")
    before = snapshot(released)
    result = invoke("build", "1.1.0", "--root", released)
    assert result.exit_code == 3
    assert "dataset/1.0.1 is not listed in index.json" in result.output
    assert snapshot(released) == before
    assert release.published(released) == ["1.0.0"]


def test_corrupt_index_is_an_environment_error(released):
    path = released / "dataset" / "index.json"
    for text in (path.read_text()[:100], "[]", '{"versions": [{"version": "1.0.0"}]}'):
        path.write_text(text)
        result = invoke("build", "1.0.1", "--root", released)
        assert result.exit_code == 3 and "index.json" in result.output, result.output
        assert "git checkout" in result.output
        assert not (released / "dataset" / "1.0.1").exists()


def test_old_index_gains_file_sizes_once_verified(released):
    path = released / "dataset" / "index.json"
    doc = json.loads(path.read_text())
    sizes = doc["versions"][0].pop("bytes")
    path.write_text(json.dumps(doc))
    (released / "annotations" / "events.yaml").write_text(
        (released / "annotations" / "events.yaml").read_text().replace(
            "summary: Kim Jong Un met", "summary: Kim met"))
    assert invoke("build", "1.0.1", "--root", released).exit_code == 0
    doc = json.loads(path.read_text())
    assert doc["versions"][0]["bytes"] == sizes
    assert [e["version"] for e in doc["versions"]] == ["1.0.0", "1.0.1"]


def test_a_held_lock_refuses_cleanly(released):
    from filelock import FileLock

    with FileLock(str(released / "dataset" / index.LOCK)):
        result = invoke("build", "1.0.1", "--root", released, env={release.LOCK_TIMEOUT: "0"})
    assert result.exit_code == 3 and "another build holds" in result.output
    assert not (released / "dataset" / "1.0.1").exists()


def test_two_concurrent_builds_end_cleanly(tmp_path):
    root = new_project(tmp_path)
    procs = [run_cli(root, "build", "1.0.0") for _ in range(2)]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    assert sorted(p.returncode for p in procs) == [0, 2], outputs
    assert not any("Traceback" in o or "internal error" in o for o in outputs)
    assert listed(root) == ["1.0.0"] and leftovers(root) == []


def test_release_is_readable_by_others(released):
    folder = released / "dataset" / "1.0.0"
    assert folder.stat().st_mode & 0o777 == 0o755
    assert {p.stat().st_mode & 0o777 for p in folder.iterdir()} == {0o644}


def test_docs_may_not_go_into_dataset(released):
    (released / "annotations" / "events.yaml").write_text(
        (released / "annotations" / "events.yaml").read_text().replace(
            "summary: Kim Jong Un met", "summary: Kim met"))
    before = snapshot(released)
    for docs in (released / "dataset" / "1.0.0", released / "dataset"):
        result = invoke("build", "1.0.1", "--root", released, "--docs", docs)
        assert result.exit_code == 2 and "only releases live" in result.output
    assert snapshot(released) == before


@pytest.mark.parametrize("version", ["1٠.0.0", "１.0.0", "1.0", "01.0.0", "1.0.0-rc1", "../1.0.0"])
def test_versions_are_ascii_semver(tmp_path, version):
    root = new_project(tmp_path)
    result = invoke("build", version, "--root", root)
    assert result.exit_code == 2 and "is not a version" in result.output
    assert not (root / "dataset").exists() or not list((root / "dataset").iterdir())


def test_read_only_dataset_is_an_environment_error(released, monkeypatch):
    def refuse(src, dst):
        raise OSError(errno.EROFS, "Read-only file system", str(dst))

    (released / "annotations" / "events.yaml").write_text(
        (released / "annotations" / "events.yaml").read_text().replace(
            "summary: Kim Jong Un met", "summary: Kim met"))
    before = snapshot(released)
    monkeypatch.setattr(release.os, "rename", refuse)
    result = invoke("build", "1.0.1", "--root", released)
    assert result.exit_code == 3, result.output
    assert "Read-only file system" in result.output and "read-only" in result.output
    monkeypatch.undo()
    assert snapshot(released) == {**before, ".pending.json": snapshot(released)[".pending.json"]}
    result = invoke("build", "1.0.1", "--root", released)  # the journal is cleaned, 1.0.1 built
    assert result.exit_code == 0, result.output
    assert leftovers(released) == [] and release.published(released) == ["1.0.0", "1.0.1"]


def test_full_disk_is_an_environment_error(released, monkeypatch):
    def full(self, path, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    (released / "annotations" / "events.yaml").write_text(
        (released / "annotations" / "events.yaml").read_text().replace(
            "summary: Kim Jong Un met", "summary: Kim met"))
    before = snapshot(released)
    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    result = invoke("build", "1.0.1", "--root", released)
    assert result.exit_code == 3 and "disk is full" in result.output, result.output
    assert snapshot(released) == before and leftovers(released) == []


def test_citation_cff_is_serialized_not_formatted():
    import jsonschema

    names = ['Ann "A"\n  - name: "Mallory"', "back\\slash", "Nul\x00byte", "tab\there", "é 中"]
    curators = pl.DataFrame({"curator_id": [f"c{i}" for i in range(len(names))], "name": names,
                             "orcid": [None] * len(names)}, schema_overrides={"orcid": pl.String})
    about = metadata.Project("p", "T", "D", ("k",), "CC-BY-4.0", "c@example.org")
    cff = yaml.safe_load(metadata.citation_cff(about, "1.0.0", "2023-10-02", curators))
    assert [a["name"] for a in cff["authors"]] == names
    schema = json.loads((DATA / "cff-schema-1.2.0.json").read_text())
    jsonschema.validate(cff, schema)


def test_timeline_draws_the_far_future(tmp_path):
    import datetime as dt

    from geoevents.release import timeline

    days = [dt.date(2019, 4, 25), dt.date(9999, 12, 31)]
    events = pl.DataFrame({"event_id": ["a", "b"], "date_start": days, "date_end": days,
                           "event_type": ["CONSULT", "CONSULT"], "status": ["occurred", "planned"]})
    timeline.draw(events, tmp_path / "t.png", "far", load_codebook())
    assert (tmp_path / "t.png").read_bytes().startswith(b"\x89PNG")


# --- what a hostile user tried -------------------------------------------------------


def patch_summary(root: Path) -> None:
    path = root / "annotations" / "events.yaml"
    path.write_text(path.read_text().replace("summary: Kim Jong Un met", "summary: Kim met"))


def test_a_planted_link_is_never_written_through(released, tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("precious")
    dataset = released / "dataset"
    for name in (".index.json.tmp", "..pending.json.tmp", ".index.json.x.tmp"):
        (dataset / name).symlink_to(victim)
    patch_summary(released)
    result = invoke("build", "1.0.1", "--root", released)
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "precious"
    assert not (dataset / "index.json").is_symlink() and listed(released) == ["1.0.0", "1.0.1"]
    assert not (dataset / ".index.json.x.tmp").exists()  # a leftover name: removed, not followed


@pytest.mark.parametrize("version", ["0.9.0", "abc", "1.0.1"])
def test_a_forged_journal_blesses_nothing(released, version):
    dataset = released / "dataset"
    folder = dataset / version
    folder.mkdir()
    (folder / "events.csv").write_text("evil\n")
    index.write_journal(dataset, {**index.entry_for(folder, "1.0.1", "2020-01-01"),
                                  "version": version})
    before = listed(released)
    patch_summary(released)
    result = invoke("build", "1.1.0", "--root", released)
    assert result.exit_code == 3, result.output
    assert f"dataset/{version} is not listed in index.json" in result.output
    assert listed(released) == before


@pytest.mark.parametrize("edit", ["twice", "not-semver", "path", "fifo", "deep", "huge"])
def test_an_index_that_is_no_record_stops_the_build(released, edit):
    path = released / "dataset" / "index.json"
    doc = json.loads(path.read_text())
    if edit == "twice":
        doc["versions"].append(doc["versions"][0])
    elif edit in ("not-semver", "path"):
        doc["versions"][0]["version"] = "abc" if edit == "not-semver" else "../x"
    if edit == "fifo":
        path.unlink()
        os.mkfifo(path)
    elif edit == "deep":
        path.write_text('{"versions": ' + "[" * 200_000 + "]" * 200_000 + "}")
    elif edit == "huge":
        with open(path, "wb") as fh:
            fh.truncate(index.MAX_BYTES + 1)
    else:
        path.write_text(json.dumps(doc))
    patch_summary(released)
    for args in (("build", "1.0.1"), ("build", "--check")):
        result = invoke(*args, "--root", released)
        assert result.exit_code == 3 and "index.json" in result.output, (edit, result.output)
    assert not (released / "dataset" / "1.0.1").exists()


@pytest.mark.parametrize("value", ["nan", "-1", "inf", "1e400", "abc"])
def test_a_lock_timeout_that_is_no_number_of_seconds_is_a_usage_error(released, value):
    result = invoke("build", "1.0.1", "--root", released, env={release.LOCK_TIMEOUT: value})
    assert result.exit_code == 2 and release.LOCK_TIMEOUT in result.output


def test_check_waits_for_a_running_build(released):
    from filelock import FileLock

    with FileLock(str(released / "dataset" / index.LOCK)):
        result = invoke("build", "--check", "--root", released, env={release.LOCK_TIMEOUT: "0"})
    assert result.exit_code == 3 and "another build holds" in result.output


def test_a_release_folder_that_is_a_link_is_tampered(released, tmp_path):
    folder = released / "dataset" / "1.0.0"
    shutil.move(folder, tmp_path / "copy")
    folder.symlink_to(tmp_path / "copy")
    patch_summary(released)
    result = invoke("build", "1.0.1", "--root", released)
    assert result.exit_code == 3 and "is a symbolic link" in result.output


def test_a_dataset_that_is_a_link_or_a_file_is_refused(tmp_path):
    root = new_project(tmp_path)
    (root / "dataset").symlink_to(tmp_path / "elsewhere")
    result = invoke("build", "1.0.0", "--root", root)
    assert result.exit_code == 3 and "is a symbolic link" in result.output
    assert not (tmp_path / "elsewhere").exists()
    (root / "dataset").unlink()
    (root / "dataset").write_text("x")
    for args in (("build", "1.0.0"), ("build", "--check")):
        result = invoke(*args, "--root", root)
        assert result.exit_code == 3 and "is not a folder" in result.output


def test_leftovers_of_any_kind_are_removed(released):
    junk = released / "dataset" / ".tmp-junk"
    junk.write_text("x")
    patch_summary(released)
    result = invoke("build", "1.0.1", "--root", released)
    assert result.exit_code == 0 and "removed .tmp-junk" in result.output
    assert not junk.exists() and invoke("build", "--check", "--root", released).exit_code == 0


@pytest.mark.parametrize("where", ["annotations", "seeds/docs", "schemas", ".", "occupied"])
def test_docs_stay_out_of_the_project_inputs_and_other_files(released, where):
    target = released / where
    if where == "occupied":
        target.mkdir()
        (target / "thesis.docx").write_text("mine")
    patch_summary(released)
    before = {p: p.read_bytes() for p in released.rglob("*") if p.is_file()}
    result = invoke("build", "1.0.1", "--root", released, "--docs", target)
    assert result.exit_code == 2, result.output
    assert {p: p.read_bytes() for p in released.rglob("*") if p.is_file()} == before


def test_build_outside_a_project_is_a_usage_error(tmp_path):
    for args in (("build", "1.0.0"), ("build", "--check")):
        result = invoke(*args, "--root", tmp_path / "nowhere")
        assert result.exit_code == 2 and "not an annotation project" in result.output


@pytest.mark.parametrize("kind", ["fifo", "folder", "outside"])
def test_a_changelog_that_is_not_a_file_of_the_project(tmp_path, kind):
    root = new_project(tmp_path)
    path = root / "CHANGELOG.md"
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        (tmp_path / "other.md").write_text(CHANGELOG)
        path.symlink_to(tmp_path / "other.md")
    result = invoke("build", "1.0.0", "--root", root)
    assert result.exit_code == 1, result.output
    assert {"fifo": "named pipe", "folder": "a folder", "outside": "outside the project"}[kind] \
        in result.output
    assert listed(root) == []


def test_a_build_leaves_the_environment_and_loggers_alone(tmp_path):
    import logging

    before = dict(os.environ)
    pooch_level = logging.getLogger("pooch").level
    root = new_project(tmp_path)
    assert invoke("build", "1.0.0", "--root", root).exit_code == 0
    assert dict(os.environ) == before
    assert logging.getLogger("pooch").level == pooch_level


def test_codebook_values_are_drawn_as_written(tmp_path):
    """A '$' in a status or type would start matplotlib's mathtext."""
    import datetime as dt

    from geoevents.release import timeline

    class Codebook:  # what the timeline reads of one: the statuses, in order
        tables: ClassVar = {"events": type("T", (), {"field": lambda self, name: None})()}

        def vocabulary(self, field):
            return ["x$\\foo{$y", "planned"]

    day = dt.date(2023, 9, 13)
    events = pl.DataFrame({"event_id": ["a"], "date_start": [day], "date_end": [day],
                           "event_type": ["$CON$"], "status": ["x$\\foo{$y"]})
    timeline.draw(events, tmp_path / "t.png", "$title", Codebook())
    assert (tmp_path / "t.png").read_bytes().startswith(b"\x89PNG")


def test_the_release_readme_keeps_project_texts_on_their_lines():
    about = metadata.Project("p", "A title\n# Not a heading", "Text.\n\n## Licence\nNone",
                             ("k",), "CC0-1.0", "c@example.org\n## Contact")
    events = pl.DataFrame({"event_id": ["a"], "date_start": [None], "event_type": ["CONSULT"],
                           "status": ["occurred"]}, schema_overrides={"date_start": pl.Date})

    class Result:
        codebook = load_codebook()
        tables: ClassVar = {"events": events,
                  "event_actors": pl.DataFrame(schema={"event_id": pl.String,
                                                       "actor_id": pl.String, "role": pl.String}),
                  "actors": pl.DataFrame(schema={"actor_id": pl.String, "country": pl.String})}

    text = metadata.release_readme(about, "1.0.0", "2023-10-02", {"events": events},
                                   {"previous": None}, pl.DataFrame(
                                       schema={"curator_id": pl.String, "name": pl.String}),
                                   Result())
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == ["# p 1.0.0", "## Contents", "## Events by year (first day of the date)",
                        "## Events by type", "## Events by status", "## Events by actor country",
                        "## How to cite", "## Licence"]
