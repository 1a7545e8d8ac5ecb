"""The review site and the explorer without a browser: what they are made of, how
they are written, and what they refuse (tests/test_browser.py drives them)."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from geoevents.cli import main
from geoevents.pages import coverage, explorer, review, world

REPO = Path(__file__).parents[1]
RELEASE = REPO / "dataset" / "1.1.2"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def blob(page: str):
    return json.loads(re.search(r'id="page-data">(.*?)</script>', page, re.DOTALL).group(1))


def release_tables() -> dict[str, pl.DataFrame]:
    return {name: pl.read_parquet(RELEASE / f"{name}.parquet")
            for name in ("events", "citations", "sources")}


# --- the explorer ------------------------------------------------------------------


def test_the_explorer_is_the_same_bytes_for_the_same_tables():
    package = json.loads((RELEASE / "datapackage.json").read_text("utf-8"))
    first = explorer.explorer(release_tables(), package)
    assert explorer.explorer(release_tables(), package) == first
    assert first.startswith("<!DOCTYPE html>")
    # nothing is fetched: no script, style, image or font from anywhere
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", first)
    assert "default-src 'none'" in first


def test_the_explorer_takes_whatever_columns_the_release_has():
    tables = release_tables()
    events = tables["events"]
    if "mode" in events.columns:  # a 1.x release: the 2.x form is a list of modes
        events = events.with_columns(modes=pl.concat_list(pl.col("mode")).list.drop_nulls()
                                     ).drop("mode")
    events = events.with_columns(crosswalk_cameo=pl.lit("042"),
                                 tags=pl.lit(["a", "b"], dtype=pl.List(pl.String)))
    data = blob(explorer.explorer({**tables, "events": events}))
    columns = {c["name"]: c for c in data["columns"]}
    assert list(columns) == events.columns
    assert columns["modes"]["list"] and columns["tags"]["list"]
    assert not columns["crosswalk_cameo"]["list"]
    assert data["events"]["tags"][0] == ["a", "b"]
    assert data["events"]["date_start"][0] == events["date_start"][0].isoformat()
    # citations point at their event's row
    rows = data["citations"]["_event"]
    assert [data["events"]["event_id"][r] for r in rows] == tables["citations"]["event_id"].to_list()


def test_the_explorer_without_optional_columns():
    events = pl.DataFrame({"event_id": ["a", "b"], "summary": ["One.", "Two."],
                           "when": [dt.date(2020, 1, 1), None]})
    data = blob(explorer.explorer({"events": events}))
    assert data["filters"] == [] and data["year"] is None and data["map"] is None
    assert data["table"] == ["event_id", "summary"]
    assert data["events"]["when"] == ["2020-01-01", None]


def test_explore_writes_the_explorer_of_an_old_release(tmp_path):
    out = tmp_path / "old.html"
    result = invoke("explore", "--version", "1.0.0", "--out", out)
    assert result.exit_code == 0, result.output
    assert "release 1.0.0" in result.output
    data = blob(out.read_text("utf-8"))
    assert data["meta"]["version"] == "1.0.0"
    assert len(data["events"]["event_id"]) == pl.read_parquet(
        REPO / "dataset" / "1.0.0" / "events.parquet").height
    assert list(tmp_path.iterdir()) == [out]


def test_explore_refuses_an_unknown_version(tmp_path):
    result = invoke("explore", "--version", "9.9.9", "--out", tmp_path / "x.html")
    assert result.exit_code == 2
    assert "unknown version '9.9.9'" in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_world_outline_is_small_and_whole():
    path = world.outline()
    assert path.startswith("M") and path.endswith("z")
    assert len(path) < 25_000
    assert re.fullmatch(r"(M-?\d+ -?\d+(l-?\d+ -?\d+)+z)+", path)


# --- the review site -----------------------------------------------------------------


class Marks(HTMLParser):
    """The text inside each citation's marks, and the nesting seen."""

    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.text: dict[str, str] = {}
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "mark":
            self.open.append(dict(attrs)["data-citation"])
            self.depth = max(self.depth, len(self.open))

    def handle_endtag(self, tag):
        if tag == "mark":
            self.open.pop()

    def handle_data(self, data):
        for c in self.open:
            self.text[c] = self.text.get(c, "") + data


def test_spans_that_nest_are_nested_and_spans_that_cross_are_cut():
    text = "abcdefghij"
    spans = [review.Span(0, 0, 5, "e1", "AGREE"), review.Span(1, 2, 8, "e2", "AID"),
             review.Span(2, 2, 5, "e3", "AID"), review.Span(3, 2, 5, "e4", None)]
    html = review.marked(text, spans, [0])
    parser = Marks()
    parser.feed(html)
    assert parser.text == {"0": "abcde", "1": "cdefgh", "2": "cde", "3": "cde"}
    assert parser.open == [] and parser.depth == 4
    assert html.count("tabindex") == 4  # one focusable mark per citation
    assert html.count('id="at-0"') == 1


def test_coverage_counts_what_no_citation_covers():
    text = "one two\n\nthree four\nfive"
    found = coverage.coverage(text, [(0, 3), (9, 14)], excluded=[(20, 24)])
    assert (found.counted, found.covered, found.excluded) == (15, 8, 4)
    assert [(p.start, p.end, p.counted, p.uncovered) for p in found.passages] == [
        (0, 7, 6, 3), (9, 19, 9, 4)]
    assert found.uncovered_share == pytest.approx(7 / 15)


def test_not_source_is_left_out_of_coverage(project, tmp_path):
    project.edit("seeds/sources.yaml", "  rights:", "  not_source: [朝中社报道]\n  rights:")
    made = review.write(project.root, tmp_path / "site")
    found = made.coverage["sample-zh"]
    assert found.excluded == len("朝中社报道")
    assert found.passages[0].start != 0  # the title line is chrome: nothing to cite there


def test_review_replaces_its_own_site_and_refuses_anything_else(project, tmp_path):
    site = tmp_path / "site"
    result = invoke("review", "--root", project.root, "--out", site)
    assert result.exit_code == 0, result.output
    assert {p.name for p in site.iterdir()} == {"index.html", "sources", review.MARKER}
    (site / "index.html").write_text("old", "utf-8")
    assert invoke("review", "--root", project.root, "--out", site).exit_code == 0
    assert (site / "index.html").read_text("utf-8") != "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "site"]  # no temporary left
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine", "utf-8")
    refused = invoke("review", "--root", project.root, "--out", other)
    assert refused.exit_code == 2 and "review did not write" in refused.output
    assert [p.name for p in other.iterdir()] == ["notes.txt"]
    file = tmp_path / "file.html"
    file.write_text("x", "utf-8")
    refused = invoke("review", "--root", project.root, "--out", file)
    assert refused.exit_code == 2 and "is a file" in refused.output
    assert "Traceback" not in refused.output and file.read_text("utf-8") == "x"


def test_review_of_a_folder_that_is_no_project(tmp_path):
    result = invoke("review", "--root", tmp_path, "--out", tmp_path / "site")
    assert result.exit_code == 2 and "not an annotation project" in result.output
    assert not (tmp_path / "site").exists()


def test_problems_are_placed_on_their_records(project):
    from geoevents import check

    project.edit("annotations/citations.csv", "美国将 采取行动", "美国将要采取行动")
    project.edit("annotations/events.yaml", "status: occurred", "status: ocurred")
    project.edit("annotations/actors.csv", ",RUS,", ",RU,")
    placed = review.place(check.run(project.root))
    by_event = {e: {p["rule"] for p in found} for e, found in placed.events.items()}
    assert by_event == {"2023-09-us-warns-north-korea": {"quote-not-found"},
                        "2023-09-13-kim-putin-vostochny": {"vocabulary"}}
    assert [p["rule"] for found in placed.citations.values() for p in found] == [
        "quote-not-found"]
    assert {p["rule"] for p in placed.project} == {"country-code"}


def test_a_source_id_that_is_no_file_name_writes_inside_the_site(project, tmp_path):
    project.edit("seeds/sources.yaml", "source_id: sample-zh", "source_id: ../../evil")
    made = review.write(project.root, tmp_path / "site")
    (name,) = [p for p in made.pages if p != "index.html"]
    assert re.fullmatch(r"sources/source-[0-9a-f]{16}\.html", name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "site"]
    assert (tmp_path / "site" / name).is_file()
    assert f'href="{name}"' in (tmp_path / "site" / "index.html").read_text("utf-8")
