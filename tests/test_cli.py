"""The command line: exit codes, text and JSON output, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
import pytest
from click.testing import CliRunner

import geoevents
from geoevents.cli import main


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def test_valid_project_exits_0(project):
    result = invoke("validate", "--root", str(project.root))
    assert result.exit_code == 0, result.output
    assert "valid: no problems found" in result.output


def test_problems_exit_1_grouped_by_file_and_sorted_by_line(project):
    project.edit("annotations/events.yaml", "status: occurred", "status: happened")
    project.edit("annotations/actors.csv", "PRK,north-korea", "KP,north-korea")
    project.edit("annotations/actors.csv", "RUS,russia", "RU,russia")
    result = invoke("validate", "--root", str(project.root))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "annotations/actors.csv"
    assert lines[1].startswith("  line 2 [country] error country-code")
    assert "hint: use PRK" in lines[2]
    assert lines[3].startswith("  line 3 [country] error country-code")
    assert "annotations/events.yaml" in lines
    assert lines[-1] == "3 error(s), 0 warning(s) in 2 file(s)"


def test_json_format(project):
    project.edit("annotations/events.yaml", "status: occurred", "status: happened")
    result = invoke("validate", "--root", str(project.root), "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["valid"] is False and doc["errors"] == 1
    (p,) = doc["problems"]
    assert (p["rule"], p["file"], p["line"], p["field"], p["value"]) == (
        "vocabulary", "annotations/events.yaml", 4, "status", "happened")
    assert p["severity"] == "error" and p["message"] and p["hint"]


def test_warnings_alone_exit_0_unless_strict(project):
    project.edit("annotations/events-flat.csv", "tester,tester,2023-10-01", "tester,,")
    assert invoke("validate", "--root", str(project.root)).exit_code == 0
    assert invoke("validate", "--root", str(project.root), "--strict").exit_code == 1


def test_usage_errors_exit_2(tmp_path):
    assert invoke("validate", "--root", str(tmp_path)).exit_code == 2
    assert invoke("validate", "--format", "xml").exit_code == 2
    assert invoke("frobnicate").exit_code == 2


@pytest.mark.parametrize("command", [
    ["validate"], ["sign-off", "e1", "--by", "tester"], ["source", "add", "a.txt"], ["schema"],
    ["build"], ["diff", "LATEST", "."], ["status"], ["changelog"],
])
def test_an_empty_root_is_a_usage_error_not_the_current_folder(command, project, monkeypatch):
    monkeypatch.chdir(project.root)  # a project: were '' read as '.', it would be used
    result = invoke(*command, "--root", "")
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--root': is empty" in result.output


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and result.output.startswith("geoevents, version ")


def test_broken_yaml_gives_no_traceback(project):
    project.write("annotations/events-bad.yaml", "- a: [\n  - b: !!python/name:os.system\n")
    proc = subprocess.run(
        [sys.executable, "-m", "geoevents", "validate", "--root", str(project.root)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "annotations/events-bad.yaml" in proc.stdout


def test_init_scaffolds_a_valid_project(tmp_path):
    target = tmp_path / "new"
    result = invoke("init", str(target))
    assert result.exit_code == 0, result.output
    for rel in ("seeds/sources.yaml", "annotations/actors.csv", "annotations/events.yaml",
                "schemas/tables.yaml", "schemas/plover.yaml", "schemas/json/events.schema.json",
                "CHANGELOG.md", "LICENSE-DATA", "annotations/README.md", ".gitignore"):
        assert (target / rel).is_file(), rel
    assert (target / "CHANGELOG.md").read_text().endswith("\n## [Unreleased]\n")
    assert "dataset/.build.lock" in (target / ".gitignore").read_text().splitlines()
    assert "names in data_license" in (target / "LICENSE-DATA").read_text()
    found = geoevents.validate(target)
    assert sorted(found.select("rule", "file", "field").iter_rows()) == [
        ("placeholder", "geoevents.yaml", f) for f in
        ("contact", "data_license", "description", "keywords", "title")]
    filled = (target / "geoevents.yaml").read_text()
    for field, value in [("title", "Floods"), ("description", "Flood reports."),
                         ("data_license", "CC0-1.0"), ("contact", "floods@example.org")]:
        filled = filled.replace(f'"TODO: {field}"', f'"{value}"')
    (target / "geoevents.yaml").write_text(filled.replace('["TODO: keywords"]', "[floods]"))
    assert invoke("validate", "--root", str(target)).exit_code == 0
    again = invoke("init", str(target))
    assert again.exit_code == 2 and "not an empty folder" in again.output


def test_init_names_the_data_licence_it_is_given(tmp_path):
    result = invoke("init", str(tmp_path / "a"), "--data-license", "CC0-1.0")
    assert result.exit_code == 0, result.output
    licence = " ".join((tmp_path / "a" / "LICENSE-DATA").read_text().split())
    assert ("licensed under Creative Commons Zero v1.0 Universal (CC0-1.0): "
            "https://spdx.org/licenses/CC0-1.0.html." in licence)
    assert 'data_license: "CC0-1.0"' in (tmp_path / "a" / "geoevents.yaml").read_text()
    found = geoevents.validate(tmp_path / "a")
    assert "data_license" not in set(found.get_column("field"))
    wrong = invoke("init", str(tmp_path / "b"), "--data-license", "cc0-1.0")
    assert wrong.exit_code == 2 and "did you mean 'CC0-1.0'?" in wrong.output
    assert not (tmp_path / "b").exists()


def test_project_codebook_is_used(project, tmp_path):
    """A project that extends its own vocabulary validates against it."""
    invoke("init", str(tmp_path / "scaffold"))
    import shutil

    shutil.copytree(tmp_path / "scaffold" / "schemas", project.root / "schemas")
    project.edit("annotations/events.yaml", "status: occurred", "status: rumoured")
    assert ("vocabulary", "annotations/events.yaml", 4, "status") in project.found()
    vocab = project.path("schemas/vocabularies.yaml")
    vocab.write_text(vocab.read_text().replace("statuses:\n", "statuses:\n  rumoured: Hearsay.\n"))
    assert ("vocabulary", "annotations/events.yaml", 4, "status") not in project.found()


def test_an_unexpected_exception_is_an_internal_error_exit_4(project, monkeypatch):
    from geoevents import check

    def broken(root):
        raise KeyError("boom")

    monkeypatch.setattr(check, "run", broken)
    result = invoke("validate", "--root", str(project.root))
    assert result.exit_code == 4
    assert result.output.splitlines()[0] == "internal error: KeyError: 'boom'"
    assert "GEOEVENTS_DEBUG=1" in result.output and "Traceback" not in result.output
    monkeypatch.setenv("GEOEVENTS_DEBUG", "1")
    debug = invoke("validate", "--root", str(project.root))
    assert debug.exit_code == 1 and isinstance(debug.exception, KeyError)  # re-raised


def test_an_os_error_is_the_environment_exit_3(project, monkeypatch):
    import errno

    from geoevents import check

    def denied(root):
        raise PermissionError(errno.EACCES, "Permission denied", str(project.root / "seeds"))

    monkeypatch.setattr(check, "run", denied)
    result = invoke("validate", "--root", str(project.root))
    assert result.exit_code == 3
    assert "Permission denied" in result.output and str(project.root / "seeds") in result.output
    assert "hint: check the permissions" in result.output


def test_init_into_a_file_is_a_usage_error(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    result = invoke("init", str(target))
    assert result.exit_code == 2 and "is a file" in result.output
    assert target.read_text() == "x"


def test_the_api_refuses_a_folder_that_is_not_a_project(tmp_path):
    import pytest

    import geoevents
    from geoevents.errors import NotAProject

    (tmp_path / "a-file").write_text("x")
    (tmp_path / "only-a-file-named-annotations").mkdir()
    (tmp_path / "only-a-file-named-annotations" / "annotations").write_text("x")
    for root in (tmp_path, tmp_path / "a-file", tmp_path / "missing",
                 tmp_path / "only-a-file-named-annotations"):
        for call in (geoevents.validate, geoevents.read_annotations):
            with pytest.raises(NotAProject, match="is not an annotation project") as caught:
                call(root)
            assert caught.value.exit_code == 2


def test_read_annotations_reads_and_normalises_without_the_rules(project, monkeypatch):
    import geoevents
    from geoevents import check

    project.edit("annotations/events.yaml", "location_id: vostochny-cosmodrome",
                 "location_id: nowhere")
    monkeypatch.setattr(check, "run", lambda root: (_ for _ in ()).throw(AssertionError("ran")))
    tables = geoevents.read_annotations(project.root)
    events = tables["events"].filter(pl.col("event_id") == "2023-09-13-kim-putin-vostochny")
    assert events.get_column("location_id").to_list() == ["nowhere"]
    assert events.get_column("date_start").dtype == pl.Date


def test_the_committed_json_schemas_are_the_codebook_s():
    """schemas/json/ is generated (geoevents schema): it may not drift from tables.yaml."""
    from pathlib import Path

    from geoevents.codebook import jsonschema, load_codebook

    schemas = Path(__file__).resolve().parents[1] / "schemas"
    codebook = load_codebook(schemas)
    committed = {p.name for p in (schemas / "json").glob("*.schema.json")}
    assert committed == {f"{name}.schema.json" for name in codebook.tables}
    for name in codebook.tables:
        text = (schemas / "json" / f"{name}.schema.json").read_text(encoding="utf-8")
        assert text == jsonschema.dumps(codebook, name), name


def test_init_into_a_fresh_clone_and_nothing_half_written(tmp_path, monkeypatch):
    clone = tmp_path / "clone"
    (clone / ".git").mkdir(parents=True)
    assert invoke("init", str(clone)).exit_code == 0
    assert (clone / ".git").is_dir() and (clone / "geoevents.yaml").is_file()
    from geoevents.codebook import jsonschema

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jsonschema, "write_all", full_disk)
    failed = invoke("init", str(tmp_path / "new"))
    assert failed.exit_code == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clone"]  # no half project, no tmp
