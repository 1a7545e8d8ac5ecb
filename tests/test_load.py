"""Loading releases: bundled offline, downloaded over loopback HTTP and verified by hash."""

from __future__ import annotations

import http.server
import json
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import geoevents
from geoevents import loading as load
from geoevents.cli import main

CHANGELOG = ("# Changelog\n\n## [1.1.0] - 2023-10-05\n\n- Summary corrected.\n\n"
             "## [1.0.0] - 2023-10-02\n\n- First release.\n")


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    """Releases 1.0.0 and 1.1.0 of the fixture project, built once for the module."""
    root = tmp_path_factory.mktemp("releases") / "project"
    shutil.copytree(Path(__file__).parent / "data" / "valid", root)
    (root / "CHANGELOG.md").write_text(CHANGELOG)
    runner = CliRunner()
    assert runner.invoke(main, ["build", "1.0.0", "--root", str(root)]).exit_code == 0
    events = root / "annotations" / "events-flat.csv"
    events.write_text(events.read_text().replace("2023-09-us-warns-north-korea,",
                                                 "2023-09-us-warns-north-korea,", 1) +
                      "2023-09-13-kim-putin-talks,2023-09-13,occurred,CONSULT,visit,diplomatic,,"
                      "Kim and Putin talked.,tester,tester,2023-10-01,\n")
    with (root / "annotations" / "event_actors.csv").open("a") as fh:
        fh.write("2023-09-13-kim-putin-talks,kim-jong-un,actor\n")
    with (root / "annotations" / "citations.csv").open("a") as fh:
        fh.write("2023-09-13-kim-putin-talks,sample-zh,金正恩在东方航天发射场与普京会晤,Kim met Putin\n")
    assert runner.invoke(main, ["build", "1.1.0", "--root", str(root)]).exit_code == 0
    return root / "dataset"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Server:
    """A static file server on 127.0.0.1 serving a copy of dataset/."""

    def __init__(self, folder: Path):
        self.folder = folder
        handler = lambda *a, **k: QuietHandler(*a, directory=str(folder), **k)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def mirror(releases, tmp_path, monkeypatch):
    """Bundled: the index and 1.1.0 only; a server with both; an empty cache."""
    bundled = tmp_path / "bundled"
    bundled.mkdir()
    shutil.copy(releases / "index.json", bundled / "index.json")
    shutil.copytree(releases / "1.1.0", bundled / "1.1.0")
    served = tmp_path / "served"
    shutil.copytree(releases, served)
    server = Server(served)
    monkeypatch.setattr(load, "bundled_dir", lambda: bundled)
    monkeypatch.setenv("GEOEVENTS_DATA_URL", server.url)
    monkeypatch.setenv("GEOEVENTS_CACHE", str(tmp_path / "cache"))
    yield server
    server.stop()


def kept(cache: Path) -> list[str]:
    """The files a cache holds, apart from its lock file (which stays, empty)."""
    if not cache.exists():
        return []
    return sorted(str(p.relative_to(cache)) for p in cache.rglob("*")
                  if p.is_file() and p.name != load.LOCK)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_load_latest_is_bundled_and_typed(mirror):
    mirror.stop()  # no network needed for the bundled release
    events = geoevents.load()
    assert events.height == 3
    assert events.schema["date_start"] == pl.Date
    assert events.schema["actor_ids"] == pl.List(pl.String)
    assert geoevents.scan("actors").collect().height == 5
    assert geoevents.versions() == ["1.0.0", "1.1.0"]


def test_other_version_downloads_verified_and_cached(mirror, tmp_path):
    events = geoevents.load("events", version="1.0.0")
    assert events.height == 2
    assert (tmp_path / "cache" / "1.0.0" / "events.parquet").is_file()
    mirror.stop()  # cached versions keep working offline
    assert geoevents.load("events", version="1.0.0").height == 2


def test_hash_mismatch_is_refused_and_not_cached(mirror, tmp_path):
    target = mirror.folder / "1.0.0" / "events.parquet"
    target.write_bytes(target.read_bytes()[:-10] + b"corrupted!")
    with pytest.raises(load.DataError, match="does not match the sha256"):
        geoevents.load("events", version="1.0.0")
    assert not (tmp_path / "cache" / "1.0.0" / "events.parquet").exists()
    assert not list((tmp_path / "cache").rglob("*events*"))


def test_unknown_version_lists_the_known_ones(mirror):
    with pytest.raises(load.DataError, match="known versions: 1.0.0, 1.1.0"):
        geoevents.load(version="9.9.9")


def test_unreachable_server_is_a_clear_error(mirror, monkeypatch):
    monkeypatch.setenv("GEOEVENTS_DATA_URL", f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(load.DataError, match="cannot download .*available offline: 1.1.0"):
        geoevents.load(version="1.0.0")
    assert geoevents.load().height == 3


def test_interrupted_download_leaves_nothing(mirror, monkeypatch, tmp_path):
    class Truncating(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"PAR1" + b"\0" * 500)
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Truncating)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    monkeypatch.setenv("GEOEVENTS_DATA_URL", f"http://127.0.0.1:{httpd.server_address[1]}")
    try:
        with pytest.raises(load.DataError):
            geoevents.load(version="1.0.0")
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert kept(tmp_path / "cache") == []


def test_cli_versions_and_fetch(mirror, tmp_path):
    runner = CliRunner()
    listed = runner.invoke(main, ["versions"])
    assert listed.exit_code == 0
    assert "1.0.0      2023-10-02  no        no        remote" in listed.output
    assert "1.1.0      2023-10-05  yes       no        verified" in listed.output
    bundled = runner.invoke(main, ["fetch", "1.1.0"])  # verified in place, nothing downloaded
    assert bundled.exit_code == 0 and bundled.output == f"{load.bundled_dir() / '1.1.0'}\n"
    assert not (tmp_path / "cache" / "1.1.0").exists()
    fetched = runner.invoke(main, ["fetch", "1.0.0"])
    assert fetched.exit_code == 0 and fetched.output.strip() == str(tmp_path / "cache" / "1.0.0")
    index = json.loads((mirror.folder / "index.json").read_text())
    entry = next(v for v in index["versions"] if v["version"] == "1.0.0")
    assert sorted(p.name for p in (tmp_path / "cache" / "1.0.0").iterdir()) == sorted(entry["files"])
    assert "1.0.0      2023-10-02  no        yes       verified" in runner.invoke(
        main, ["versions"]).output
    unknown = runner.invoke(main, ["fetch", "2.0.0"])
    assert unknown.exit_code == 2 and "known versions" in unknown.output


@pytest.mark.slow
def test_wheel_loads_offline_from_anywhere(tmp_path):
    """Build the wheel, install it in a fresh venv, load() outside the checkout, no network."""
    repo = Path(__file__).resolve().parents[1]
    if not (repo / "dataset" / "index.json").is_file():
        pytest.skip("no release published yet")
    from conftest import wheel_venv

    py = wheel_venv(tmp_path)
    venv = py.parent.parent
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = ("import geoevents, json; e = geoevents.load(); "
            "print(json.dumps({'file': geoevents.__file__, 'rows': e.height, "
            "'latest': geoevents.versions()[-1]}))")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "GEOEVENTS_CACHE": str(tmp_path / "c"),
           "GEOEVENTS_DATA_URL": f"http://127.0.0.1:{closed_port()}"}
    out = subprocess.run([str(py), "-c", code], cwd=elsewhere, env=env, capture_output=True,
                         text=True, check=True)
    doc = json.loads(out.stdout.strip().splitlines()[-1])
    assert doc["file"].startswith(str(venv)) and doc["rows"] > 0
    index = json.loads((repo / "dataset" / "index.json").read_text())
    assert doc["latest"] == index["latest"]
