"""geoevents build, --check and diff: the release rules, each on a project that breaks it."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import yaml
from click.testing import CliRunner

from geoevents import release
from geoevents.cli import main

#: the tables the packaged codebook publishes (schemas/tables.yaml, release_tables)
TABLES = ("events", "event_actors", "citations", "actors", "locations", "sources", "errata")

DATA = Path(__file__).parent / "data"
CHANGELOG = "# Changelog\n\n## [1.0.0] - 2023-10-02\n\n### Added\n\n- First release.\n"
EXPECTED_FILES = {
    *(f"{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")),
    "datapackage.json", "CITATION.cff", "SHA256SUMS", "changes.json", "README.md",
    "timeline.png", "quality.json", "events.geojson", "citations.jsonld", "explorer.html",
}


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def add_changelog(project, version, date="2023-10-03"):
    project.edit("CHANGELOG.md", "# Changelog\n", f"# Changelog\n\n## [{version}] - {date}\n\n- x\n")


@pytest.fixture
def released(project):
    """The fixture project with its CHANGELOG and release 1.0.0 built."""
    project.write("CHANGELOG.md", CHANGELOG)
    result = invoke("build", "1.0.0", "--root", project.root)
    assert result.exit_code == 0, result.output
    return project


def digests(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_release_has_every_file(released):
    folder = released.path("dataset/1.0.0")
    assert {p.name for p in folder.iterdir()} == EXPECTED_FILES
    index = json.loads(released.path("dataset/index.json").read_text())
    assert index["latest"] == "1.0.0"
    (entry,) = index["versions"]
    assert entry["date"] == "2023-10-02"
    assert set(entry["files"]) == EXPECTED_FILES
    sums = dict(line.split("  ")[::-1] for line in
                (folder / "SHA256SUMS").read_text().splitlines())
    assert all(entry["files"][name] == digest for name, digest in sums.items())


def test_datapackage_passes_frictionless(released):
    from frictionless import validate

    report = validate(released.path("dataset/1.0.0/datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = json.loads(released.path("dataset/1.0.0/datapackage.json").read_text())
    events = next(r for r in package["resources"] if r["name"] == "events")
    assert events["schema"]["primaryKey"] == ["event_id"]
    assert {"fields": "location_id", "reference": {"resource": "locations",
            "fields": "location_id"}} in events["schema"]["foreignKeys"]
    assert events["hash"].startswith("sha256:") and events["bytes"] > 0
    summary = next(f for f in events["schema"]["fields"] if f["name"] == "summary")
    assert summary["description"] == "One English sentence saying what happened."


def test_the_explorer_is_a_resource_of_the_release(released):
    import hashlib

    folder = released.path("dataset/1.0.0")
    package = json.loads((folder / "datapackage.json").read_text())
    assert package["profile"] == "data-package"
    (page,) = [r for r in package["resources"] if r["name"] == "explorer"]
    data = (folder / "explorer.html").read_bytes()
    assert page["path"] == "explorer.html" and page["mediatype"] == "text/html"
    assert page["hash"] == f"sha256:{hashlib.sha256(data).hexdigest()}"
    assert page["bytes"] == len(data)
    assert f"{hashlib.sha256(data).hexdigest()}  explorer.html" in (
        folder / "SHA256SUMS").read_text()
    tables = {r["name"] for r in package["resources"] if "schema" in r}
    assert tables == set(TABLES)
    text = data.decode("utf-8")
    assert '"version":"1.0.0"' in text and "2023-09-13-kim-putin-vostochny" in text


def test_frictionless_catches_a_corrupted_table(released):
    from frictionless import validate

    path = released.path("dataset/1.0.0/events.csv")
    path.write_text(path.read_text().replace("2023-09-13-kim", "2023-09-13-kXm"))
    assert not validate(released.path("dataset/1.0.0/datapackage.json")).valid


def test_citation_cff_is_valid_cff(released):
    import jsonschema

    schema = json.loads((DATA / "cff-schema-1.2.0.json").read_text())
    cff = yaml.safe_load(released.path("dataset/1.0.0/CITATION.cff").read_text())
    jsonschema.validate(cff, schema)
    assert cff["type"] == "dataset" and cff["version"] == "1.0.0"
    assert cff["date-released"] == "2023-10-02"


def test_parquet_and_csv_hold_the_same_tables(released):
    folder = released.path("dataset/1.0.0")
    for name in TABLES:
        parquet = pl.read_parquet(folder / f"{name}.parquet")
        lists = [c for c, t in parquet.schema.items() if isinstance(t, pl.List)]
        flat = parquet.with_columns(release.list_text(c) for c in lists)
        csv = pl.read_csv(folder / f"{name}.csv", schema=flat.schema)
        assert csv.equals(flat), name


def test_citations_carry_offsets_into_the_source(released):
    text = released.path("seeds/sample_zh.txt").read_text()
    cites = pl.read_parquet(released.path("dataset/1.0.0/citations.parquet"))
    for row in cites.iter_rows(named=True):
        passage = text[row["char_start"]:row["char_end"]]
        assert " ".join(passage.split()) == " ".join(row["quote"].split())


def test_build_is_deterministic(released, tmp_path):
    import shutil

    other = tmp_path / "again"
    shutil.copytree(released.root, other)
    shutil.rmtree(other / "dataset")
    assert invoke("build", "1.0.0", "--root", other).exit_code == 0
    assert digests(other / "dataset" / "1.0.0") == digests(released.path("dataset/1.0.0"))
    assert (other / "dataset/index.json").read_bytes() == released.path(
        "dataset/index.json").read_bytes()


def test_check_passes_then_reports_drift(released):
    result = invoke("build", "--check", "--root", released.root)
    assert result.exit_code == 0 and "rebuilds byte for byte" in result.output
    released.edit("annotations/events.yaml", "summary: Kim Jong Un met", "summary: Kim met")
    result = invoke("build", "--check", "--root", released.root)
    assert result.exit_code == 1
    assert "events.csv" in result.output and "SHA256SUMS" in result.output


def test_published_version_is_never_overwritten(released):
    before = digests(released.path("dataset/1.0.0"))
    released.edit("annotations/events.yaml", "summary: Kim Jong Un met", "summary: Kim met")
    result = invoke("build", "1.0.0", "--root", released.root)
    assert result.exit_code == 2
    assert "already published" in result.output
    assert digests(released.path("dataset/1.0.0")) == before


def test_changelog_section_is_required(project):
    project.write("CHANGELOG.md", "# Changelog\n")
    result = invoke("build", "1.0.0", "--root", project.root)
    assert result.exit_code == 1 and "no section for 1.0.0" in result.output
    assert not project.path("dataset/1.0.0").exists()


def test_invalid_or_unchecked_data_is_not_released(project):
    project.write("CHANGELOG.md", CHANGELOG)
    project.edit("annotations/events-flat.csv", "tester,tester,2023-10-01", "tester,,")
    result = invoke("build", "1.0.0", "--root", project.root)
    assert result.exit_code == 1
    assert "unchecked" in result.output and "annotations/events-flat.csv" in result.output
    assert not project.path("dataset/1.0.0").exists()


def test_patch_release_for_corrections(released):
    add_changelog(released, "1.0.1")
    released.edit("annotations/events.yaml", "summary: Kim Jong Un met", "summary: Kim met")
    assert invoke("build", "1.0.1", "--root", released.root).exit_code == 0
    changes = json.loads(released.path("dataset/1.0.1/changes.json").read_text())
    assert changes["required_bump"] == "patch"
    (changed,) = changes["tables"]["events"]["changed"]
    assert changed["id"] == "2023-09-13-kim-putin-vostochny"
    assert changed["fields"]["summary"]["new"].startswith("Kim met")


def new_event(project):
    project.append("annotations/events-flat.csv",
                   "2023-09-13-kim-putin-talks,2023-09-13,occurred,CONSULT,visit,diplomatic,,"
                   "Kim and Putin talked.,tester,tester,2023-10-01,\n")
    project.append("annotations/event_actors.csv", "2023-09-13-kim-putin-talks,kim-jong-un,actor\n")
    project.append("annotations/citations.csv",
                   "2023-09-13-kim-putin-talks,sample-zh,金正恩在东方航天发射场与普京会晤,Kim met Putin\n")


def test_added_events_need_a_minor_release(released):
    new_event(released)
    add_changelog(released, "1.0.1")
    result = invoke("build", "1.0.1", "--root", released.root)
    assert result.exit_code == 1
    assert "patch release but the change from 1.0.0 needs a minor one" in result.output
    assert not released.path("dataset/1.0.1").exists()
    add_changelog(released, "1.1.0")
    assert invoke("build", "1.1.0", "--root", released.root).exit_code == 0
    changes = json.loads(released.path("dataset/1.1.0/changes.json").read_text())
    assert changes["tables"]["events"]["added"] == ["2023-09-13-kim-putin-talks"]


def test_removed_fields_need_a_major_release(released):
    import shutil

    shutil.copytree(Path(release.__file__).parents[3] / "schemas", released.root / "schemas")
    tables = released.path("schemas/tables.yaml")
    text = tables.read_text()
    start = text.index("      - name: title\n        type: string\n        description: Role")
    end = text.index("      - name: wikidata", start)
    tables.write_text(text[:start] + text[end:])
    released.write("annotations/actors.csv", "\n".join(
        ",".join(c for i, c in enumerate(line.split(",")) if i != 6)
        for line in released.path("annotations/actors.csv").read_text().split("\n")))
    add_changelog(released, "1.1.0")
    result = invoke("build", "1.1.0", "--root", released.root)
    assert result.exit_code == 1 and "needs a major one" in result.output
    add_changelog(released, "2.0.0")
    assert invoke("build", "2.0.0", "--root", released.root).exit_code == 0
    changes = json.loads(released.path("dataset/2.0.0/changes.json").read_text())
    assert changes["fields"]["removed"] == ["actors.title"]


def test_version_must_grow(released):
    add_changelog(released, "0.9.0")
    result = invoke("build", "0.9.0", "--root", released.root)
    assert result.exit_code == 2 and "not greater than the previous release" in result.output


def test_event_ids_may_not_vanish_unless_retired(released):
    released.write("annotations/event_actors.csv", "event_id,actor_id,role\n")
    released.write("annotations/citations.csv", "event_id,source_id,quote,quote_en\n")
    released.write("annotations/events-flat.csv",
                   released.path("annotations/events-flat.csv").read_text().splitlines()[0] + "\n")
    add_changelog(released, "1.0.1")
    result = invoke("build", "1.0.1", "--root", released.root)
    assert result.exit_code == 1
    assert "vanish without being retired: 2023-09-us-warns-north-korea" in result.output
    released.write("annotations/retired.csv", "retired_id,table,reason,replaced_by,retired_on\n"
                   "2023-09-us-warns-north-korea,events,not in the source,,2023-10-03\n")
    assert invoke("build", "1.0.1", "--root", released.root).exit_code == 0


def test_diff_between_releases(released):
    new_event(released)
    add_changelog(released, "1.1.0")
    assert invoke("build", "1.1.0", "--root", released.root).exit_code == 0
    text = invoke("diff", "1.0.0", "1.1.0", "--root", released.root)
    assert text.exit_code == 0 and "events: added 2023-09-13-kim-putin-talks" in text.output
    doc = json.loads(invoke("diff", "1.0.0", "1.1.0", "--root", released.root,
                            "--format", "json").output)
    assert doc["tables"]["events"]["added"] == ["2023-09-13-kim-putin-talks"]
    unknown = invoke("diff", "1.0.0", "9.9.9", "--root", released.root)
    assert unknown.exit_code == 2 and "published: 1.0.0, 1.1.0" in unknown.output


def test_data_docs_only_on_request(released, tmp_path):
    # the one page of a release is its explorer; Data Docs are written only on request
    pages = released.path("dataset").rglob("*.html")
    assert [p.relative_to(released.path("dataset")).as_posix() for p in pages] == [
        "1.0.0/explorer.html"]
    add_changelog(released, "1.0.1")
    released.edit("annotations/events.yaml", "summary: Kim Jong Un met", "summary: Kim met")
    docs = tmp_path / "docs"
    assert invoke("build", "1.0.1", "--root", released.root, "--docs", docs).exit_code == 0
    assert (docs / "index.html").is_file()


def test_quality_suite_fails_on_uncited_events_and_dangling_citations(released):
    from geoevents import check
    from geoevents.release import quality

    tables = release.read_release(released.path("dataset/1.0.0"))
    codebook = check.run(released.root).codebook
    assert quality.run(tables, codebook, None)["success"]
    (event_id,) = tables["events"].get_column("event_id").to_list()[:1]
    broken = tables | {"citations": tables["citations"].with_columns(
        pl.when(pl.col("event_id") == event_id).then(pl.lit("no-such-event"))
        .otherwise(pl.col("event_id")).alias("event_id"))}
    report = quality.run(broken, codebook, None)
    assert not report["success"]
    failed = {(table, r["kwargs"].get("column"), r["unexpected_count"])
              for table, results in report["tables"].items() for r in results if not r["success"]}
    cited = tables["citations"].filter(pl.col("event_id") == event_id).height
    assert failed == {("events", "event_is_cited", 1), ("citations", "event_id_resolves", cited)}


def test_derived_columns_through_a_key_and_from_the_table_itself(project):
    """A lookup through a field of the primary key, and a collect of a table's own
    records (the actors that act for an actor), build like any other."""
    import shutil

    shutil.copytree(Path(__file__).parents[1] / "schemas", project.root / "schemas")
    tables = project.path("schemas/tables.yaml")
    text = tables.read_text()
    role = "        description: actor (source of the action) or recipient (its target), PLOVER's terms.\n"
    text = text.replace(role, role + (
        "      - name: actor_name\n        type: string\n"
        "        derived: {lookup: name, through: actor_id}\n"
        "        description: The actor's name.\n"), 1)
    notes = "      - name: notes\n        type: string\n        description: Free notes.\n"
    text = text.replace(notes, notes + (
        "      - name: members\n        type: list\n"
        "        derived: {collect: actors.actor_id}\n"
        "        description: Actors that act for this one.\n"), 1)
    tables.write_text(text)
    project.append("annotations/actors.csv", "kim-aide,Kim's aide,,person,PRK,kim-jong-un,,,\n")
    project.write("CHANGELOG.md", CHANGELOG)
    result = invoke("build", "1.0.0", "--root", project.root)
    assert result.exit_code == 0, result.output
    folder = project.path("dataset/1.0.0")
    people = pl.read_parquet(folder / "event_actors.parquet")
    names = dict(zip(people["actor_id"], people["actor_name"], strict=True))
    assert names["kim-jong-un"] == "Kim Jong Un"
    actors = pl.read_parquet(folder / "actors.parquet")
    members = dict(zip(actors["actor_id"], actors["members"].to_list(), strict=True))
    assert members["kim-jong-un"] == ["kim-aide"] and members["kim-aide"] == []
