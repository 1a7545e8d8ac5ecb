"""Any corpus: the curators' guide runs as written, one edit of the codebook reaches
every artefact, a new corpus releases under its own name, and roles survive renames.

- docs/curating.md: its marked blocks (sh, console, file=PATH) are run in order in
  a temporary folder, so the guide cannot drift from the toolkit;
- the "one edit" claim: one optional field added to events in a copy of the
  packaged codebook appears, with its description, in validate, the JSON Schema,
  read_annotations, both release files, datapackage.json and load();
- a corpus in French on another domain (tests/data/corpus-fr), made with
  geoevents init and extended with a field of its own, releases 1.0.0 with
  metadata that speak of it alone, valid for frictionless and for CFF;
- a codebook that renames a value keeps the value's rules when the role goes
  with it, and one in which no value plays a role is refused.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pytest
import yaml
from click.testing import CliRunner

import geoevents
from geoevents import loading
from geoevents.cli import main
from geoevents.codebook import PACKAGED_SCHEMAS, REPO_SCHEMAS, CodebookError, load_codebook
from geoevents.codebook import jsonschema as codebook_jsonschema

TESTS = Path(__file__).parent
DATA = TESTS / "data"
GUIDE = TESTS.parent / "docs" / "curating.md"
SCHEMAS = PACKAGED_SCHEMAS if (PACKAGED_SCHEMAS / "tables.yaml").is_file() else REPO_SCHEMAS
CODEBOOK_FILES = ("tables.yaml", "vocabularies.yaml", "plover.yaml")
#: the last field of events in the packaged codebook: new fields go after it
EVENTS_LAST = "        description: Coding decisions, date reasoning, source errors.\n"
#: what another corpus's release must never say
FOREIGN = ("geoevents", "north korea")


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def copy_project(source: Path, target: Path) -> Path:
    """A copy of a fixture project with a copy of the packaged codebook in schemas/."""
    shutil.copytree(source, target)
    (target / "schemas").mkdir(exist_ok=True)
    for name in CODEBOOK_FILES:
        shutil.copyfile(SCHEMAS / name, target / "schemas" / name)
    return target


def replace_once(path: Path, old: str, new: str) -> int:
    """Replace the one occurrence of ``old`` in a file; the line where it stood."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {path.name} exactly once"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[:text.index(old)].count("\n") + 1


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def found(root: Path) -> set[tuple]:
    return {(p["rule"], p["file"], p["line"], p["field"])
            for p in geoevents.validate(root).to_dicts()}


@pytest.fixture
def bundled(monkeypatch):
    """Point the loader at a project's dataset/ as if it shipped with the package."""
    def point(dataset: Path) -> None:
        monkeypatch.setattr(loading, "bundled_dir", lambda: dataset)
    return point


# -- the guide -----------------------------------------------------------------------

FENCE = re.compile(r"^```(?P<info>[^`\n]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


@dataclass
class Block:
    """A fenced block of the guide: its language, its marks and its text."""

    lang: str
    marks: dict
    body: str
    line: int

    @property
    def runs(self) -> bool:
        return self.lang in ("sh", "console") or "file" in self.marks


def guide_blocks(text: str) -> list[Block]:
    out = []
    for m in FENCE.finditer(text):
        words = shlex.split(m["info"])
        marks = dict(w.split("=", 1) if "=" in w else (w, True) for w in words[1:])
        out.append(Block(words[0] if words else "", marks, m["body"],
                         text[:m.start()].count("\n") + 1))
    return out


@dataclass
class Run:
    """Runs the guide's blocks in order; ``cwd`` follows the sh blocks' cd."""

    cwd: Path
    env: dict = field(default_factory=dict)

    def block(self, b: Block) -> None:
        where = f"docs/curating.md, block at line {b.line}"
        if "file" in b.marks:
            self.write(b, where)
        elif b.lang == "sh":
            script = f"set -e\n{b.body}\npwd > \"$GUIDE_CWD\"\n"
            done = subprocess.run(["bash", "-c", script], check=False, cwd=self.cwd, env=self.env,
                                  capture_output=True, text=True)
            assert done.returncode == 0, f"{where} failed:\n{done.stdout}{done.stderr}"
            self.cwd = Path(Path(self.env["GUIDE_CWD"]).read_text().strip())
        else:
            self.console(b, where)

    def write(self, b: Block, where: str) -> None:
        path = self.cwd / b.marks["file"]
        if "append" in b.marks:
            text = path.read_text(encoding="utf-8")
            path.write_text(text + ("" if text.endswith("\n") else "\n") + b.body, "utf-8")
        elif "after" in b.marks:
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            at = next((i for i, line in enumerate(lines) if b.marks["after"] in line), None)
            assert at is not None, f"{where}: no line of {b.marks['file']} holds " \
                                   f"{b.marks['after']!r}"
            keep = at if "replace" in b.marks else at + 1
            path.write_text("".join(lines[:keep]) + b.body + "".join(lines[at + 1:]), "utf-8")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(b.body, encoding="utf-8")

    def console(self, b: Block, where: str) -> None:
        steps = re.split(r"^\$ ", b.body, flags=re.MULTILINE)
        assert steps[0] == "", f"{where}: a console block starts with '$ command'"
        for step in steps[1:]:
            command, _, expected = step.partition("\n")
            done = subprocess.run(["bash", "-c", command], check=False, cwd=self.cwd, env=self.env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            got = [line.rstrip() for line in done.stdout.rstrip("\n").splitlines()]
            want = [line.rstrip() for line in expected.rstrip("\n").splitlines()]
            assert got == want, f"{where}: '$ {command}' printed\n" + "\n".join(got)


def guide_env(tmp: Path) -> dict:
    """The environment of the guide's commands: the geoevents of this interpreter first."""
    geoevents_cli = Path(sys.executable).parent / "geoevents"
    if not geoevents_cli.exists():
        pytest.skip("the geoevents command is not installed beside this Python")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOEVENTS_")}
    env.update(PATH=f"{geoevents_cli.parent}{os.pathsep}{env.get('PATH', '')}",
               GUIDE_CWD=str(tmp / ".cwd"), GEOEVENTS_CACHE=str(tmp / "cache"),
               PYTHONIOENCODING="utf-8", LC_ALL="C.UTF-8")
    return env


@pytest.fixture(scope="module")
def guide(tmp_path_factory) -> Path:
    """The project the guide's sections 4 and 5 make, run as the guide writes it."""
    if shutil.which("sha256sum") is None:
        pytest.skip("the guide's example uses sha256sum")
    tmp = tmp_path_factory.mktemp("guide")
    work = tmp / "work"
    work.mkdir()
    run = Run(work, guide_env(tmp))
    for b in guide_blocks(GUIDE.read_text(encoding="utf-8")):
        if b.runs:
            run.block(b)
    return run.cwd


def test_the_guide_marks_every_step_of_the_worked_example():
    """What the guide runs covers init, the project file, a source registered, an event
    signed off, a field, validate, a dry run, status, drafted CHANGELOG sections and
    the releases (a guide that lost its marks would test nothing)."""
    blocks = [b for b in guide_blocks(GUIDE.read_text(encoding="utf-8")) if b.runs]
    commands = "\n".join(b.body for b in blocks if b.lang in ("sh", "console"))
    files = {b.marks["file"] for b in blocks if "file" in b.marks}
    for command in ("geoevents init crues", "geoevents validate", "geoevents source add seeds/",
                    "geoevents sign-off ", "geoevents build 1.0.0 --dry-run", "geoevents status",
                    "geoevents changelog ", "geoevents build 1.0.0", "geoevents build 1.1.0"):
        assert command in commands
    assert {"geoevents.yaml", "seeds/sources.yaml", "annotations/events.yaml",
            "schemas/tables.yaml", "schemas/vocabularies.yaml"} <= files


def test_the_guide_runs_as_written(guide):
    index = json.loads((guide / "dataset" / "index.json").read_text())
    assert index["name"] == "crues"
    assert [v["version"] for v in index["versions"]] == ["1.0.0", "1.1.0"]


def test_the_guides_field_table_and_derived_column_are_released(guide, bundled):
    release = guide / "dataset"
    first = pl.read_csv(release / "1.0.0" / "events.csv")
    assert first.columns[-1] == "hazard" and first.get_column("hazard").to_list() == ["flood"]
    package = json.loads((release / "1.1.0" / "datapackage.json").read_text())
    resources = {r["name"]: r for r in package["resources"]}
    tables = [name for name, r in resources.items() if "schema" in r]  # not the explorer
    assert tables[-1] == "impacts"
    impacts = resources["impacts"]["schema"]
    assert impacts["primaryKey"] == ["event_id", "kind"]
    assert impacts["foreignKeys"] == [{"fields": "event_id",
                                       "reference": {"resource": "events", "fields": "event_id"}}]
    hazard = next(f for f in resources["events"]["schema"]["fields"] if f["name"] == "hazard")
    assert hazard["constraints"] == {"enum": ["flood", "storm", "landslide"]}
    bundled(release)
    assert geoevents.load("impacts").rows() == [("2018-10-15-renforts-aude", "evacuated", 120)]
    events = geoevents.load()
    assert events.columns[-2:] == ["hazard", "impact_kinds"]
    assert events.get_column("impact_kinds").to_list() == [["evacuated"]]


# -- one edit: an optional field added to events -------------------------------------

CASUALTIES = ("      - name: casualties\n"
              "        type: integer\n"
              "        minimum: 0\n"
              "        description: People killed or injured, as the sources count them.\n")
DESCRIPTION = "People killed or injured, as the sources count them."
#: the YAML event of the fixture gets its value after this line
YAML_AFTER = '  checked_on: "2023-10-01"\n'


def with_casualties(root: Path, value: str | None = None) -> int | None:
    """THE edit: the field in schemas/tables.yaml; and, when given, the YAML event's
    value. Returns the line the value is written on."""
    replace_once(root / "schemas" / "tables.yaml", EVENTS_LAST, EVENTS_LAST + CASUALTIES)
    if value is None:
        return None
    return replace_once(root / "annotations" / "events.yaml", YAML_AFTER,
                        f"{YAML_AFTER}  casualties: {value}\n") + 1


@pytest.fixture(scope="module")
def one_edit(tmp_path_factory) -> Path:
    """The fixture project, the field added and given once, released as 1.0.0."""
    root = copy_project(DATA / "valid", tmp_path_factory.mktemp("one-edit") / "project")
    with_casualties(root, "3")
    (root / "CHANGELOG.md").write_text("# Changelog\n\n## [1.0.0] - 2023-10-02\n\n- First.\n")
    result = invoke("build", "1.0.0", "--root", root)
    assert result.exit_code == 0, result.output
    return root


def test_the_one_edit_is_all_that_changed(one_edit):
    """Beside the release and its CHANGELOG, the project differs from the fixture and
    the packaged codebook in tables.yaml (the field) and events.yaml (its value) only."""
    originals = {p.relative_to(DATA / "valid"): p for p in (DATA / "valid").rglob("*")
                 if p.is_file()}
    originals |= {Path("schemas") / name: SCHEMAS / name for name in CODEBOOK_FILES}
    edited = {p.relative_to(one_edit) for p in one_edit.rglob("*") if p.is_file()
              and p.parts[len(one_edit.parts)] != "dataset" and p.name != "CHANGELOG.md"
              and (p.relative_to(one_edit) not in originals
                   or p.read_bytes() != originals[p.relative_to(one_edit)].read_bytes())}
    assert edited == {Path("schemas/tables.yaml"), Path("annotations/events.yaml")}


@pytest.mark.parametrize("value, rule", [("-1", "range"), ("many", "type"), ("2.5", "type")])
def test_validate_checks_the_new_field(tmp_path, value, rule):
    root = copy_project(DATA / "valid", tmp_path / "project")
    line = with_casualties(root, value)
    assert found(root) == {(rule, "annotations/events.yaml", line, "casualties")}


def test_validate_checks_the_new_field_in_csv_too(tmp_path):
    root = copy_project(DATA / "valid", tmp_path / "project")
    with_casualties(root)
    csv = root / "annotations" / "events-flat.csv"
    text = csv.read_text(encoding="utf-8").splitlines()
    csv.write_text(f"{text[0]},casualties\n{text[1]},-4\n", encoding="utf-8")
    assert found(root) == {("range", "annotations/events-flat.csv", 2, "casualties")}


def test_a_good_value_validates_and_is_read(one_edit):
    assert found(one_edit) == set()
    events = geoevents.read_annotations(one_edit)["events"].sort("event_id")
    assert events.schema["casualties"] == pl.Int64
    # the CSV file of events does not have the column: an optional field may be absent
    assert events.get_column("casualties").to_list() == [3, None]


def test_the_json_schema_describes_the_new_field(one_edit):
    import jsonschema

    codebook = load_codebook(one_edit / "schemas")
    schema = codebook_jsonschema.schema(codebook, "events")
    prop = schema["items"]["properties"]["casualties"]
    assert prop["description"] == DESCRIPTION
    assert {"minimum": 0}.items() <= prop["anyOf"][0].items()
    records = yaml.safe_load((one_edit / "annotations" / "events.yaml").read_text("utf-8"))
    jsonschema.validate(records, schema)
    for bad in (-1, "many"):
        records[0]["casualties"] = bad
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(records, schema)


def test_both_release_files_carry_the_new_field(one_edit):
    folder = one_edit / "dataset" / "1.0.0"
    header = (folder / "events.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[-2:] == ["notes", "casualties"]  # where the codebook puts it
    assert pl.read_parquet_schema(folder / "events.parquet")["casualties"] == pl.Int64
    import pyarrow.parquet as pq  # the Parquet file's own schema, not polars' reading of it

    assert str(pq.read_schema(folder / "events.parquet").field("casualties").type) == "int64"
    assert (folder / "events.csv").read_text(encoding="utf-8").splitlines()[1].endswith(",3")


def test_datapackage_describes_the_new_field(one_edit):
    from frictionless import validate

    path = one_edit / "dataset" / "1.0.0" / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    events = next(r for r in package["resources"] if r["name"] == "events")
    assert events["schema"]["fields"][-1] == {
        "name": "casualties", "type": "integer", "description": DESCRIPTION,
        "constraints": {"minimum": 0}}
    assert validate(path).valid


def test_the_quality_suite_checks_the_new_field(one_edit):
    quality = json.loads((one_edit / "dataset" / "1.0.0" / "quality.json").read_text())
    (check,) = [r for r in quality["tables"]["events"] if r["kwargs"].get("column") == "casualties"]
    assert check["expectation"] == "expect_column_values_to_be_between"
    assert check["kwargs"]["min_value"] == 0 and check["success"]


def test_load_offers_the_new_field(one_edit, bundled):
    bundled(one_edit / "dataset")
    for events in (geoevents.load(), geoevents.load("events", version="1.0.0"),
                   geoevents.scan("events").collect()):
        assert events.schema["casualties"] == pl.Int64
        assert dict(events.select("event_id", "casualties").rows()) == {
            "2023-09-13-kim-putin-vostochny": 3, "2023-09-us-warns-north-korea": None}


#: one optional field of each other type, with a good value and a bad one, and what
#: the release stores and datapackage.json says of it
EVERY_TYPE = {
    "confirmed": ("type: boolean", "true", "maybe", "type", pl.Boolean, "boolean", None),
    "reported_on": ("type: date", '"2023-09-14"', '"14/09/2023"', "type", pl.Date, "date", None),
    "announced": ("type: edtf", '"2023-09~"', "soon", "date-format", pl.String, "string", None),
    "share": ("type: number\n        minimum: 0\n        maximum: 1", "0.5", "1.5", "range",
              pl.Float64, "number", {"minimum": 0, "maximum": 1}),
    "topics": ("type: list\n        vocabulary: [arms, talks]", "[arms, talks]", "[armz]",
               "vocabulary", pl.List(pl.String), "string", None),
    "label": ("type: string\n        pattern: '^[A-Z]{3}$'", "ABC", "abc", "pattern", pl.String,
              "string", {"pattern": "^[A-Z]{3}$"}),
}


def with_every_type(root: Path, good: bool) -> dict[str, int]:
    """Six fields added to events, each given a good or a bad value; their lines."""
    spec = "".join(f"      - name: {name}\n        {kind}\n        description: The {name}.\n"
                   for name, (kind, *_) in EVERY_TYPE.items())
    replace_once(root / "schemas" / "tables.yaml", EVENTS_LAST, EVENTS_LAST + spec)
    values = "".join(f"  {name}: {v[1] if good else v[2]}\n" for name, v in EVERY_TYPE.items())
    first = replace_once(root / "annotations" / "events.yaml", YAML_AFTER, YAML_AFTER + values)
    return {name: first + 1 + i for i, name in enumerate(EVERY_TYPE)}


def test_a_field_of_any_type_is_one_edit_too(tmp_path, bundled):
    bad = copy_project(DATA / "valid", tmp_path / "bad")
    lines = with_every_type(bad, good=False)
    assert found(bad) == {(v[3], "annotations/events.yaml", lines[name], name)
                          for name, v in EVERY_TYPE.items()}
    root = copy_project(DATA / "valid", tmp_path / "good")
    with_every_type(root, good=True)
    (root / "CHANGELOG.md").write_text("# Changelog\n\n## [1.0.0] - 2023-10-02\n\n- First.\n")
    result = invoke("build", "1.0.0", "--root", root)
    assert result.exit_code == 0, result.output
    package = json.loads((root / "dataset/1.0.0/datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    bundled(root / "dataset")
    events = geoevents.load()
    assert events.columns[-len(EVERY_TYPE):] == list(EVERY_TYPE)
    for name, (*_, dtype, kind, constraints) in EVERY_TYPE.items():
        assert events.schema[name] == dtype, name
        assert fields[name]["type"] == kind and fields[name].get("constraints") == constraints
        assert fields[name]["description"].startswith(f"The {name}.")
    row = events.filter(pl.col("event_id") == "2023-09-13-kim-putin-vostochny").row(0, named=True)
    assert [row[name] for name in EVERY_TYPE] == [
        True, dt.date(2023, 9, 14), "2023-09~", 0.5, ["arms", "talks"], "ABC"]


def test_the_too_long_hint_of_a_field_that_is_not_a_quote(tmp_path):
    root = copy_project(DATA / "valid", tmp_path / "project")
    replace_once(root / "schemas" / "tables.yaml", EVENTS_LAST,
                 EVENTS_LAST + "      - name: label\n        max_length: 3\n"
                               "        description: A short label.\n")
    replace_once(root / "annotations" / "events.yaml", YAML_AFTER, YAML_AFTER + "  label: ABCD\n")
    (hint,) = geoevents.validate(root).get_column("hint").to_list()
    assert "cite" not in hint


def test_the_range_hint_of_a_one_sided_bound(tmp_path):
    root = copy_project(DATA / "valid", tmp_path / "project")
    with_casualties(root, "-1")
    (hint,) = geoevents.validate(root).get_column("hint").to_list()
    assert "None" not in hint and "0" in hint


# -- a new corpus: French, a municipal campaign ---------------------------------------

CORPUS = DATA / "corpus-fr"
BALLOT_ROUND = ("      - name: ballot_round\n"
                "        type: integer\n"
                "        minimum: 1\n"
                "        maximum: 2\n"
                "        description: Round of the election the event belongs to (1 or 2).\n")


@dataclass
class Corpus:
    root: Path
    about: dict
    timeline_titles: list

    @property
    def release(self) -> Path:
        return self.root / "dataset" / "1.0.0"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Corpus:
    """geoevents init, the fixture's files copied in, its field added, 1.0.0 built."""
    root = tmp_path_factory.mktemp("corpus") / "municipales-2020"
    result = invoke("init", root)
    assert result.exit_code == 0, result.output
    shutil.copytree(CORPUS, root, dirs_exist_ok=True)
    replace_once(root / "schemas" / "tables.yaml", EVENTS_LAST, EVENTS_LAST + BALLOT_ROUND)
    assert found(root) == set()
    from geoevents.release import timeline

    titles = []
    draw = timeline.draw

    def recording(events, path, title, codebook):
        titles.append(title)
        return draw(events, path, title, codebook)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timeline, "draw", recording)
        result = invoke("build", "1.0.0", "--root", root)
    assert result.exit_code == 0, result.output
    about = yaml.safe_load((CORPUS / "geoevents.yaml").read_text(encoding="utf-8"))
    return Corpus(root, about, titles)


def test_the_new_corpus_releases_its_own_events(corpus):
    events = pl.read_parquet(corpus.release / "events.parquet")
    assert events.get_column("event_id").to_list() == [
        "2020-06-02-fusion-listes-gauche", "2020-06-19-morel-accuse-dumas",
        "2020-06-24-prefecture-reunit-candidats"]
    assert events.get_column("ballot_round").to_list() == [2, 2, None]
    assert events.schema["ballot_round"] == pl.Int64
    citations = pl.read_csv(corpus.release / "citations.csv")
    assert citations.height == 4 and citations.get_column("quote_en").null_count() == 0


def test_every_metadata_file_speaks_of_the_new_corpus(corpus):
    about, folder = corpus.about, corpus.release
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert (package["name"], package["title"], package["description"]) == (
        about["name"], about["title"], about["description"])
    assert package["keywords"] == about["keywords"]
    assert package["licenses"] == [{"name": "CC-BY-SA-4.0",
                                    "path": "https://spdx.org/licenses/CC-BY-SA-4.0.html",
                                    "title": "Creative Commons Attribution Share Alike 4.0 "
                                             "International"}]
    assert package["homepage"] == about["homepage"]
    assert package["id"] == f"https://doi.org/{about['doi']}"
    cff = yaml.safe_load((folder / "CITATION.cff").read_text(encoding="utf-8"))
    assert (cff["title"], cff["abstract"], cff["license"], cff["keywords"]) == (
        about["title"], about["description"], about["data_license"], about["keywords"])
    assert (cff["doi"], cff["url"], cff["repository"]) == (
        about["doi"], about["homepage"], about["repository"])
    assert cff["authors"] == [
        {"name": "Amélie Roux", "orcid": "https://orcid.org/0000-0002-1825-0097"},
        {"name": "Yanis Benali"}]
    readme = (folder / "README.md").read_text(encoding="utf-8").splitlines()
    assert readme[:3] == [f"# {about['name']} 1.0.0", "", f"*{about['title']}*"]
    assert f"Home page: {about['homepage']}. Contact: {about['contact']}." in readme
    index = json.loads((corpus.root / "dataset" / "index.json").read_text(encoding="utf-8"))
    assert index["name"] == about["name"]
    assert corpus.timeline_titles == [f"{about['name']} 1.0.0"]


def test_no_release_file_names_another_corpus(corpus):
    files = [*corpus.release.iterdir(), corpus.root / "dataset" / "index.json"]
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace").lower()
        for word in FOREIGN:
            assert word not in text, f"{path.name} mentions {word!r}"


def test_the_new_corpus_passes_frictionless_validate(corpus):
    from frictionless import validate

    report = validate(corpus.release / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = json.loads((corpus.release / "datapackage.json").read_text(encoding="utf-8"))
    events = next(r for r in package["resources"] if r["name"] == "events")
    assert events["schema"]["fields"][-1] == {
        "name": "ballot_round", "type": "integer",
        "description": "Round of the election the event belongs to (1 or 2).",
        "constraints": {"minimum": 1, "maximum": 2}}


def test_the_new_corpus_citation_is_valid_cff(corpus):
    import jsonschema

    schema = json.loads((DATA / "cff-schema-1.2.0.json").read_text(encoding="utf-8"))
    cff = yaml.safe_load((corpus.release / "CITATION.cff").read_text(encoding="utf-8"))
    jsonschema.validate(cff, schema)
    assert (cff["type"], cff["version"], cff["date-released"]) == ("dataset", "1.0.0",
                                                                    "2020-07-01")


def test_load_reads_the_new_corpus(corpus, bundled):
    bundled(corpus.root / "dataset")
    assert geoevents.versions() == ["1.0.0"]
    actors = geoevents.load("actors")
    assert actors.filter(pl.col("actor_id") == "prefecture-haute-savoie").get_column(
        "name_fr").to_list() == ["préfecture de la Haute-Savoie"]


def test_init_names_a_corpus_after_an_accented_folder(tmp_path):
    assert invoke("init", tmp_path / "Élections-été").exit_code == 0
    about = yaml.safe_load((tmp_path / "Élections-été" / "geoevents.yaml").read_text("utf-8"))
    assert about["name"] == "elections-ete"


def test_a_release_without_citations_or_sources(corpus, tmp_path):
    """A corpus whose sources may not be quoted publishes no citations: the codebook
    allows it, so the build either releases it or the loader refuses the codebook."""
    root = shutil.copytree(corpus.root, tmp_path / "project",
                           ignore=shutil.ignore_patterns("dataset"))
    replace_once(root / "schemas" / "tables.yaml",
                 "release_tables: [events, event_actors, citations, actors, locations, sources, "
                 "errata]", "release_tables: [events, event_actors, actors, locations]")
    result = invoke("build", "1.0.0", "--root", root)
    assert result.exit_code == 0 or (result.exit_code == 1 and "tables.yaml" in result.output), \
        result.output


# -- roles: a renamed value keeps its rules ------------------------------------------


@dataclass(frozen=True)
class Rename:
    """A vocabulary value renamed with its role, the annotations that use it, and one
    edit that breaks the rule the role stands for (with the problem it must give)."""

    vocabulary: tuple[str, str]
    annotations: tuple[tuple[str, str, str], ...]
    breaks: tuple[str, str, str]
    problem: tuple[str, str, str]  # rule, file, field; the line is that of the break
    tables: tuple[tuple[str, str], ...] = ()


RENAMES = {
    "status occurred -> happened": Rename(
        ("  occurred:\n    role: happened", "  happened:\n    role: happened"),
        (("annotations/events.yaml", "status: occurred", "status: happened"),
         ("annotations/events-flat.csv", ",occurred,", ",happened,")),
        ("annotations/events.yaml", 'date: "2023-09-13"', 'date: "2023-09-20"'),
        ("date-after-sources", "annotations/events.yaml", "date")),
    "role actor -> initiator": Rename(
        ("  actor:\n    role: source", "  initiator:\n    role: source"),
        (("annotations/events.yaml", "role: actor}", "role: initiator}"),
         ("annotations/event_actors.csv", "us-nsc,actor", "us-nsc,initiator")),
        ("annotations/event_actors.csv", "us-nsc,initiator", "us-nsc,recipient"),
        ("no-actor", "annotations/events-flat.csv", "event_id"),
        tables=(("where: {role: actor}}", "where: {role: initiator}}"),
                ("where: {role: actor}, then", "where: {role: initiator}, then"))),
    "precision point -> site": Rename(
        ("  point:\n    role: point", "  site:\n    role: point"),
        (("annotations/locations.csv", ",point,", ",site,"),),
        ("annotations/locations.csv", "51.884,128.333,site", ",,site"),
        ("coordinates-missing", "annotations/locations.csv", "lat")),
}


def renamed(tmp_path, rename: Rename) -> Path:
    root = copy_project(DATA / "valid", tmp_path / "renamed")
    replace_once(root / "schemas" / "vocabularies.yaml", *rename.vocabulary)
    for old, new in rename.tables:
        replace_once(root / "schemas" / "tables.yaml", old, new)
    for rel, old, new in rename.annotations:
        replace_once(root / rel, old, new)
    return root


@pytest.mark.parametrize("name", RENAMES)
def test_a_renamed_value_keeps_its_rule(tmp_path, name):
    rename = RENAMES[name]
    root = renamed(tmp_path, rename)
    assert found(root) == set()
    rel, old, new = rename.breaks
    line = replace_once(root / rel, old, new)
    rule, file, field_name = rename.problem
    problems = found(root)
    if rule == "no-actor":  # reported on the event, not on the participant's row
        line = line_of(root / file, "2023-09-us-warns-north-korea")
    assert problems == {(rule, file, line, field_name)}


def test_a_renamed_value_breaks_like_the_original(tmp_path):
    """The same mistake gives the same problem under either spelling of the status."""
    original = copy_project(DATA / "valid", tmp_path / "original")
    replace_once(original / "annotations/events.yaml", 'date: "2023-09-13"', 'date: "2023-09-20"')
    root = renamed(tmp_path, RENAMES["status occurred -> happened"])
    replace_once(root / "annotations/events.yaml", 'date: "2023-09-13"', 'date: "2023-09-20"')
    assert found(root) == found(original) != set()


def test_the_old_spelling_is_then_a_vocabulary_error(tmp_path):
    root = renamed(tmp_path, RENAMES["status occurred -> happened"])
    line = replace_once(root / "annotations/events.yaml", "status: happened", "status: occurred")
    problems = geoevents.validate(root).to_dicts()
    assert {(p["rule"], p["file"], p["line"], p["field"]) for p in problems} == {
        ("vocabulary", "annotations/events.yaml", line, "status")}
    assert "happened" in problems[0]["hint"]


def test_a_where_that_names_a_renamed_value_is_refused_with_its_line(tmp_path):
    rename = RENAMES["role actor -> initiator"]
    root = renamed(tmp_path, Rename(rename.vocabulary, rename.annotations, rename.breaks,
                                   rename.problem))
    with pytest.raises(CodebookError) as info:
        geoevents.validate(root)
    tables = root / "schemas" / "tables.yaml"
    assert (info.value.file, info.value.line) == (str(tables),
                                                  line_of(tables, "where: {role: actor}}"))
    assert "'actor' is not a value" in info.value.message


@pytest.mark.parametrize("old, role", [("  occurred:\n    role: happened\n", "happened"),
                                       ("  recipient:\n    role: target\n", "target"),
                                       ("  settlement:\n    role: point\n", None)])
def test_a_codebook_without_a_role_a_rule_needs_is_refused(tmp_path, old, role):
    root = copy_project(DATA / "valid", tmp_path / "project")
    vocabularies = root / "schemas" / "vocabularies.yaml"
    name = old.split(":")[0].strip()
    line = replace_once(vocabularies, old, f"  {name}:\n")
    if role is None:  # point is still played by 'point': the codebook stays valid
        assert found(root) == set()
        return
    vocabulary = {"happened": "statuses", "target": "roles"}[role]
    with pytest.raises(CodebookError) as info:
        geoevents.validate(root)
    assert (info.value.file, info.value.line) == (str(vocabularies),
                                                  line_of(vocabularies, f"{vocabulary}:"))
    assert f"no value of vocabulary {vocabulary} has the role {role!r}" in info.value.message
    assert f"role: {role}" in info.value.hint
    assert line > info.value.line


def test_a_mistyped_role_is_refused_with_its_line(tmp_path):
    root = copy_project(DATA / "valid", tmp_path / "project")
    vocabularies = root / "schemas" / "vocabularies.yaml"
    line = replace_once(vocabularies, "    role: happened\n", "    role: happend\n")
    with pytest.raises(CodebookError) as info:
        geoevents.validate(root)
    assert (info.value.file, info.value.line) == (str(vocabularies), line)
    assert "did you mean 'happened'?" in info.value.hint


@pytest.mark.parametrize("date", ["2023-09-20", "2099-01-01"])
def test_hints_name_the_projects_own_values(tmp_path, date):
    root = copy_project(DATA / "valid", tmp_path / "renamed")
    replace_once(root / "schemas" / "vocabularies.yaml", "  planned:\n    role: foreseen",
                 "  announced:\n    role: foreseen")
    replace_once(root / "annotations/events.yaml", 'date: "2023-09-13"', f'date: "{date}"')
    (hint,) = geoevents.validate(root).get_column("hint").to_list()
    assert "planned" not in hint
