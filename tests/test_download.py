"""Downloads and local copies against a hostile world: servers on 127.0.0.1 that send too
much, too slowly, in a loop or the wrong bytes; a download killed with SIGKILL; a cache
that is a file; an index that is not one; bundled and cached files that were changed.

The releases here are small synthetic ones (two Parquet tables and two text files), so
the whole file runs in seconds; tests/test_load.py loads real built releases.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import geoevents
from geoevents import errors
from geoevents import loading as load
from geoevents.cli import main

ORIGINAL_BUNDLED_DIR = load.bundled_dir


# -- synthetic releases -------------------------------------------------------------


def write_release(folder: Path, version: str, rows: int) -> dict:
    """A release folder with incompressible tables (so partial downloads reach the disk)."""
    folder.mkdir(parents=True)
    rng = random.Random(version)
    noise = [rng.randbytes(48).hex() for _ in range(rows)]
    pl.DataFrame({"event_id": [f"e{i}" for i in range(rows)], "summary": noise}).write_parquet(
        folder / "events.parquet", compression="uncompressed")
    pl.DataFrame({"actor_id": ["a", "b", "c"]}).write_parquet(folder / "actors.parquet")
    (folder / "README.md").write_text(f"release {version}\n")
    sums = "".join(f"{sha(p)}  {p.name}\n" for p in sorted(folder.iterdir()))
    (folder / "SHA256SUMS").write_text(sums)
    files = sorted(folder.iterdir())
    return {"version": version, "date": f"2024-01-0{rows % 9 + 1}",
            "files": {p.name: sha(p) for p in files},
            "bytes": {p.name: p.stat().st_size for p in files}}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def releases(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("releases")
    entries = [write_release(folder / "1.0.0", "1.0.0", 4000),
               write_release(folder / "1.1.0", "1.1.0", 3000)]
    doc = {"name": "geoevents", "latest": "1.1.0", "versions": entries}
    (folder / "index.json").write_text(json.dumps(doc, indent=2))
    return folder


# -- servers on 127.0.0.1 -----------------------------------------------------------


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up is what these tests do


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.respond(self)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serving(respond):
    """Run ``respond(handler)`` for every request, on a free port of 127.0.0.1."""
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.respond, httpd.release = respond, threading.Event()
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd
    finally:
        httpd.release.set()  # lets stalled handlers end
        httpd.shutdown()
        httpd.server_close()


def static(folder: Path):
    def respond(h):
        path = folder / h.path.lstrip("/")
        if not path.is_file():
            h.send_error(404)
            return
        body = path.read_bytes()
        h.send_response(200)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
    return respond


def zeros(declare: str | None):
    """Zeros without end (or until the client hangs up), optionally announcing a length."""
    def respond(h):
        h.send_response(200)
        if declare:
            h.send_header("Content-Length", declare)
        h.end_headers()
        block = b"\0" * 65536
        for _ in range(16384):  # at most 1 GiB, should the client never stop
            h.wfile.write(block)
    return respond


def trickle(size: int, every: float):
    def respond(h):
        h.send_response(200)
        h.send_header("Content-Length", str(size))
        h.end_headers()
        for _ in range(size):
            h.wfile.write(b"\0")
            h.wfile.flush()
            if h.server.release.wait(every):
                return
    return respond


def stall_after(folder: Path, fraction: float):
    """The right headers and part of the body, then nothing until the test ends."""
    def respond(h):
        body = (folder / h.path.lstrip("/")).read_bytes()
        h.send_response(200)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body[: int(len(body) * fraction)])
        h.wfile.flush()
        h.server.release.wait(30)
    return respond


def redirect(to):
    def respond(h):
        h.send_response(302)
        h.send_header("Location", to(h))
        h.send_header("Content-Length", "0")
        h.end_headers()
    return respond


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the world a test runs in -------------------------------------------------------


@dataclass
class World:
    bundled: Path  # the index and 1.1.0, as a wheel ships them
    served: Path  # every release, as the mirror holds them
    cache: Path
    url: str
    monkeypatch: pytest.MonkeyPatch

    def use(self, url: str) -> None:
        self.monkeypatch.setenv("GEOEVENTS_DATA_URL", url)

    def entry(self, version: str) -> dict:
        doc = json.loads((self.bundled / "index.json").read_text())
        return next(e for e in doc["versions"] if e["version"] == version)


@pytest.fixture
def world(releases, tmp_path, monkeypatch):
    bundled = tmp_path / "bundled"
    bundled.mkdir()
    shutil.copy(releases / "index.json", bundled / "index.json")
    shutil.copytree(releases / "1.1.0", bundled / "1.1.0")
    served = tmp_path / "served"
    shutil.copytree(releases, served)
    monkeypatch.setattr(load, "bundled_dir", lambda: bundled)
    monkeypatch.setenv("GEOEVENTS_CACHE", str(tmp_path / "cache"))
    for name in load.TIMEOUTS:
        monkeypatch.delenv(name, raising=False)
    with serving(static(served)) as (url, _):
        monkeypatch.setenv("GEOEVENTS_DATA_URL", url)
        yield World(bundled, served, tmp_path / "cache", url, monkeypatch)


def kept(cache: Path) -> list[str]:
    """What the cache holds, apart from its (empty) lock file."""
    if not cache.exists():
        return []
    return sorted(str(p.relative_to(cache)) for p in cache.rglob("*")
                  if p.is_file() and p.name != load.LOCK)


def cli(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    return result


# -- bounded downloads --------------------------------------------------------------


@pytest.mark.parametrize("declare", [None, str(10**12)], ids=["unannounced", "announced"])
def test_a_body_larger_than_the_index_says_is_cut_off(world, declare):
    size = world.entry("1.0.0")["bytes"]["events.parquet"]
    with serving(zeros(declare)) as (url, _):
        world.use(url)
        started = time.monotonic()
        with pytest.raises(load.DataError) as caught:
            geoevents.load(version="1.0.0")
    assert time.monotonic() - started < 5
    assert type(caught.value) is load.DataError
    word = "sent more than" if declare is None else f"announces {declare} bytes"
    assert word in caught.value.message
    assert f"the {size} bytes index.json records" in caught.value.message
    assert kept(world.cache) == []


def test_an_old_index_without_sizes_is_bounded_by_the_hard_cap(world, monkeypatch):
    doc = json.loads((world.bundled / "index.json").read_text())
    for entry in doc["versions"]:
        del entry["bytes"]
    (world.bundled / "index.json").write_text(json.dumps(doc))
    monkeypatch.setattr(load, "HARD_CAP", 2_000_000)
    with serving(zeros(None)) as (url, _):
        world.use(url)
        with pytest.raises(load.DataError, match="more than the limit of 2000000 bytes"):
            geoevents.load(version="1.0.0")
    assert kept(world.cache) == []
    world.use(world.url)  # and the right file still downloads without a size to check
    assert geoevents.load(version="1.0.0").height == 4000


def test_a_body_shorter_than_the_index_says_is_refused(world):
    def short(h):
        h.send_response(200)  # no length announced: the end is where the server hangs up
        h.end_headers()
        h.wfile.write((world.served / "1.0.0" / "events.parquet").read_bytes()[:1000])

    with serving(short) as (url, _):
        world.use(url)
        with pytest.raises(load.DataError, match="the server sent 1000 bytes, index.json "
                           "records"):
            geoevents.load(version="1.0.0")
    assert kept(world.cache) == []


def test_a_trickle_is_cut_off_at_the_deadline(world, monkeypatch):
    monkeypatch.setenv("GEOEVENTS_DOWNLOAD_DEADLINE", "1")
    size = world.entry("1.0.0")["bytes"]["events.parquet"]
    with serving(trickle(size, 0.05)) as (url, _):
        world.use(url)
        started = time.monotonic()
        with pytest.raises(load.DataError, match="the deadline of 1 s passed with [0-9]+ "
                           "bytes of the body received"):
            geoevents.load(version="1.0.0")
    assert 0.9 < time.monotonic() - started < 4
    assert kept(world.cache) == []


def drip(head: bytes, then: bytes):
    """``head`` at once, then ``then`` again and again, a little at a time, never ending.

    Each piece comes well within the read timeout (30 s here), so only the deadline
    can stop the client."""
    def respond(h):
        h.wfile.write(head)
        h.wfile.flush()
        for _ in range(600):
            for i in range(0, len(then), 4):
                h.wfile.write(then[i:i + 4])
                h.wfile.flush()
                if h.server.release.wait(0.1):
                    return
    return respond


DRIPS = {
    "a header, a byte at a time": drip(b"HTTP/1.1 200 OK\r\nX-Slow: ", b"a"),
    "100 Continue without end": drip(b"", b"HTTP/1.1 100 Continue\r\n\r\n"),
    "the status line, a byte at a time": drip(b"H", b"T"),
}


@pytest.mark.parametrize("name", list(DRIPS))
def test_the_deadline_bounds_the_response_headers_too(world, monkeypatch, name):
    monkeypatch.setenv("GEOEVENTS_DOWNLOAD_DEADLINE", "1")
    monkeypatch.setenv("GEOEVENTS_READ_TIMEOUT", "30")
    with serving(DRIPS[name]) as (url, _):
        world.use(url)
        started = time.monotonic()
        with pytest.raises(load.DataError) as caught:
            geoevents.load(version="1.0.0")
        elapsed = time.monotonic() - started
    assert type(caught.value) is load.DataError
    assert caught.value.message == (
        f"cannot download {url}/1.0.0/events.parquet: the deadline of 1 s passed before the "
        "response headers were complete; stopped, nothing was kept")
    assert 0.9 < elapsed < 4
    assert kept(world.cache) == []


def test_the_deadline_bounds_a_name_lookup_that_never_answers(world, monkeypatch):
    """No socket to shut down yet: the caller still gets its answer on time."""
    answer = threading.Event()
    real = socket.getaddrinfo

    def stuck(*args, **kwargs):
        answer.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setenv("GEOEVENTS_DOWNLOAD_DEADLINE", "1")
    monkeypatch.setattr(socket, "getaddrinfo", stuck)
    started = time.monotonic()
    try:
        with pytest.raises(load.DataError, match="the deadline of 1 s passed before"):
            geoevents.load(version="1.0.0")
        assert time.monotonic() - started < 4
    finally:
        answer.set()  # the worker then connects, finds its download given up, and ends
    assert kept(world.cache) == []


def test_a_silent_server_is_cut_off_by_the_read_timeout(world, monkeypatch):
    monkeypatch.setenv("GEOEVENTS_READ_TIMEOUT", "0.3")
    size = world.entry("1.0.0")["bytes"]["events.parquet"]

    def headers_then_silence(h):
        h.send_response(200)
        h.send_header("Content-Length", str(size))
        h.end_headers()
        h.wfile.flush()
        h.server.release.wait(30)

    def silence(h):
        h.server.release.wait(30)

    for respond, words in [(headers_then_silence, "connection failed after 0 bytes"),
                           (silence, "timed out")]:
        with serving(respond) as (url, _):
            world.use(url)
            started = time.monotonic()
            with pytest.raises(load.DataError, match=words):
                geoevents.load(version="1.0.0")
            assert time.monotonic() - started < 3
    assert kept(world.cache) == []


def test_a_redirect_loop_is_a_clear_error(world):
    with serving(redirect(lambda h: h.path)) as (url, _):
        world.use(url)
        with pytest.raises(load.DataError, match="more than 5 redirects .a redirect loop"):
            geoevents.load(version="1.0.0")
    assert kept(world.cache) == []


def test_a_redirect_out_of_http_is_refused(world):
    with serving(redirect(lambda h: "file:///etc/passwd")) as (url, _):
        world.use(url)
        with pytest.raises(load.DataError, match="cannot download"):
            geoevents.load(version="1.0.0")
    assert kept(world.cache) == []


def test_a_few_redirects_are_followed(world):
    hops = {"n": 0}

    def respond(h):
        if not h.path.startswith("/real/"):
            return redirect(lambda h: "/real" + h.path)(h)
        hops["n"] += 1
        h.path = h.path[len("/real"):]
        return static(world.served)(h)

    with serving(respond) as (url, _):
        world.use(url)
        assert geoevents.load(version="1.0.0").height == 4000
    assert hops["n"] == 1


def raw(payload: bytes):
    def respond(h):
        h.wfile.write(payload)
    return respond


HOSTILE = {
    "a garbage status line": b"HELLO\r\n\r\n",
    "200 headers": b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 200 + b"\r\n",
    "a header line of 200 kB": b"HTTP/1.1 200 OK\r\nX-A: " + b"a" * 200_000 + b"\r\n\r\n",
    "a broken Location": b"HTTP/1.1 302 Found\r\nLocation: http://[::1\r\n\r\n",
    "a Location not UTF-8": b"HTTP/1.1 302 Found\r\nLocation: http://\xff.x/\r\n\r\n",
    "two lengths": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nabc",
    "broken chunks": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nab\r\n",
    "a 404": b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_response_is_a_download_error(world, name):
    with serving(raw(HOSTILE[name])) as (url, _):
        world.use(url)
        with pytest.raises(load.DataError) as caught:
            geoevents.load(version="1.0.0")
    assert type(caught.value) is load.DataError
    assert caught.value.message.startswith(f"cannot download {url}/1.0.0/events.parquet: ")
    assert kept(world.cache) == []


@pytest.mark.parametrize("url", ["file:///etc", "ftp://127.0.0.1/dataset", "gopher://x/y",
                                 "127.0.0.1:8000/dataset", "http://", "http://[::1",
                                 "http://h:99999/d", "http://h:x/d", "http://h/a b",
                                 "http://h/d\x1b", "http://h/d?v=1", "http://h/d#top",
                                 "http://h/d?"])
def test_only_http_mirrors_are_used(world, url):
    world.use(url)
    with pytest.raises(load.BadSetting) as caught:
        geoevents.load(version="1.0.0")
    shown = url.split("?")[0] + "?***" if "?" in url else url
    shown = shown.split("#")[0] + "#***" if "#" in url else shown
    assert caught.value.message.startswith(
        f"GEOEVENTS_DATA_URL must be an http(s) URL, found {shown!r}: ")
    if "?" in url or "#" in url:
        assert "no query or fragment" in caught.value.message
        assert "v=1" not in caught.value.message and "top" not in caught.value.message
    assert isinstance(caught.value, load.DataError) and caught.value.exit_code == 2
    assert geoevents.load().height == 3000  # the bundled release needs no mirror
    assert not world.cache.exists()  # a bad setting is refused before the cache is touched


@pytest.mark.parametrize("name", list(load.TIMEOUTS))
@pytest.mark.parametrize("value", ["abc", "0", "-5", "inf", "nan", "1e10", "86401", "1e400"])
def test_a_bad_timeout_setting_is_a_usage_error(world, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(load.BadSetting) as caught:
        geoevents.load(version="1.0.0")
    assert caught.value.message == (f"{name} must be a number of seconds above 0 and at most "
                                    f"86400, found {value!r}")
    assert not world.cache.exists()


def test_the_largest_timeouts_are_usable(world, monkeypatch):
    for name in load.TIMEOUTS:
        monkeypatch.setenv(name, "86400")
    assert geoevents.load(version="1.0.0").height == 4000


def test_a_timeout_too_large_exits_2_on_the_command_line(world, monkeypatch):
    monkeypatch.setenv("GEOEVENTS_CONNECT_TIMEOUT", "1e10")
    result = cli("fetch", "1.0.0")
    assert result.exit_code == 2
    assert "error: GEOEVENTS_CONNECT_TIMEOUT must be a number of seconds above 0 and at " \
           "most 86400" in result.output


def test_credentials_in_the_mirror_url_are_never_shown(world):
    port = closed_port()
    world.use(f"http://reader:s3cret-Pw@127.0.0.1:{port}/data")
    with pytest.raises(load.DataError) as caught:
        geoevents.load(version="1.0.0")
    shown = caught.value.message + caught.value.hint
    assert f"cannot download http://reader:***@127.0.0.1:{port}/data/1.0.0/" in shown
    assert "s3cret" not in shown
    assert load.display_url() == f"http://reader:***@127.0.0.1:{port}/data"
    listed = cli("versions")
    assert f"source: http://reader:***@127.0.0.1:{port}/data" in listed.output
    assert "s3cret" not in listed.output
    world.use("https://ghp_T0kenOnly@[::1/x")  # a token as user name; a URL that is broken
    with pytest.raises(load.BadSetting) as caught:
        geoevents.load(version="1.0.0")
    assert "found 'https://***@[::1/x'" in caught.value.message
    assert "T0ken" not in caught.value.message + caught.value.hint
    assert "T0ken" not in cli("fetch", "1.0.0").output


def test_wrong_bytes_of_the_right_size_are_refused_and_deleted(world):
    served = world.served / "1.0.0" / "events.parquet"
    body = bytearray(served.read_bytes())
    body[len(body) // 2] ^= 0xFF
    served.write_bytes(bytes(body))
    with pytest.raises(load.DataError, match="does not match the sha256 in index.json"):
        geoevents.load(version="1.0.0")
    assert kept(world.cache) == []


def test_a_file_of_another_size_is_refused_before_it_is_read(world):
    (world.served / "1.0.0" / "events.parquet").write_bytes(b"PAR1" * 10)
    with pytest.raises(load.DataError, match="announces 40 bytes, not the .* bytes index"):
        geoevents.load(version="1.0.0")
    assert kept(world.cache) == []


def test_an_unreachable_mirror_names_the_url_and_the_offline_versions(world):
    url = f"http://127.0.0.1:{closed_port()}"
    world.use(url)
    with pytest.raises(load.DataError) as caught:
        geoevents.load(version="1.0.0")
    assert type(caught.value) is load.DataError
    assert f"cannot download {url}/1.0.0/events.parquet" in caught.value.message
    assert "versions available offline: 1.1.0" in caught.value.message
    assert caught.value.exit_code == 3


# -- kill -9 in the middle of a download --------------------------------------------

LOADER = """
import sys
from pathlib import Path
from geoevents import loading
loading.bundled_dir = lambda: Path(sys.argv[1])
loading.load("events", "1.0.0")
"""


def test_a_download_killed_midway_leaves_nothing_the_next_run_keeps(world):
    folder = world.cache / "1.0.0"
    with serving(stall_after(world.served, 0.5)) as (url, _):
        env = {**os.environ, "GEOEVENTS_DATA_URL": url, "GEOEVENTS_CACHE": str(world.cache)}
        child = subprocess.Popen([sys.executable, "-c", LOADER, str(world.bundled)], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            partial = wait_for_partial(folder, child)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
    assert child.returncode == -signal.SIGKILL
    assert partial.exists() and partial.name != "events.parquet"
    assert not (folder / "events.parquet").exists()  # never under its final name
    assert geoevents.load(version="1.0.0").height == 4000
    assert kept(world.cache) == ["1.0.0/events.parquet"]


def wait_for_partial(folder: Path, child: subprocess.Popen, limit: float = 30) -> Path:
    """The first non-empty file in ``folder`` (the download's temporary file)."""
    stop = time.monotonic() + limit
    while time.monotonic() < stop:
        assert child.poll() is None, "the download ended before it was killed"
        found = [p for p in folder.glob("*") if p.is_file() and p.stat().st_size > 0]
        if found:
            return found[0]
        time.sleep(0.01)
    raise AssertionError(f"no partial download appeared in {folder}")


def pooch_leftover(folder: Path) -> Path:
    """A temporary file named exactly as pooch names its own (tempfile, in that folder)."""
    with tempfile.NamedTemporaryFile(dir=folder, delete=False) as fh:
        fh.write(b"\0" * 1000)
    return Path(fh.name)


def test_leftovers_are_removed_by_a_load_of_another_file(world):
    folder = world.cache / "1.0.0"
    folder.mkdir(parents=True)
    pooch_leftover(folder)  # what pooch leaves when killed
    assert geoevents.load("actors", version="1.0.0").height == 3
    assert kept(world.cache) == ["1.0.0/actors.parquet"]
    pooch_leftover(folder)  # and by a load served from the cache
    assert geoevents.load("actors", version="1.0.0").height == 3
    assert kept(world.cache) == ["1.0.0/actors.parquet"]


def test_tidying_never_removes_what_geoevents_did_not_make(world, tmp_path):
    """Only pooch's temporary files go: a user's files, look-alikes and links stay, and a
    version folder that is a link is refused, never looked into."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "notes.txt").write_text("mine")
    (elsewhere / "tmpabcdefgh").write_text("also mine")
    folder = world.cache / "1.0.0"
    folder.mkdir(parents=True)
    foreign = {"thesis.docx": b"chapter 1", "tmpzz": b"x", ".part-events.parquet": b"y",
               "tmpABCDEFGH": b"z", "tmpabcdefghi": b"w"}
    for name, body in foreign.items():
        (folder / name).write_bytes(body)
    (folder / "tmp12345678").symlink_to(elsewhere / "notes.txt")
    (folder / "tmpsub_0000").mkdir()
    leftover = pooch_leftover(folder)
    (world.cache / "1.1.0").symlink_to(elsewhere, target_is_directory=True)

    assert geoevents.fetch("1.0.0") == folder
    assert not leftover.exists()
    for name, body in foreign.items():
        assert (folder / name).read_bytes() == body
    assert (folder / "tmp12345678").is_symlink() and (folder / "tmpsub_0000").is_dir()

    assert geoevents.fetch("1.1.0") == world.bundled / "1.1.0"  # bundled: the cache is not used
    with pytest.raises(load.CacheUnusable) as caught:  # a download into it would be refused
        load._retrieve(load.entry("1.1.0"), "events.parquet")
    assert caught.value.message.startswith(
        f"the cache folder {world.cache / '1.1.0'} is a symbolic link (to {elsewhere})")
    assert caught.value.exit_code == 3 and "remove the link" in caught.value.hint
    assert sorted(p.name for p in elsewhere.iterdir()) == ["notes.txt", "tmpabcdefgh"]
    assert (world.cache / "1.1.0").is_symlink()
    release = geoevents.versions()[1]
    assert release.cached == "corrupt"
    assert any("is a symbolic link" in p for p in release.problems)
    assert geoevents.load().height == 3000  # the bundled copy needs no cache


def test_a_cache_that_is_a_link_is_refused(world, tmp_path, monkeypatch):
    real = tmp_path / "real-cache"
    (real / "1.0.0").mkdir(parents=True)
    keep = pooch_leftover(real / "1.0.0")
    link = tmp_path / "cache-link"
    link.symlink_to(real, target_is_directory=True)
    monkeypatch.setenv("GEOEVENTS_CACHE", str(link))
    with pytest.raises(load.CacheUnusable, match="is a symbolic link"):
        geoevents.load(version="1.0.0")
    assert keep.exists() and sorted(p.name for p in real.rglob("*")) == ["1.0.0", keep.name]
    result = cli("fetch", "1.0.0")
    assert result.exit_code == 3 and "symbolic link" in result.output


# -- the cache ----------------------------------------------------------------------


def test_a_cache_that_is_a_file_is_an_environment_failure(world, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    for cache in (blocker, blocker / "sub"):
        monkeypatch.setenv("GEOEVENTS_CACHE", str(cache))
        with pytest.raises(load.CacheUnusable) as caught:
            geoevents.load(version="1.0.0")
        assert isinstance(caught.value, errors.EnvironmentFailure)
        assert str(blocker) in caught.value.message and "GEOEVENTS_CACHE" in caught.value.hint
        assert geoevents.load().height == 3000  # the bundled release needs no cache
        assert [r.cached for r in geoevents.versions()] == ["no", "no"]
    result = cli("fetch", "1.0.0")
    assert result.exit_code == 3 and "GEOEVENTS_CACHE" in result.output
    assert blocker.read_text() == "x"


def test_a_corrupt_cached_file_is_reported_then_replaced(world):
    assert geoevents.load(version="1.0.0").height == 4000
    cached = world.cache / "1.0.0" / "events.parquet"
    body = bytearray(cached.read_bytes())
    body[100] ^= 0xFF
    cached.write_bytes(bytes(body))
    (v100, _) = geoevents.versions()
    assert (v100.cached, v100.state) == ("corrupt", "corrupt")
    assert any(p.startswith("cached events.parquet has sha256") for p in v100.problems)
    listed = cli("versions")
    assert listed.exit_code == 0 and "corrupt" in listed.output
    assert geoevents.load(version="1.0.0").height == 4000  # downloaded again
    assert sha(cached) == world.entry("1.0.0")["files"]["events.parquet"]
    assert geoevents.versions()[0].cached == "partial"


def test_a_corrupt_cached_file_is_deleted_even_when_the_mirror_is_down(world):
    folder = world.cache / "1.0.0"
    folder.mkdir(parents=True)
    (folder / "events.parquet").write_bytes(b"\0" * 10_000_000)
    world.use(f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(load.DataError, match="cannot download"):
        geoevents.load(version="1.0.0")
    assert kept(world.cache) == []


def test_each_file_is_hashed_once_while_it_is_unchanged(world, monkeypatch):
    calls = []
    real = hashlib.file_digest
    monkeypatch.setattr(hashlib, "file_digest", lambda fh, name: calls.append(fh.name)
                        or real(fh, name))
    for _ in range(3):
        geoevents.load()
    assert [Path(c).name for c in calls] == ["events.parquet"]
    bundled = world.bundled / "1.1.0" / "events.parquet"
    os.utime(bundled, ns=(time.time_ns(), time.time_ns() + 10**9))
    geoevents.load()
    assert len(calls) == 2


# -- bundled files and the index ----------------------------------------------------


@pytest.mark.parametrize("mode", ["PACKAGED", "REPO"])
def test_a_tampered_bundled_file_is_refused_in_every_install_mode(world, monkeypatch, mode):
    monkeypatch.setattr(load, "bundled_dir", ORIGINAL_BUNDLED_DIR)
    monkeypatch.setattr(load, "PACKAGED", world.bundled if mode == "PACKAGED" else Path("/no"))
    monkeypatch.setattr(load, "REPO", world.bundled)
    assert geoevents.load().height == 3000
    target = world.bundled / "1.1.0" / "events.parquet"
    expected = sha(target)
    target.write_bytes(target.read_bytes().replace(b"e1", b"e9", 1))
    with pytest.raises(errors.TamperedRelease) as caught:
        geoevents.load()
    assert isinstance(caught.value, load.DataError) and caught.value.exit_code == 3
    message = caught.value.message
    assert str(target) in message and expected in message and sha(target) in message
    assert "reinstall" in caught.value.hint
    assert geoevents.load("actors").height == 3  # the other files still verify
    release = geoevents.versions()[1]
    assert (release.bundled, release.state) == ("tampered", "tampered")


def add_a_file(folder: Path) -> str:
    (folder / "evil.sh").write_text("#!/bin/sh\n")
    return "evil.sh is not listed in index.json"


def link_to_a_copy(folder: Path) -> str:
    """events.parquet replaced by a link to an identical copy: same bytes, not the file."""
    copy = folder.parent / "copy.parquet"
    shutil.copy(folder / "events.parquet", copy)
    (folder / "events.parquet").unlink()
    (folder / "events.parquet").symlink_to(copy)
    return "events.parquet is a symbolic link, not the file index.json records"


def link_the_folder(folder: Path) -> str:
    moved = folder.parent / "moved-1.1.0"
    folder.rename(moved)
    folder.symlink_to(moved, target_is_directory=True)
    return f"{folder} is a symbolic link (to {moved}), not a folder of its own"


def a_file_for_the_folder(folder: Path) -> str:
    shutil.rmtree(folder)
    folder.write_text("not a folder")
    return f"{folder} is not a folder"


def a_folder_among_the_files(folder: Path) -> str:
    (folder / "extra").mkdir()
    return "extra is not listed in index.json"


TAMPERINGS = [add_a_file, link_to_a_copy, link_the_folder, a_file_for_the_folder,
              a_folder_among_the_files]


@pytest.mark.parametrize("tamper", TAMPERINGS, ids=lambda f: f.__name__)
def test_a_bundled_folder_that_is_not_what_the_index_lists_is_tampered(world, tamper):
    folder = world.bundled / "1.1.0"
    assert geoevents.load().height == 3000  # verified (and remembered) first
    problem = tamper(folder)
    release = geoevents.versions()[1]
    assert (release.bundled, release.state) == ("tampered", "tampered")
    assert problem in " ".join(release.problems)
    for table in ("events", "actors"):
        with pytest.raises(load.TamperedFile) as caught:
            geoevents.load(table)
        assert problem.split(" is ")[0] in caught.value.message
        assert caught.value.message.startswith("the bundled release 1.1.0 differs from "
                                               "index.json: ")
        assert caught.value.exit_code == 3 and "reinstall" in caught.value.hint
    listed = cli("versions")
    assert listed.exit_code == 3 and "tampered" in listed.output


def test_a_same_size_rewrite_with_its_mtime_put_back_is_found(world):
    """os.utime can restore the modification time, not the change time."""
    target = world.bundled / "1.1.0" / "events.parquet"
    assert geoevents.load().height == 3000
    before = target.stat()
    body = bytearray(target.read_bytes())
    body[len(body) // 2] ^= 0xFF
    with open(target, "r+b") as fh:  # in place: same inode, same size
        fh.write(bytes(body))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    while target.stat().st_ctime_ns == before.st_ctime_ns:  # a coarse clock: let it tick
        time.sleep(0.01)
        os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = target.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino, before.st_size, before.st_mtime_ns)
    with pytest.raises(load.TamperedFile, match="events.parquet differs from index.json"):
        geoevents.load()


def test_versions_lists_where_each_release_is_and_whether_it_verifies(world):
    listed = cli("versions")
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert lines[0] == "version    date        bundled   cached    state"
    assert lines[1].split() == ["1.0.0", world.entry("1.0.0")["date"], "no", "no", "remote"]
    assert lines[2].split() == ["1.1.0", world.entry("1.1.0")["date"], "yes", "no", "verified"]
    (world.bundled / "1.1.0" / "README.md").write_text("changed\n")
    listed = cli("versions")
    assert listed.exit_code == 3
    assert listed.output.splitlines()[2].split()[2:] == ["tampered", "no", "tampered"]
    assert "1.1.0: bundled README.md has 8 bytes, index.json records" in listed.output
    assert "error: bundled files of 1.1.0 differ from index.json" in listed.output
    assert [str(v) for v in geoevents.versions()] == ["1.0.0", "1.1.0"]


def _drop(key):
    def edit(doc):
        del doc["versions"][0][key]
        return doc
    return edit


def _set(path, value):
    def edit(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return doc
    return edit


BAD_INDEXES = {
    "truncated": lambda text: text[: len(text) // 2],
    "empty": lambda text: "",
    "not utf-8": lambda text: "\udcff",
    "a list": lambda text: "[]",
    "versions a dict": lambda text: '{"latest": null, "versions": {}}',
    "a key twice": lambda text: '{"latest": null, "latest": null, "versions": []}',
    "nested 200,000 deep": lambda text: "[" * 200_000 + "]" * 200_000,
    "deep inside an entry": lambda text: text.replace('"date"', '"x": ' + "[" * 100_000
                                                      + "]" * 100_000 + ', "date"', 1),
}
BAD_DOCS = {
    "no files": _drop("files"),
    "no date": _drop("date"),
    "no version": _drop("version"),
    "no latest": lambda doc: {k: v for k, v in doc.items() if k != "latest"},
    "latest unlisted": _set(["latest"], "9.9.9"),
    "a path for a version": _set(["versions", 0, "version"], "../../etc"),
    "a path for a file": _set(["versions", 0, "files"], {"../x": "0" * 64}),
    "a file in a folder": _set(["versions", 0, "files"], {"sub/x": "0" * 64}),
    "a file named with ..": _set(["versions", 0, "files"], {"x..y": "0" * 64}),
    "a version not SemVer": _set(["versions", 0, "version"], "1.0"),
    "a version with a leading zero": _set(["versions", 0, "version"], "01.0.0"),
    "a version with a non-ASCII digit": _set(["versions", 0, "version"], "1\u0660.0.0"),
    "a date not ISO": _set(["versions", 0, "date"], "2024-1-1"),
    "a hash in capitals": _set(["versions", 0, "files", "README.md"], "A" * 64),
    "a size too large": _set(["versions", 0, "bytes", "README.md"], 2**64),
    "a size that is true": _set(["versions", 0, "bytes", "README.md"], True),
    "a short hash": _set(["versions", 0, "files", "README.md"], "abc"),
    "a negative size": _set(["versions", 0, "bytes", "README.md"], -1),
    "a size that is text": _set(["versions", 0, "bytes", "README.md"], "12"),
    "a size of a file not listed": _set(["versions", 0, "bytes", "other.csv"], 1),
    "an entry that is a string": _set(["versions", 0], "1.0.0"),
    "a version twice": lambda doc: {**doc, "versions": doc["versions"] * 2},
}


@pytest.mark.parametrize("name", list(BAD_INDEXES) + list(BAD_DOCS))
def test_a_corrupt_index_is_named_not_a_traceback(world, name):
    path = world.bundled / "index.json"
    text = path.read_text()
    if name in BAD_INDEXES:
        raw = BAD_INDEXES[name](text).encode("utf-8", "surrogateescape")
    else:
        raw = json.dumps(BAD_DOCS[name](json.loads(text))).encode()
    path.write_bytes(raw)
    for call in (geoevents.load, geoevents.versions, lambda: geoevents.fetch("1.0.0")):
        with pytest.raises(load.CorruptIndex) as caught:
            call()
        assert caught.value.message.startswith(f"corrupt index {path}: ")
        assert caught.value.exit_code == 3
    result = cli("versions")
    assert result.exit_code == 3 and "corrupt index" in result.output
    assert kept(world.cache) == []


def within(seconds: float, call):
    """``call()``'s result or exception, failing (not hanging) if it takes longer."""
    outcome = {}

    def run():
        try:
            outcome["value"] = call()
        except BaseException as exc:  # re-raised below, in the test's thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@pytest.mark.parametrize("kind", ["a FIFO", "a link to /dev/zero", "a folder"])
def test_an_index_that_is_not_a_regular_file_is_refused_unread(world, kind):
    path = world.bundled / "index.json"
    path.unlink()
    if kind == "a FIFO":
        os.mkfifo(path)
    elif kind == "a folder":
        path.mkdir()
    else:
        path.symlink_to("/dev/zero")
    for call in (geoevents.load, geoevents.versions, lambda: geoevents.fetch("1.0.0")):
        with pytest.raises(load.CorruptIndex) as caught:
            within(5, call)
        assert caught.value.message == (f"corrupt index {path}: it is not a regular file "
                                        "(a FIFO, device or folder?)")
    result = within(10, lambda: cli("versions"))
    assert result.exit_code == 3 and "corrupt index" in result.output


def test_an_index_larger_than_the_cap_is_refused(world, monkeypatch):
    path = world.bundled / "index.json"
    monkeypatch.setattr(load, "INDEX_CAP", path.stat().st_size - 1)
    with pytest.raises(load.CorruptIndex, match=f"it has {path.stat().st_size} bytes, more"):
        geoevents.versions()


def test_read_index_file_returns_the_checked_index(world, tmp_path):
    doc = load.read_index_file(world.bundled / "index.json")
    assert [e["version"] for e in doc["versions"]] == ["1.0.0", "1.1.0"]
    with pytest.raises(load.DataError) as caught:
        load.read_index_file(tmp_path / "none.json")
    assert type(caught.value) is load.DataError and "none.json" in caught.value.message
    bad = tmp_path / "index.json"
    bad.write_text(json.dumps({**doc, "versions": doc["versions"] + doc["versions"][:1]}))
    with pytest.raises(load.CorruptIndex, match="version 1.0.0 is listed twice"):
        load.read_index_file(bad)


@pytest.mark.parametrize("call", [lambda: geoevents.load("nope"),
                                  lambda: geoevents.load(version="9.9.9"),
                                  lambda: geoevents.scan(version="1.0"),
                                  lambda: geoevents.fetch("newest")])
def test_an_unknown_table_or_version_is_a_usage_error(world, call):
    with pytest.raises(load.UnknownRelease) as caught:
        call()
    assert caught.value.exit_code == 2 and "unknown" in caught.value.message


# -- the command line ---------------------------------------------------------------


def test_fetch_exit_codes(world):
    unknown = cli("fetch", "9.9.9")
    assert unknown.exit_code == 2 and "unknown version '9.9.9'" in unknown.output
    world.use(f"http://127.0.0.1:{closed_port()}")
    down = cli("fetch", "1.0.0")
    assert down.exit_code == 3 and "error: cannot download" in down.output
    world.use("ftp://127.0.0.1/dataset")
    assert cli("fetch", "1.0.0").exit_code == 2
    world.use(world.url)
    fetched = cli("fetch", "1.0.0")
    assert fetched.exit_code == 0 and fetched.output.strip() == str(world.cache / "1.0.0")
    assert kept(world.cache) == sorted(f"1.0.0/{n}" for n in world.entry("1.0.0")["files"])


CLI = """
import sys
from pathlib import Path
from geoevents import loading
bundled = Path(sys.argv.pop(1))
loading.bundled_dir = lambda: bundled
from geoevents.cli import main
main()
"""


def run_cli(world, *args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "GEOEVENTS_CACHE": str(world.cache),
                "GEOEVENTS_DATA_URL": world.url, **env}
    full_env.pop("GEOEVENTS_DEBUG", None)
    out = subprocess.run([sys.executable, "-c", CLI, str(world.bundled), *args], env=full_env,
                         capture_output=True, text=True, timeout=60)
    assert "Traceback" not in out.stdout + out.stderr
    return out


def test_fetch_in_a_real_process(world):
    assert run_cli(world, "fetch", "9.9.9").returncode == 2
    down = run_cli(world, "fetch", "1.0.0", GEOEVENTS_DATA_URL=f"http://127.0.0.1:{closed_port()}")
    assert down.returncode == 3 and "error: cannot download" in down.stderr
    target = world.bundled / "1.1.0" / "events.parquet"
    target.write_bytes(target.read_bytes().replace(b"e1", b"e9", 1))
    tampered = run_cli(world, "versions")
    assert tampered.returncode == 3 and "tampered" in tampered.stdout
    blocked = run_cli(world, "fetch", "1.0.0", GEOEVENTS_CACHE=str(target))
    assert blocked.returncode == 3 and "is a file, not a folder" in blocked.stderr


def test_the_installed_command_never_shows_a_traceback(tmp_path):
    """``python -m geoevents`` with the index this checkout ships."""
    env = {**os.environ, "GEOEVENTS_CACHE": str(tmp_path / "c"),
           "GEOEVENTS_DATA_URL": f"http://127.0.0.1:{closed_port()}"}
    env.pop("GEOEVENTS_DEBUG", None)
    for args, code in [(["fetch", "9.9.9"], 2), (["versions", "--format", "xml"], 2)]:
        out = subprocess.run([sys.executable, "-m", "geoevents", *args], env=env,
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == code and "Traceback" not in out.stdout + out.stderr
        assert out.stderr.startswith(("error: ", "Usage: "))
    # a bundled release is verified where it is: no network, nothing cached
    out = subprocess.run([sys.executable, "-m", "geoevents", "fetch", load.latest()], env=env,
                         capture_output=True, text=True, timeout=60, check=False)
    assert (out.returncode, out.stderr) == (0, "")
    assert out.stdout == f"{load.bundled_dir() / load.latest()}\n"
    assert not (tmp_path / "c").exists()


def test_two_loads_at_once_take_turns(world):
    results, failures = [], []

    def run():
        try:
            results.append(geoevents.load(version="1.0.0").height)
        except Exception as exc:  # reported below, not lost in the thread
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert failures == [] and results == [4000] * 4
    assert kept(world.cache) == ["1.0.0/events.parquet"]


def test_a_verified_file_that_is_not_parquet_is_a_data_error(world):
    index = world.bundled / "index.json"
    doc = json.loads(index.read_text())
    target = world.bundled / "1.1.0" / "events.parquet"
    target.write_bytes(b"not parquet at all")
    doc["versions"][1]["files"]["events.parquet"] = sha(target)
    doc["versions"][1]["bytes"]["events.parquet"] = target.stat().st_size
    index.write_text(json.dumps(doc))
    with pytest.raises(load.DataError, match="cannot read .*events.parquet as Parquet"):
        geoevents.load()
