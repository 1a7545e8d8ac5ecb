"""Hostile input: whatever is done to a valid project, validate ends cleanly.

Two kinds of test. Fixed hostile files, each of which once exhausted a parser
(a CSV of a million columns, YAML nested 600 and 30,000 deep, a file larger
than the limit, a line of 200,000 characters): each must give its problem, and
the rest of the project is still checked. The work is bounded by construction
(the limits are checked before any parser runs), so these are not timed.

Then structure-aware mutations of a copy of the valid fixture (lines deleted,
duplicated, swapped; files truncated, renamed, turned into folders, FIFOs or
links out of the project; control characters, deep nesting, random Unicode,
BOM and CRLF; a broken codebook), run through the command line: the exit code
is 0, 1 or 2 and the output holds no traceback and no internal error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import geoevents
from geoevents.cli import main

DATA = Path(__file__).parent / "data" / "valid"
SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
EVENTS = "annotations/events.yaml"
ACTORS = "annotations/actors.csv"


def found(root: Path) -> set[tuple]:
    return {(p["rule"], p["file"], p["line"], p["field"])
            for p in geoevents.validate(root).to_dicts()}


# --- fixed hostile files ---------------------------------------------------------


def test_a_million_columns(project):
    header = ",".join(f"{i:07d}" for i in range(1_000_000))  # 8 MB
    project.write("annotations/actors-wide.csv", header + "\n" + "x," * 999_999 + "x\n")
    assert found(project.root) == {("csv-too-many-columns", "annotations/actors-wide.csv", 1, None)}


@pytest.mark.parametrize("depth", [600, 30_000])
def test_deep_yaml_block_and_flow(project, depth):
    block = "- event_id: x\n  notes:\n" + "".join(
        f"{'  ' * (i + 2)}- \n" for i in range(min(depth, 2_000)))
    flow = "- notes: " + "[" * depth + "]" * depth + "\n"
    mapping = "- notes: " + "{a:\n" * depth + "x" + "}" * depth + "\n"
    project.write("annotations/events-block.yaml", block)
    project.write("annotations/events-flow.yaml", flow)
    project.write("annotations/events-map.yaml", mapping)
    assert found(project.root) == {
        ("yaml-too-deep", "annotations/events-block.yaml", 21, None),
        ("yaml-too-deep", "annotations/events-flow.yaml", 1, None),
        ("yaml-too-deep", "annotations/events-map.yaml", 19, None)}


def test_deep_yaml_in_a_real_process_does_not_crash_the_interpreter(project):
    # 30,000 levels once crashed libyaml's composer with SIGSEGV: run it in a process
    project.write("annotations/events-flow.yaml", "- notes: " + "[" * 30_000 + "]" * 30_000)
    run = subprocess.run([sys.executable, "-m", "geoevents", "validate", "--root",
                          str(project.root)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr
    assert "yaml-too-deep" in run.stdout and "Traceback" not in run.stderr


def test_a_70_mb_yaml_file(project):
    with open(project.path("annotations/events-big.yaml"), "wb") as fh:
        fh.truncate(70 * 1024 * 1024)  # sparse: never read, so never written either
    assert found(project.root) == {("file-too-large", "annotations/events-big.yaml", None, None)}


def test_a_large_csv_within_the_limit_is_read(project):
    # within the CSV limit: a large file of valid rows is read (and found valid)
    header = project.path(ACTORS).read_text(encoding="utf-8").splitlines()[0]
    row = "a{},Actor {},,state,RUS,,,,"
    rows = "\n".join(row.format(i, i) for i in range(1_200_000))
    project.write("annotations/actors-many.csv", f"{header}\n{rows}\n")
    assert project.path("annotations/actors-many.csv").stat().st_size > 30_000_000
    assert found(project.root) == set()


def test_a_200_000_character_line(project):
    project.write("annotations/events-long.yaml", "- notes: " + "x" * 200_000 + "\n")
    header = project.path(ACTORS).read_text(encoding="utf-8").splitlines()[0]
    project.write("annotations/actors-long.csv", f"{header}\nz,{'y' * 200_000},,state,RUS,,,,\n")
    assert found(project.root) == {("line-too-long", "annotations/events-long.yaml", 1, None),
                                   ("line-too-long", "annotations/actors-long.csv", 2, None)}


def test_the_rest_of_the_project_is_still_checked(project):
    project.write("annotations/events-flow.yaml", "- notes: " + "[" * 600 + "]" * 600 + "\n")
    project.edit(ACTORS, "person,PRK", "person,PRQ")
    assert found(project.root) == {("yaml-too-deep", "annotations/events-flow.yaml", 1, None),
                                   ("country-code", ACTORS, 2, "country")}


# --- structure-aware mutations ---------------------------------------------------

FILES = sorted(p.relative_to(DATA).as_posix() for p in DATA.rglob("*") if p.is_file())
NASTY = ["\x00", "\x1b[2J", "\u202e", "\u2066", "\x85", "\r", "\t", "\ufeff", "\ud7ff", "=",
         "+1", "-", "@", "'", '"', ",", ":", "- ", "{", "[", "&a", "*a", "!!python/object:x",
         "\n", "  ", "#", "\\", "%", "..", "/", "\u0301", "\ufffd"]
text_piece = st.one_of(st.sampled_from(NASTY), st.text(max_size=12))
files = st.sampled_from(FILES)


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def _write_lines(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"".join(lines))


def _pick(data, n: int) -> int:
    return data.draw(st.integers(0, max(n - 1, 0)))


def _regular(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def mutate(root: Path, outside: Path, data) -> str:
    """Apply one mutation to the project at ``root``; returns what it did (for reports)."""
    try:
        return _mutate(root, outside, data)
    except OSError as exc:  # an earlier mutation took the file away (or its folder)
        return f"not possible: {exc}"


def _mutate(root: Path, outside: Path, data) -> str:
    rel = data.draw(files)
    path = root / rel
    kind = data.draw(st.sampled_from([
        "delete-line", "duplicate-line", "swap-lines", "truncate", "insert", "deep",
        "replace-value", "rename", "folder", "link-out", "link-loop", "fifo", "bom", "crlf",
        "random-bytes", "schemas", "annotations-file", "empty",
    ]))
    if kind in {"delete-line", "duplicate-line", "swap-lines", "truncate", "insert", "deep",
                "replace-value", "bom", "crlf", "random-bytes", "empty"} and not _regular(path):
        kind = "rename"
    if kind == "delete-line":
        lines = _lines(path)
        if lines:
            del lines[_pick(data, len(lines))]
        _write_lines(path, lines)
    elif kind == "duplicate-line":
        lines = _lines(path)
        if lines:
            i = _pick(data, len(lines))
            lines.insert(i, lines[i])
        _write_lines(path, lines)
    elif kind == "swap-lines":
        lines = _lines(path)
        if len(lines) > 1:
            i, j = _pick(data, len(lines)), _pick(data, len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        _write_lines(path, lines)
    elif kind == "truncate":
        raw = path.read_bytes()
        path.write_bytes(raw[:_pick(data, len(raw) + 1)])
    elif kind == "insert":
        raw = path.read_bytes()
        at = _pick(data, len(raw) + 1)
        piece = data.draw(text_piece).encode("utf-8", "surrogatepass")
        path.write_bytes(raw[:at] + piece + raw[at:])
    elif kind == "deep":
        n = data.draw(st.sampled_from([19, 20, 21, 600, 5_000]))
        raw = path.read_bytes()
        at = _pick(data, len(raw) + 1)
        path.write_bytes(raw[:at] + b"[" * n + b"]" * n + raw[at:])
    elif kind == "replace-value":
        lines = _lines(path)
        if lines:
            i = _pick(data, len(lines))
            line = lines[i].decode("utf-8", "replace")
            sep = ": " if ": " in line else ","
            head, _, _ = line.partition(sep)
            value = data.draw(st.text(min_size=0, max_size=20))
            lines[i] = (head + sep + value + "\n").encode("utf-8", "surrogatepass")
        _write_lines(path, lines)
    elif kind == "rename":
        name = data.draw(st.one_of(
            st.sampled_from(["Events.yaml", "events.yaml.txt", "x.json", ".hidden", "README.md",
                             "events-2.yml", "actors.CSV", "sources.yaml", "events-\x1b.csv",
                             "citations-\u202e.csv", "event_actors.yaml"]),
            st.text(alphabet=st.characters(blacklist_characters="/\x00",
                                           blacklist_categories=["Cs"]),
                    min_size=1, max_size=12)))
        if name in (".", "..") or not path.exists() and not path.is_symlink():
            return kind
        try:
            path.rename(path.parent / name)
        except OSError:
            pass
    elif kind == "folder":
        _remove(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "events.csv").write_text("event_id\nx\n", encoding="utf-8")
    elif kind == "link-out":
        _remove(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(data.draw(st.sampled_from([
            str(outside), "/etc/passwd", "/dev/zero", "../../../../../../etc/hostname",
            "/nonexistent"])))
    elif kind == "link-loop":
        _remove(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(path.name)
    elif kind == "fifo":
        _remove(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(path)
    elif kind == "bom":
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    elif kind == "crlf":
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    elif kind == "random-bytes":
        with path.open("ab") as fh:
            fh.write(data.draw(st.binary(max_size=40)))
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "schemas":
        _broken_schemas(root, data)
    elif kind == "annotations-file":
        shutil.rmtree(root / "annotations", ignore_errors=True)
        (root / "annotations").write_text("not a folder\n", encoding="utf-8")
    return kind


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file() or path.is_fifo():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def _broken_schemas(root: Path, data) -> None:
    """A copy of the codebook with one line deleted or one value replaced."""
    folder = root / "schemas"
    if not folder.is_dir():
        folder.mkdir()
        for name in ("tables.yaml", "vocabularies.yaml", "plover.yaml"):
            shutil.copyfile(SCHEMAS / name, folder / name)
    path = folder / data.draw(st.sampled_from(["tables.yaml", "vocabularies.yaml", "plover.yaml"]))
    lines = _lines(path)
    i = _pick(data, len(lines))
    if data.draw(st.booleans()):
        del lines[i]
    else:
        head = lines[i].split(b":", 1)[0]
        lines[i] = head + b": " + data.draw(text_piece).encode("utf-8", "surrogatepass") + b"\n"
    _write_lines(path, lines)


def _check(result) -> None:
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    assert result.exit_code in (0, 1, 2), output
    assert "Traceback" not in output and "internal error" not in output, output


MUTATIONS = settings(max_examples=80, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.function_scoped_fixture,
                                            HealthCheck.too_slow])


@MUTATIONS
@given(st.data())
def test_mutated_project_ends_cleanly(tmp_path_factory, monkeypatch, data):
    monkeypatch.delenv("GEOEVENTS_DEBUG", raising=False)
    base = tmp_path_factory.mktemp("mutant")
    root, outside = base / "project", base / "outside.csv"
    shutil.copytree(DATA, root, symlinks=True)
    outside.write_text((DATA / ACTORS).read_text(encoding="utf-8"), encoding="utf-8")
    done = [mutate(root, outside, data) for _ in range(data.draw(st.integers(1, 3)))]
    result = CliRunner().invoke(main, ["validate", "--root", str(root)])
    note(f"mutations: {done}")
    _check(result)


@pytest.mark.parametrize("seed", range(3))
def test_mutated_projects_in_real_processes(tmp_path, seed):
    """The same, through the installed command in a process of its own."""
    import random

    rng = random.Random(seed)
    root, outside = tmp_path / "project", tmp_path / "outside.csv"
    shutil.copytree(DATA, root, symlinks=True)
    outside.write_text("x\n", encoding="utf-8")
    os.mkfifo(root / "annotations/events-pipe.csv")
    (root / "annotations/actors-out.csv").symlink_to(outside)
    events = (root / EVENTS).read_text(encoding="utf-8")
    cut = rng.randrange(len(events))
    (root / EVENTS).write_text(events[:cut] + rng.choice(NASTY) + events[cut:], encoding="utf-8",
                               errors="surrogatepass")
    (root / "annotations/events-deep.yaml").write_text("- a: " + "[" * 40_000 + "\n")
    env = {k: v for k, v in os.environ.items() if k != "GEOEVENTS_DEBUG"}
    run = subprocess.run([sys.executable, "-m", "geoevents", "validate", "--root", str(root)],
                         capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode in (0, 1, 2), run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert "internal error" not in run.stderr


def test_many_wrong_codes_get_cheap_hints_past_the_first_ones(project, monkeypatch):
    """Looking up a hint costs up to tens of ms a value (pycountry's fuzzy search): a
    file of a million wrong codes must not cost hours, so only the first distinct
    values are looked up, by construction."""
    from geoevents.check import hints

    calls = []
    real = hints.country_hint.__wrapped__

    def counted(value):
        calls.append(value)
        return real(value)

    monkeypatch.setattr(hints, "country_hint", counted)
    n = hints.MAX_FUZZY + 30
    project.append("annotations/actors.csv", "".join(
        f"bad-{i},Name {i},,state,X{i:02d},,,,\n" for i in range(n)))
    found = [p for p in project.problems() if p["rule"] == "country-code"]
    assert len(found) == n and len(calls) == hints.MAX_FUZZY
    generic = [p for p in found if p["hint"].startswith(f"one of {n} distinct values")]
    assert len(generic) == n - hints.MAX_FUZZY
    assert all(p["message"] == f"{p['value']!r} is not an ISO 3166-1 alpha-3 code" for p in found)


def test_tags_and_anchors_on_keys_are_refused(project):
    project.append("annotations/events.yaml",
                   "- !!python/object:os.system event_id: e-x\n  &a summary: *a\n")
    rules = project.rules()
    assert "yaml-tag" in rules
    tables = geoevents.read_annotations(project.root)
    assert "e-x" not in tables["events"].get_column("event_id").to_list()
    project.edit("annotations/events.yaml", "- !!python/object:os.system event_id: e-x\n",
                 "- event_id: e-x\n")
    assert "yaml-alias" in project.rules()


def test_a_hard_linked_annotation_file_is_never_read(project, tmp_path):
    import os

    outside = tmp_path / "outside.csv"
    outside.write_bytes(project.path("annotations/actors.csv").read_bytes())
    project.path("annotations/actors.csv").unlink()
    os.link(outside, project.path("annotations/actors.csv"))
    found = [p for p in project.problems() if p["file"] == "annotations/actors.csv"]
    assert [(p["rule"], p["line"]) for p in found] == [("file-outside", None)]
    assert "hard links" in found[0]["message"]


def test_many_missed_quotes_get_cheap_hints_past_the_first_ones(project, monkeypatch):
    from geoevents.check import evidence

    calls = []
    real = evidence.closest_passage

    def counted(quote, text, *raw):
        calls.append(quote)
        return real(quote, text, *raw)

    monkeypatch.setattr(evidence, "closest_passage", counted)
    n = evidence.MAX_PASSAGE_HINTS + 20
    project.append("annotations/citations.csv", "".join(
        f"2023-09-us-warns-north-korea,sample-zh,不在这里{i},not here\n" for i in range(n)))
    found = [p for p in project.problems() if p["rule"] == "quote-not-found"]
    assert len(found) == n and len(calls) == evidence.MAX_PASSAGE_HINTS
