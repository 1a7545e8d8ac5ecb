"""Exports (POLECAT, GeoJSON, Web Annotation) and the crosswalk columns of events."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import geoevents
from geoevents import exports
from geoevents.cli import main
from geoevents.codebook import CodebookError, load_codebook
from geoevents.codebook import crosswalk as X

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
CHANGELOG = "# Changelog\n\n## [1.0.0] - 2023-10-02\n\n### Added\n\n- First release.\n"

POLECAT = [
    "Event ID", "Event Date", "Event Type", "Event Mode", "Intensity", "Quad Code", "Contexts",
    "Actor Name", "Actor Country", "Actor COW", "Primary Actor Sector", "Actor Sectors",
    "Actor Title", "Actor Name Raw", "Wikipedia Actor ID", "Recipient Name",
    "Recipient Country", "Recipient COW", "Primary Recipient Sector", "Recipient Sectors",
    "Recipient Title", "Recipient Name Raw", "Wikipedia Recipient ID", "Placename", "City",
    "District", "Province", "Country", "Latitude", "Longitude", "GeoNames ID", "Raw Placename",
    "Feature Type", "Source", "Publication Date", "Story People", "Story Organizations",
    "Story Locations", "Language", "Version",
]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def latest_tables(*names: str) -> dict[str, pl.DataFrame]:
    return {n: geoevents.load(n) for n in names}


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """The fixture project built into a temporary folder as release 1.0.0."""
    root = tmp_path_factory.mktemp("exports") / "project"
    shutil.copytree(DATA / "valid", root)
    (root / "CHANGELOG.md").write_text(CHANGELOG, encoding="utf-8")
    result = invoke("build", "1.0.0", "--root", root)
    assert result.exit_code == 0, result.output
    return root


# -- POLECAT ----------------------------------------------------------------------------

def test_polecat_header_is_polecats_own():
    text = exports.polecat(latest_tables(*exports.TABLES["polecat"]), "x")
    assert text.splitlines()[0].split("\t") == POLECAT
    assert list(exports.POLECAT_COLUMNS) == POLECAT


def test_polecat_has_one_row_per_actor_recipient_pair():
    tables = latest_tables(*exports.TABLES["polecat"])
    events = tables["events"]
    pairs = sum(max(1, len(a)) * max(1, len(r))
                for a, r in events.select("actor_ids", "recipient_ids").iter_rows())
    result = invoke("export", "--format", "polecat")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    rows = [line.split("\t") for line in lines[1:]]
    assert len(rows) == pairs > events.height
    assert {len(r) for r in rows} == {len(POLECAT)}
    table = dict(zip(POLECAT, zip(*rows, strict=True), strict=True))
    for name in exports.POLECAT_EMPTY:  # the README lists them as empty
        assert set(table[name]) == {""}, name
    assert set(table["Event ID"]) == set(events.get_column("event_id"))
    assert set(table["Version"]) == {geoevents.versions()[-1]}
    assert set(table["Quad Code"]) <= {"1", "2", "3", "4"}
    # an event without a recipient: one row per actor, the recipient's columns empty
    alone = events.filter(pl.col("recipient_ids").list.len() == 0).row(0, named=True)
    mine = [r for r in rows if r[0] == alone["event_id"]]
    assert len(mine) == len(alone["actor_ids"])
    assert {r[POLECAT.index("Recipient Name")] for r in mine} == {""}
    # a North Korean actor has COW 731
    korea = [r for r in rows if r[POLECAT.index("Actor Country")] == "PRK"]
    assert korea and {r[POLECAT.index("Actor COW")] for r in korea} == {"731"}


def test_polecat_reads_mode_and_modes():
    events = pl.DataFrame({"mode": ["verbal", None]})
    assert events.select(m=exports.modes(events)).get_column("m").to_list() == [["verbal"], []]
    events = pl.DataFrame({"modes": [["a", "b"], None]})
    assert events.select(m=exports.modes(events)).get_column("m").to_list() == [["a", "b"], []]


# -- GeoJSON ----------------------------------------------------------------------------

def test_geojson_reads_with_gdal(tmp_path):
    import pyogrio
    from pyogrio.raw import read

    out = tmp_path / "events.geojson"
    result = invoke("export", "--format", "geojson", "--out", out)
    assert result.exit_code == 0 and result.output == "", result.output
    events = geoevents.load()
    info = pyogrio.read_info(out)
    assert info["features"] == events.height
    assert info["crs"] == "EPSG:4326"
    _meta, _fids, geometry, fields = read(out)
    columns = dict(zip(_meta["fields"], fields, strict=True))
    assert sorted(columns["event_id"]) == sorted(events.get_column("event_id"))
    placed = events.filter(pl.col("location_lat").is_not_null()).height
    assert sum(g is not None for g in geometry) == placed < events.height
    doc = json.loads(out.read_text(encoding="utf-8"))
    first = doc["features"][0]
    assert first["id"] == first["properties"]["event_id"]
    assert isinstance(first["properties"]["actor_ids"], list)
    point = next(f for f in doc["features"] if f["geometry"])
    p = point["properties"]
    assert point["geometry"]["coordinates"] == [p["location_lon"], p["location_lat"]]


# -- Web Annotation ---------------------------------------------------------------------

def schema_check(doc: dict) -> None:
    import jsonschema

    schema = json.loads((DATA / "web-annotation.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)


def test_web_annotations_select_the_quote_in_its_source():
    tables = latest_tables(*exports.TABLES["web-annotation"])
    texts = exports.seed_texts(REPO, tables["sources"])
    assert set(texts) == set(tables["sources"].get_column("source_id"))
    doc = exports.web_annotations(tables, "x", texts)
    schema_check(doc)
    items = doc["first"]["items"]
    assert doc["total"] == len(items) == tables["citations"].height
    assert len({a["id"] for a in items}) == len(items)
    ids = dict(zip(tables["sources"].get_column("sha256").map_elements(
        exports.named_information, return_dtype=pl.String), tables["sources"]
        .get_column("source_id"), strict=True))
    for a in items:
        quote, position = a["target"]["selector"]
        text = texts[ids[a["target"]["source"]["id"]]]
        start, end = position["start"], position["end"]
        assert quote["exact"] == text[start:end]
        assert quote.get("prefix", "") == text[max(0, start - 32):start]
        assert quote.get("suffix", "") == text[end:end + 32]
        english = [b for b in a["body"] if b["type"] == "TextualBody"]
        assert [b["language"] for b in english] == ["en"]


def test_web_annotations_without_the_seeds_have_no_prefix_or_suffix():
    tables = latest_tables(*exports.TABLES["web-annotation"])
    doc = exports.web_annotations(tables, "x")
    schema_check(doc)
    quotes = [a["target"]["selector"][0] for a in doc["first"]["items"]]
    assert {tuple(sorted(q)) for q in quotes} == {("exact", "type")}
    assert [q["exact"] for q in quotes] == tables["citations"].sort(
        "event_id", "source_id", "char_start", "quote").get_column("quote").to_list()


def test_web_annotations_leave_out_a_changed_seed(tmp_path):
    sources = geoevents.load("sources")
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    changed = sources.row(0, named=True)
    with open(tmp_path / "seeds" / changed["file"], "a", encoding="utf-8") as fh:
        fh.write("\n")
    texts = exports.seed_texts(tmp_path, sources)
    assert set(texts) == set(sources.get_column("source_id")) - {changed["source_id"]}


# -- release files ----------------------------------------------------------------------

def test_a_release_carries_the_geojson_and_web_annotations(released):
    folder = released / "dataset" / "1.0.0"
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["path"]: r for r in package["resources"]}
    assert resources["events.geojson"]["mediatype"] == "application/geo+json"
    assert resources["citations.jsonld"]["mediatype"] == (
        'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"')
    sums = dict(line.split("  ")[::-1] for line in
                (folder / "SHA256SUMS").read_text().splitlines())
    for name in ("events.geojson", "citations.jsonld"):
        assert resources[name]["hash"] == f"sha256:{sums[name]}"
    doc = json.loads((folder / "citations.jsonld").read_text(encoding="utf-8"))
    schema_check(doc)
    assert all("prefix" in a["target"]["selector"][0] for a in doc["first"]["items"])
    events = pl.read_parquet(folder / "events.parquet")
    geo = json.loads((folder / "events.geojson").read_text(encoding="utf-8"))
    assert [f["id"] for f in geo["features"]] == sorted(events.get_column("event_id"))
    from frictionless import validate

    report = validate(folder / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_release_crosswalk_columns(released):
    events = pl.read_parquet(released / "dataset" / "1.0.0" / "events.parquet")
    assert events.schema["actor_cow"] == pl.List(pl.Int64)
    assert events.schema["location_gw"] == pl.Int64
    for row in events.iter_rows(named=True):
        assert len(row["actor_cow"]) == len(row["actor_countries"])
        assert len(row["recipient_iso_numeric"]) == len(row["recipient_countries"])
    csv = pl.read_csv(released / "dataset" / "1.0.0" / "events.csv", infer_schema=False)
    assert csv.get_column("actor_cow").to_list() == [
        ";".join("" if n is None else str(n) for n in v)
        for v in events.get_column("actor_cow").to_list()]


# -- the command line -------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (("--format", "csv"), "Invalid value for '--format': 'csv' is not one of"),
    (("--format", "polecat", "--version", "9.9.9"), "unknown version '9.9.9'"),
    (("--format", "geojson", "--out", "{tmp}/missing/events.geojson"), "does not exist"),
    (("--format", "geojson", "--out", "{tmp}"), "is a directory"),
])
def test_bad_arguments_are_clear_errors(tmp_path, args, message):
    result = invoke("export", *(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert not (tmp_path / "missing").exists()


def test_out_replaces_the_file_whole(tmp_path):
    out = tmp_path / "citations.jsonld"
    out.write_text("old", encoding="utf-8")
    assert invoke("export", "--format", "web-annotation", "--root", REPO,
                  "--out", out).exit_code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert "prefix" in doc["first"]["items"][0]["target"]["selector"][0]
    assert [p.name for p in tmp_path.iterdir()] == ["citations.jsonld"]


# -- crosswalks -------------------------------------------------------------------------

def test_countries_csv_is_the_countrycode_codelist():
    """Every COW and G-W number of schemas/countries.csv is the one the countrycode
    codelist (its published source, as shipped by the countrycode package) gives."""
    import pickle

    import countrycode
    import pycountry

    with open(Path(countrycode.__path__[0]) / "data" / "codelist.pickle", "rb") as fh:
        codelist = pickle.load(fh)
    expected = {iso: (cow, gw) for iso, cow, gw in
                zip(codelist["iso3c"], codelist["cown"], codelist["gwn"], strict=True) if iso}
    table = X.countries(load_codebook(REPO / "schemas"))
    assert set(table.get_column("alpha3")) == {c.alpha_3 for c in pycountry.countries}
    for alpha3, numeric, cow, gw in table.iter_rows():
        assert (cow, gw) == expected.get(alpha3, (None, None)), alpha3
        assert numeric == int(pycountry.countries.get(alpha_3=alpha3).numeric)


def test_quad_numbers_follow_plover_and_gdelt():
    quads = X.event_types(load_codebook(REPO / "schemas"))
    numbers = {t: (q, g) for t, q, g in quads.iter_rows()}
    assert numbers["AGREE"] == (1, 1) and numbers["AID"] == (2, 2)
    assert numbers["THREATEN"] == (3, 3) and numbers["ASSAULT"] == (4, 4)
    assert numbers["CONCEDE"] == (1, 2)  # PLOVER: verbal cooperation; CAMEO 08: material
    assert X.GDELT_QUADCLASS["01"] == 1 and X.GDELT_QUADCLASS["20"] == 4


def codebook_with(tmp_path, old: str, new: str) -> tuple[Path, int]:
    schemas = tmp_path / "schemas"
    shutil.copytree(REPO / "schemas", schemas)
    tables = schemas / "tables.yaml"
    text = tables.read_text(encoding="utf-8")
    assert text.count(old) == 1
    tables.write_text(text.replace(old, new), encoding="utf-8")
    return schemas, text[:text.index(old)].count("\n") + 1


@pytest.mark.parametrize("old, new, message, hint", [
    ("{crosswalk: actor_countries, system: cow}", "{crosswalk: actor_countries, system: cowe}",
     "'cowe' is not one of iso-numeric, cow, gw, plover-quad, gdelt-quadclass",
     "did you mean 'cow'?"),
    ("{crosswalk: location_country, system: gw}", "{crosswalk: location_name, system: gw}",
     "system gw numbers countries, and 'location_name' does not hold ISO 3166-1 alpha-3 codes",
     "crosswalk a country column"),
    ("{crosswalk: event_type, system: plover-quad}", "{crosswalk: status, system: plover-quad}",
     "system plover-quad numbers event types, and 'status' does not name one",
     "crosswalk the event type field"),
    ("{crosswalk: location_country, system: cow}", "{crosswalk: location_countyr, system: cow}",
     "crosswalk 'location_countyr' is not a column of table events",
     "did you mean 'location_country'?"),
])
def test_a_bad_crosswalk_is_refused_with_its_line(tmp_path, old, new, message, hint):
    schemas, line = codebook_with(tmp_path, old, new)
    with pytest.raises(CodebookError) as info:
        load_codebook(schemas)
    assert info.value.line == line
    assert message in info.value.message
    assert hint in info.value.hint


def test_a_crosswalk_of_a_list_is_a_list_of_integers(tmp_path):
    old = ("      - name: actor_cow\n        type: integer_list\n")
    schemas, line = codebook_with(tmp_path, old, old.replace("integer_list", "integer"))
    with pytest.raises(CodebookError) as info:
        load_codebook(schemas)
    assert info.value.line == line + 1
    assert "has type 'integer', but what it derives is 'integer_list'" in info.value.message


def test_integer_list_is_for_derived_columns_only(tmp_path):
    old = "      - name: notes\n        type: string\n        description: Coding decisions"
    schemas, line = codebook_with(tmp_path, old, old.replace("string", "integer_list"))
    with pytest.raises(CodebookError) as info:
        load_codebook(schemas)
    assert info.value.line == line + 1
    assert "only a derived column has" in info.value.message


def test_a_projects_own_countries_csv_is_checked(tmp_path):
    schemas = tmp_path / "schemas"
    shutil.copytree(REPO / "schemas", schemas)
    path = schemas / "countries.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("PRK,"))
    lines[at] = "PRK,North Korea,73l,731\n"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(CodebookError) as info:
        X.countries(load_codebook(schemas))
    assert (info.value.file, info.value.line) == (str(path), at + 1)
    assert "'73l' is not a state number" in info.value.message


@pytest.mark.parametrize("old, new, message", [
    ("AFG,Afghanistan,700,700", "AFG,Afghanistan,99999999999999999999,700",
     "'99999999999999999999' is not a state number (1 to 4 digits)"),
    ("AFG,Afghanistan,700,700", "", "the row has no alpha3 code"),
    ("AFG,Afghanistan,700,700", "XXX,Nowhere,1,1", "'XXX' is not an ISO 3166-1 alpha-3 code"),
])
def test_validate_judges_the_codebook_s_country_numbers_with_their_line(tmp_path, old, new,
                                                                        message):
    import shutil

    import geoevents
    from geoevents.codebook import CodebookError

    root = tmp_path / "valid"
    shutil.copytree(Path(__file__).parent / "data" / "valid", root)
    shutil.copytree(Path(__file__).resolve().parents[1] / "schemas", root / "schemas")
    countries = root / "schemas" / "countries.csv"
    lines = countries.read_text(encoding="utf-8").split("\n")
    line = lines.index(old) + 1
    lines[line - 1] = new
    countries.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(CodebookError) as info:
        geoevents.validate(root)
    assert (info.value.line, info.value.message.split(": ", 1)[1]) == (line, message)


def test_an_export_never_writes_among_published_releases(tmp_path, monkeypatch):
    import hashlib

    from geoevents import loading

    monkeypatch.setenv("GEOEVENTS_CACHE", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()

    dataset = Path(__file__).resolve().parents[1] / "dataset"
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest()
              for p in dataset.rglob("*") if p.is_file()}
    latest = loading.latest()
    for out in (dataset / latest / "CITATION.cff", dataset / latest / "events.extra",
                dataset / "index.json", loading.cache_dir() / "x.tsv"):
        result = invoke("export", "--format", "polecat", "--out", out)
        assert result.exit_code == 2, out
        assert "stands among published releases" in result.output
    link = tmp_path / "link.cff"
    link.symlink_to(dataset / latest / "CITATION.cff")
    assert invoke("export", "--format", "polecat", "--out", link).exit_code == 2
    assert before == {p: hashlib.sha256(p.read_bytes()).hexdigest()
                      for p in dataset.rglob("*") if p.is_file()}


def test_an_export_refuses_a_device_an_empty_out_and_a_root_that_is_no_project(tmp_path):
    device = invoke("export", "--format", "geojson", "--out", "/dev/null")
    assert (device.exit_code, device.output.splitlines()[0]) == (
        2, "error: --out /dev/null exists and is not a regular file")
    assert invoke("export", "--format", "geojson", "--out", "").exit_code == 2
    other = invoke("export", "--format", "web-annotation", "--root", tmp_path)
    assert other.exit_code == 2 and "is not an annotation project" in other.output
    repo = Path(__file__).resolve().parents[1]
    wrong = invoke("export", "--format", "geojson", "--root", repo)
    assert wrong.exit_code == 2 and "--root is read by --format web-annotation only" in wrong.output


def test_an_export_to_a_closed_standard_output_is_an_environment_failure(monkeypatch):
    import sys

    from geoevents import exports
    from geoevents.errors import EnvironmentFailure

    monkeypatch.setattr(sys, "stdout", None)
    with pytest.raises(EnvironmentFailure) as info:
        exports.write("geojson", "{}", None)
    assert info.value.exit_code == 3
