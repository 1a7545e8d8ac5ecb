"""Data where analysts work: path, fetch offline, versions --format json, diff from any
folder, cite, within/overlaps and pandas; and the README's snippets from a wheel."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import yaml
from click.testing import CliRunner

import geoevents
from geoevents import errors
from geoevents import loading as load
from geoevents.cli import main

REPO = Path(__file__).resolve().parents[1]
DATASET = REPO / "dataset"
DATA = Path(__file__).parent / "data"
TITLE = "geoevents: hand-annotated geopolitical events from multilingual news"
URL = "https://github.com/geoevents/geoevents"


def cli(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    return result


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """No network: every download raises; an empty cache of the test's own."""
    def refuse(*args, **kwargs):
        raise AssertionError("a download was attempted")

    monkeypatch.setattr(load, "_download", refuse)
    monkeypatch.setenv("GEOEVENTS_DATA_URL", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("GEOEVENTS_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def bundled_copy(tmp_path, monkeypatch, offline):
    """The checkout's index and releases copied, so that a test may tamper with them."""
    bundled = tmp_path / "bundled"
    shutil.copytree(DATASET, bundled, ignore=shutil.ignore_patterns(".*"))
    monkeypatch.setattr(load, "bundled_dir", lambda: bundled)
    return bundled


def latest() -> str:
    return json.loads((DATASET / "index.json").read_text())["latest"]


# -- path ---------------------------------------------------------------------------


def test_path_is_the_verified_bundled_file(offline):
    assert geoevents.path() == DATASET / latest() / "events.parquet"
    csv = geoevents.path("actors", version="1.0.0", format="csv")
    assert csv == DATASET / "1.0.0" / "actors.csv"
    assert pl.read_parquet(geoevents.path("events", "1.1.2")).height == 50
    shown = cli("path")
    assert (shown.exit_code, shown.output) == (0, f"{DATASET / latest() / 'events.parquet'}\n")
    csv = cli("path", "citations", "--version", "1.1.0", "--format", "csv")
    assert (csv.exit_code, csv.output) == (0, f"{DATASET / '1.1.0' / 'citations.csv'}\n")
    assert not offline.exists()  # nothing downloaded, nothing cached


def test_path_errors_say_what_exists(offline):
    tables = "actors, citations, errata, event_actors, events, locations, sources"
    with pytest.raises(load.UnknownRelease) as caught:
        geoevents.path("evnets")
    assert caught.value.message == f"unknown table 'evnets': release {latest()} has {tables}"
    assert caught.value.hint == "name one of those tables ('events' by default)"
    with pytest.raises(load.UnknownRelease) as caught:
        geoevents.path(version="9.9.9")
    assert caught.value.message == ("unknown version '9.9.9'; known versions: "
                                    "1.0.0, 1.1.0, 1.1.1, 1.1.2, 2.0.0")
    assert caught.value.exit_code == 2
    with pytest.raises(errors.UsageError) as caught:
        geoevents.path(format="xlsx")
    assert caught.value.message == "unknown format 'xlsx': a table is published as parquet or csv"

    table = cli("path", "evnets")
    assert table.exit_code == 2
    assert table.output == (f"error: unknown table 'evnets': release {latest()} has {tables}\n"
                            "hint: name one of those tables ('events' by default)\n")
    version = cli("path", "--version", "2.0")
    assert version.exit_code == 2
    assert version.output == ("error: unknown version '2.0'; known versions: 1.0.0, 1.1.0, "
                              "1.1.1, 1.1.2, 2.0.0\nhint: 'geoevents versions' lists them\n")
    assert cli("path", "--format", "xlsx").exit_code == 2


def test_path_of_a_tampered_release_is_refused(bundled_copy):
    target = bundled_copy / "1.1.0" / "events.parquet"
    body = bytearray(target.read_bytes())
    body[100] ^= 1
    target.write_bytes(bytes(body))
    result = cli("path", "--version", "1.1.0")
    assert result.exit_code == 3
    lines = result.output.splitlines()
    assert lines[0].startswith(f"error: the bundled release file {target} differs from "
                               "index.json: expected sha256 ")
    assert lines[1] == ("hint: a published file is never changed: reinstall geoevents (pip "
                        "install --force-reinstall geoevents) or, in a source tree, restore "
                        "dataset/ from version control (git checkout -- dataset/1.1.0, and "
                        "remove any file git does not know)")
    assert cli("path", "--version", "1.1.1").exit_code == 0  # the other versions still load


def test_path_of_a_version_not_bundled_downloads_it_verified(tmp_path, monkeypatch):
    import functools
    import http.server
    import threading

    bundled = tmp_path / "bundled"
    bundled.mkdir()
    shutil.copy(DATASET / "index.json", bundled / "index.json")
    monkeypatch.setattr(load, "bundled_dir", lambda: bundled)  # no release bundled
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(DATASET))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("GEOEVENTS_DATA_URL", f"http://127.0.0.1:{httpd.server_port}")
        monkeypatch.setenv("GEOEVENTS_CACHE", str(tmp_path / "cache"))
        result = cli("path", "events", "--version", "1.1.0", "--format", "csv")
        cached = tmp_path / "cache" / "1.1.0" / "events.csv"
        assert (result.exit_code, result.output) == (0, f"{cached}\n")
        assert cached.read_bytes() == (DATASET / "1.1.0" / "events.csv").read_bytes()
        assert geoevents.cite("1.1.0").startswith("geoevents editors (2026).")
    finally:
        httpd.shutdown()
        httpd.server_close()
    monkeypatch.setenv("GEOEVENTS_DATA_URL", f"http://127.0.0.1:{closed_port()}")
    assert cli("path", "events", "--version", "1.1.0", "--format", "csv").output == (
        f"{cached}\n")  # cached: no network needed any more
    down = cli("path", "events", "--version", "1.0.0")
    assert down.exit_code == 3
    assert down.output.startswith("error: cannot download http://127.0.0.1:")
    # a version is offline when every file of it is: 1.1.0 has one file cached
    assert "versions available offline: none\nhint: check the network" in down.output


# -- fetch, versions ----------------------------------------------------------------


def test_fetch_of_a_bundled_version_verifies_it_offline(offline):
    for version in ("1.0.0", latest()):
        assert geoevents.fetch(version) == DATASET / version
        result = cli("fetch", version)
        assert (result.exit_code, result.output) == (0, f"{DATASET / version}\n")
    assert not offline.exists()


def test_fetch_of_a_tampered_bundle_is_refused_offline(bundled_copy):
    (bundled_copy / "1.0.0" / "notes.txt").write_text("added")
    result = cli("fetch", "1.0.0")
    assert result.exit_code == 3
    assert result.output.splitlines()[0] == (
        f"error: the bundled release 1.0.0 differs from index.json: {bundled_copy / '1.0.0'}"
        "/notes.txt is not listed in index.json; none of its files is loaded")


def test_versions_json(offline):
    result = cli("versions", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.output)
    index = json.loads((DATASET / "index.json").read_text())
    base = load.display_url()
    assert doc == [{"version": e["version"], "date": e["date"],
                    "latest": e["version"] == index["latest"], "bundled": "yes", "cached": "no",
                    "state": "verified", "problems": [], "url": f"{base}/{e['version']}/"}
                   for e in index["versions"]]
    assert cli("versions", "--format", "xml").exit_code == 2


def test_versions_json_of_a_tampered_bundle_exits_3(bundled_copy):
    (bundled_copy / "1.1.1" / "README.md").write_text("changed")
    result = CliRunner().invoke(main, ["versions", "--format", "json"])
    assert result.exit_code == 3
    doc = json.loads(result.stdout)
    assert [(r["version"], r["state"]) for r in doc] == [
        ("1.0.0", "verified"), ("1.1.0", "verified"), ("1.1.1", "tampered"), ("1.1.2", "verified"),
        ("2.0.0", "verified")]
    assert doc[2]["problems"][0].startswith("bundled README.md has ")
    assert result.stderr.startswith("error: bundled files of 1.1.1 differ from index.json "
                                    "(listed in problems)\n")


# -- diff from anywhere -------------------------------------------------------------


def test_diff_of_known_releases_from_any_folder(tmp_path, monkeypatch, offline):
    inside = cli("diff", "1.0.0", "2.0.0", "--root", str(REPO), "--format", "json")
    assert inside.exit_code == 0
    monkeypatch.chdir(tmp_path)
    outside = cli("diff", "1.0.0", "LATEST", "--format", "json")
    assert outside.exit_code == 0
    assert json.loads(outside.output) == json.loads(inside.output)
    text = cli("diff", "1.1.1", "1.1.2")
    assert text.exit_code == 0
    assert text.output.splitlines()[0] == "previous: 1.1.1  version: 1.1.2"
    assert not offline.exists()


def test_diff_outside_a_project_refuses_the_working_annotations(tmp_path, monkeypatch, offline):
    monkeypatch.chdir(tmp_path)
    result = cli("diff", "LATEST", ".")
    assert result.exit_code == 2
    assert result.output == (
        f"error: '.' is the working annotations of a project, and {tmp_path} is not an "
        "annotation project (no geoevents.yaml, seeds/ or annotations/)\n"
        "hint: outside a project, compare published versions (geoevents versions lists "
        "them), or give the project with --root\n")
    unknown = cli("diff", "1.0.0", "3.0.0")
    assert unknown.exit_code == 2 and unknown.output.startswith("error: unknown version '3.0.0'")


def test_diff_inside_a_project_uses_its_own_releases(project, monkeypatch, offline):
    monkeypatch.chdir(project.root)  # a project without releases: not the package's
    result = cli("diff", "LATEST", ".")
    assert result.exit_code == 2 and "there is no release" in result.output


# -- cite ---------------------------------------------------------------------------


def test_cite_text_and_cli(offline):
    expected = (f"geoevents editors (2026). {TITLE}, version 1.1.2 [dataset]. {URL}\n")
    assert geoevents.cite("1.1.2") == expected
    assert cli("cite", "1.1.2").output == expected
    # 1.0.0's CITATION.cff has no url: it comes from the package's project file
    assert geoevents.cite("1.0.0") == expected.replace("1.1.2", "1.0.0")
    assert geoevents.cite() == geoevents.cite(latest())


def test_cite_bibtex(offline):
    assert geoevents.cite("1.0.0", format="bibtex") == (
        "@misc{geoevents-1.0.0,\n"
        "  author = {{geoevents editors}},\n"
        f"  title = {{{{{TITLE}}}}},\n"
        "  year = {2026},\n"
        "  version = {1.0.0},\n"
        "  howpublished = {Dataset},\n"
        "  note = {Released 2026-11-23},\n"
        f"  url = {{{URL}}}\n"
        "}\n")
    result = cli("cite", "1.0.0", "--format", "bibtex")
    assert result.exit_code == 0 and result.output == geoevents.cite("1.0.0", "bibtex")


@pytest.mark.parametrize("version", ["1.0.0", "1.1.0", "1.1.1", "1.1.2", "2.0.0"])
def test_cite_cff_is_valid_and_keeps_the_release_bytes(offline, version):
    import jsonschema

    schema = json.loads((DATA / "cff-schema-1.2.0.json").read_text(encoding="utf-8"))
    text = geoevents.cite(version, format="cff")
    published = (DATASET / version / "CITATION.cff").read_text(encoding="utf-8")
    assert text.startswith(published)
    doc = yaml.safe_load(text)
    jsonschema.validate(doc, schema)
    assert (doc["version"], doc["url"]) == (version, URL)
    assert "doi" not in doc  # the project has none yet
    assert cli("cite", version, "--format", "cff").output == text


def test_cite_takes_a_doi_from_the_project_file(offline, tmp_path, monkeypatch):
    project = tmp_path / "_project.yaml"
    project.write_text((REPO / "geoevents.yaml").read_text() + "doi: 10.5281/zenodo.1234567\n")
    monkeypatch.setattr(load, "PACKAGED_PROJECT", project)
    assert geoevents.cite("1.1.2") == (f"geoevents editors (2026). {TITLE}, version 1.1.2 "
                                       f"[dataset]. https://doi.org/10.5281/zenodo.1234567 {URL}\n")
    assert "  doi = {10.5281/zenodo.1234567},\n" in geoevents.cite("1.1.2", "bibtex")
    assert geoevents.cite("1.0.0", "cff").endswith(
        f'url: "{URL}"\ndoi: "10.5281/zenodo.1234567"\n')


def test_cite_errors(offline):
    with pytest.raises(errors.UsageError) as caught:
        geoevents.cite(format="ris")
    assert caught.value.message == "unknown citation format 'ris': use text, bibtex, cff"
    result = cli("cite", "0.9.0")
    assert result.exit_code == 2 and result.output.startswith("error: unknown version '0.9.0'")
    assert cli("cite", "--format", "ris").exit_code == 2


# -- time ---------------------------------------------------------------------------


def _by_hand(frame: pl.DataFrame, first: dt.date, last: dt.date) -> tuple[set, set]:
    inside, meeting = set(), set()
    for r in frame.iter_rows(named=True):
        start, end = r["date_start"], r["date_end"]
        if start is not None and end is not None and first <= start and end <= last:
            inside.add(r["event_id"])
        if (start is None or start <= last) and (end is None or end >= first):
            meeting.add(r["event_id"])
    return inside, meeting


@pytest.mark.parametrize("version", ["1.0.0", "1.1.2", "2.0.0"])
def test_within_and_overlaps_on_the_real_release(offline, version):
    events = geoevents.load(version=version)
    first, last = dt.date(2023, 1, 1), dt.date(2023, 12, 31)
    inside, meeting = _by_hand(events, first, last)
    for start, end in [("2023-01-01", "2023-12-31"), (first, last),
                       (dt.datetime(2023, 1, 1, 12), "2023-12-31")]:
        assert set(events.filter(geoevents.within(start, end))["event_id"]) == inside
        assert set(events.filter(geoevents.overlaps(start, end))["event_id"]) == meeting
    assert inside < meeting
    if version == "2.0.0":  # as the README says
        assert (len(inside), len(meeting)) == (18, 20)


def test_open_and_unknown_ends():
    frame = pl.DataFrame({
        "event_id": ["open-end", "unknown-start", "before", "day"],
        "date_start": [dt.date(2022, 5, 1), None, dt.date(2020, 1, 1), dt.date(2023, 3, 1)],
        "date_end": [None, dt.date(2023, 2, 1), dt.date(2020, 12, 31), dt.date(2023, 3, 1)],
    })
    assert frame.filter(geoevents.within("2023-01-01", "2023-12-31"))["event_id"].to_list() == [
        "day"]
    assert frame.filter(geoevents.overlaps("2023-01-01", "2023-12-31"))["event_id"].to_list() == [
        "open-end", "unknown-start", "day"]
    assert frame.filter(geoevents.overlaps("2023-03-01", "2023-03-01"))["event_id"].to_list() == [
        "open-end", "day"]


@pytest.mark.parametrize("start, end, message", [
    ("2023", "2023-12-31", "start '2023' is not a day written YYYY-MM-DD"),
    ("2023-01-01", "2023-02-30", "end '2023-02-30' is not a day written YYYY-MM-DD"),
    (2023, "2023-12-31", "start must be a date or an ISO string YYYY-MM-DD, not int"),
    ("2023-12-31", "2023-01-01", "start 2023-12-31 is after end 2023-01-01"),
])
def test_bad_bounds_are_usage_errors(start, end, message):
    for helper in (geoevents.within, geoevents.overlaps):
        with pytest.raises(errors.UsageError) as caught:
            helper(start, end)
        assert caught.value.message == message and caught.value.exit_code == 2


# -- pandas -------------------------------------------------------------------------


def test_pandas_has_dates_and_lists(offline):
    frame = geoevents.load(version="1.1.2", backend="pandas")
    events = geoevents.load(version="1.1.2")
    assert list(frame.columns) == events.columns and len(frame) == events.height
    assert all(isinstance(v, dt.date) for v in frame["date_start"])
    assert all(isinstance(v, list) for v in frame["actor_ids"])
    assert frame["actor_ids"].tolist() == events["actor_ids"].to_list()
    assert frame["checked_on"].tolist() == events["checked_on"].to_list()
    assert frame["event_id"].tolist() == events["event_id"].to_list()
    lazy = geoevents.to_pandas(geoevents.scan("citations", "1.1.2"))
    assert len(lazy) == geoevents.load("citations", "1.1.2").height
    with pytest.raises(errors.UsageError) as caught:
        geoevents.load(backend="arrow")
    assert caught.value.message == ("unknown backend 'arrow': load gives a polars or a "
                                    "pandas DataFrame")


# -- from a wheel, outside the checkout, offline ----------------------------------------

SNIPPET = re.compile(r"<!-- run: (python|sh) -->\n```(python|sh)\n(.*?)```", re.DOTALL)


def readme_snippets() -> list[tuple[str, str]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = [(kind, body) for kind, fence, body in SNIPPET.findall(text)]
    assert all(kind == fence for kind, fence, _ in SNIPPET.findall(text))
    assert text.count("<!-- run: ") == len(found)  # no marker without its block
    return found


@pytest.mark.wheel
def test_readme_snippets_run_from_a_wheel_offline(tmp_path):
    if not (DATASET / "index.json").is_file():
        pytest.skip("no release published yet")
    snippets = readme_snippets()
    assert sorted({kind for kind, _ in snippets}) == ["python", "sh"] and len(snippets) >= 8
    from conftest import wheel_venv

    py = wheel_venv(tmp_path)
    bin_dir, venv = py.parent, py.parent.parent
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path),
           "GEOEVENTS_CACHE": str(tmp_path / "cache"),
           "GEOEVENTS_DATA_URL": f"http://127.0.0.1:{closed_port()}",  # nothing listens
           "PYTHONDONTWRITEBYTECODE": "1", "NO_PROXY": "*"}

    def run(*args: str) -> subprocess.CompletedProcess:
        out = subprocess.run(list(args), cwd=elsewhere, env=env, capture_output=True, check=False,
                             text=True, timeout=120)
        assert out.returncode == 0, f"{args[:2]}\n{out.stdout}\n{out.stderr}"
        assert "Traceback" not in out.stderr
        return out

    where = run(str(py), "-c", "import geoevents; print(geoevents.__file__)").stdout.strip()
    assert where.startswith(str(venv))
    for kind, body in snippets:
        if kind == "python":
            run(str(py), "-c", body)
        else:
            run("bash", "-e", "-o", "pipefail", "-c", body)

    installed = Path(where).parent / "_dataset"
    index = json.loads((DATASET / "index.json").read_text())
    names = [e["version"] for e in index["versions"]]
    assert sorted(p.name for p in installed.iterdir()) == sorted(names + ["index.json"])
    shown = run(str(bin_dir / "geoevents"), "path", "--version", names[0]).stdout
    assert shown == f"{installed / names[0] / 'events.parquet'}\n"
    listed = json.loads(run(str(bin_dir / "geoevents"), "versions", "--format", "json").stdout)
    assert [(r["version"], r["bundled"], r["state"]) for r in listed] == [
        (n, "yes", "verified") for n in names]
    cited = run(str(bin_dir / "geoevents"), "cite", "--format", "bibtex").stdout
    assert cited.startswith(f"@misc{{geoevents-{index['latest']},")
    diffed = run(str(bin_dir / "geoevents"), "diff", names[0], "LATEST").stdout
    assert diffed.startswith(f"previous: {names[0]}  version: {index['latest']}\n")
    assert (elsewhere / "CITATION.cff").read_text().startswith("cff-version: 1.2.0\n")
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("*.parquet"))


def test_the_readme_names_the_versions_a_wheel_holds():
    """What the README says is offline after pip install is what the wheel ships: every
    version the index lists (hatch_build.py)."""
    index = json.loads((DATASET / "index.json").read_text())
    names = [e["version"] for e in index["versions"]]
    listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert f"after `pip install geoevents`, versions {listed} load offline" in readme


def test_the_readme_quotes_what_cite_prints(offline):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quoted = re.search(r"For release 2\.0\.0 \(`geoevents cite 2\.0\.0`\):\n\n((?:> .*\n)+)",
                       readme)
    assert quoted, "the README's citation of 2.0.0 is missing"
    text = " ".join(line[2:] for line in quoted.group(1).splitlines())
    assert text + "\n" == geoevents.cite("2.0.0")


def test_bibtex_escapes_each_special_character_once_and_never_lets_a_value_end_a_field():
    from geoevents import citation

    assert citation._tex("C:\\x a_b {c}\n\nd") == r"C:\textbackslash{}x a\_b \{c\} d"
    entry = citation.bibtex({
        "title": "T: x", "version": "1.0.0}", "doi": "10.5281/zenodo_1",
        "url": "https://x.org/}, title = {PWNED}", "authors": [{"name": "editors"}]})
    assert entry == ("@misc{t-1.0.0,\n  author = {{editors}},\n  title = {{T: x}},\n"
                     "  year = {n.d.},\n  version = {1.0.0\\}},\n  howpublished = {Dataset},\n"
                     "  doi = {10.5281/zenodo_1}\n}\n")


def test_a_homepage_or_doi_that_is_not_a_url_or_a_doi_is_not_cited(monkeypatch):
    from geoevents import citation

    monkeypatch.setattr(citation, "_project", lambda: {
        "homepage": "https://x.org/}, title = {PWNED}", "doi": "10.1/x\n@misc{evil,"})
    assert citation._added({}) == {}
    monkeypatch.setattr(citation, "_project", lambda: {
        "homepage": "https://x.org/data", "doi": "10.5281/zenodo.1"})
    assert citation._added({}) == {"url": "https://x.org/data", "doi": "10.5281/zenodo.1"}


@pytest.mark.parametrize("command", ["path", "cite", "versions", "export --format geojson"])
def test_a_command_started_with_standard_output_closed_says_so_and_exits_3(command):
    import subprocess

    done = subprocess.run(["bash", "-c", f"'{sys.executable}' -m geoevents {command} >&-"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 3
    assert done.stderr.startswith("error: standard output is closed: nothing can be written")


def test_latest_names_the_latest_release_wherever_a_version_is_asked_for(offline):
    newest = latest()
    assert geoevents.path(version="LATEST") == geoevents.path(version=newest)
    assert geoevents.cite("latest") == geoevents.cite(newest)
    assert cli("path", "--version", "LATEST").output == cli("path", "--version", newest).output
    polecat = cli("export", "--format", "polecat", "--version", "LATEST").output
    assert polecat == cli("export", "--format", "polecat", "--version", newest).output
    assert polecat.splitlines()[1].endswith("\t" + newest)
