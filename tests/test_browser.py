"""The review site and the explorer in a real browser: Debian's chromium, headless,
driven by Playwright, every page loaded from file:// with the network refused.

Skipped (saying why) only where no chromium is installed; .ci/run installs it.
With GEOEVENTS_SCREENSHOTS=1 the screenshots go to docs/img/ (the README shows
them); otherwise into the test's temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import polars as pl
import pytest

from geoevents import check

sync_api = pytest.importorskip("playwright.sync_api")
expect, sync_playwright = sync_api.expect, sync_api.sync_playwright
from geoevents import evidence_text as T
from geoevents.pages import explorer, review
from geoevents.release.tables import locate

REPO = Path(__file__).parents[1]
DATA = Path(__file__).parent / "data"
CHROMIUM = Path(os.environ.get("GEOEVENTS_CHROMIUM", "/usr/bin/chromium"))
RELEASE = REPO / "dataset" / "2.0.0"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason=f"no chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox"])
        yield chromium
        chromium.close()


class Loaded:
    """A page loaded from file://: the requests it made and the errors it logged."""

    def __init__(self, browser, path: Path, width: int = 1280):
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.url = path.resolve().as_uri()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(self.url)
        self.page.wait_for_load_state("load")

    def _route(self, route):
        if route.request.url == self.url:
            route.continue_()
        else:
            route.abort()

    def check_clean(self) -> None:
        """Nothing loaded but the page itself, nothing logged as an error."""
        assert [u for u in self.requests if u.split("#")[0] != self.url] == []
        assert self.errors == []

    def close(self):
        self.check_clean()
        self.context.close()


def screenshot(page, name: str, tmp_path: Path, height: int | None = None) -> None:
    """The viewport, or the page's first ``height`` pixels."""
    folder = REPO / "docs" / "img" if os.environ.get("GEOEVENTS_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    clip = {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": height}
    page.screenshot(path=str(folder / name), full_page=height is not None,
                    clip=clip if height else None)
    assert (folder / name).stat().st_size > 1000


# --- the review site -------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The review site of this repository's project, and what Python says of it."""
    out = tmp_path_factory.mktemp("review") / "site"
    result = check.run(REPO)
    texts, _ = T.read_sources(REPO, result.tables["sources"])
    texts = dict(texts.iter_rows())
    review.publish(out, review.site(result, texts).pages)
    return out, result, texts, expected_spans(result, texts)


def expected_spans(result, texts) -> dict[str, dict[int, tuple[int, int]]]:
    """Citation row -> (start, end) per source, found as the build finds them."""
    folded = {s: T.fold_with_index(t) for s, t in texts.items()}
    out: dict[str, dict[int, tuple[int, int]]] = {}
    for i, row in enumerate(result.tables["citations"].iter_rows(named=True)):
        if row["source_id"] in folded:
            start, end = locate(row["quote"], folded[row["source_id"]])
            if start is not None:
                out.setdefault(row["source_id"], {})[i] = (start, end)
    return out


def expected_coverage(text: str, spans, excluded) -> tuple[int, int]:
    """(characters counted, characters cited): white space and not_source left out."""
    out_of = set()
    for a, b in excluded:
        out_of.update(range(a, b))
    cited = set()
    for a, b in spans:
        cited.update(range(a, b))
    counted = [i for i, ch in enumerate(text) if not ch.isspace() and i not in out_of]
    return len(counted), sum(1 for i in counted if i in cited)


def test_index_lists_each_event_once_and_filters_count_as_the_data_says(browser, site, tmp_path):
    out, result, _, _ = site
    loaded = Loaded(browser, out / "index.html")
    page = loaded.page
    ids = page.eval_on_selector_all("[data-event-id]", "els => els.map(e => e.dataset.eventId)")
    events = result.tables["events"]
    assert sorted(ids) == sorted(events["event_id"].to_list())
    for value, expected in events.group_by("event_type").len().iter_rows():
        page.select_option("select[data-filter=type]", value)
        assert page.locator("#events > li[data-event-id]:visible").count() == expected
        assert page.text_content("#shown") == f"{expected} of {events.height} events"
    page.select_option("select[data-filter=type]", "")
    checked = events.filter(pl.col("checked_by").is_not_null()).height
    page.select_option("select[data-filter=review]", "checked")
    assert page.locator("#events > li[data-event-id]:visible").count() == checked
    assert page.locator("li.problem").count() == result.problems.height
    screenshot(page, "review-index.png", tmp_path)
    loaded.close()


def test_every_citation_is_highlighted_once_at_its_offsets(browser, site):
    out, result, texts, spans = site
    quotes = result.tables["citations"]["quote"].to_list()
    for source_id, text in texts.items():
        loaded = Loaded(browser, out / "sources" / f"{source_id}.html")
        marks = loaded.page.eval_on_selector_all("mark[data-citation]", """els => els.map(e => [
            Number(e.dataset.citation), Number(e.dataset.start), Number(e.dataset.end),
            e.textContent, e.hasAttribute('tabindex')])""")
        pieces: dict[int, list[str]] = {}
        focusable: dict[int, int] = {}
        for citation, start, end, shown, first in marks:
            assert spans[source_id][citation] == (start, end)
            pieces.setdefault(citation, []).append(shown)
            focusable[citation] = focusable.get(citation, 0) + first
        assert set(pieces) == set(spans.get(source_id, {}))
        for citation, parts in pieces.items():
            start, end = spans[source_id][citation]
            assert "".join(parts) == text[start:end].replace("\r\n", "\n")
            assert T.fold_one("".join(parts)) == T.fold_one(quotes[citation])
            assert focusable[citation] == 1
        loaded.close()


def test_a_highlight_shows_its_event_on_focus_and_leads_to_it(browser, site, tmp_path):
    out, result, texts, _ = site
    events = {r["event_id"]: r for r in result.tables["events"].iter_rows(named=True)}
    citations = result.tables["citations"]
    source_id = min(texts)
    loaded = Loaded(browser, out / "sources" / f"{source_id}.html")
    page = loaded.page
    page.keyboard.press("Tab")  # the link back to the index
    first = page.locator("mark[tabindex]").first
    first.focus()
    tip = page.locator("#tip")
    assert tip.is_visible()
    citation = int(first.get_attribute("data-citation"))
    event_id = citations["event_id"][citation]
    assert first.get_attribute("data-event-id") == event_id
    assert events[event_id]["summary"] in tip.text_content()
    if citations["quote_en"][citation]:
        assert citations["quote_en"][citation] in tip.text_content()
    screenshot(page, "review-source.png", tmp_path)
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == f"#event-{event_id}"
    assert page.locator(f"#event-{event_id} a[href='#c{citation}']").count() == 1
    page.keyboard.press("Escape")
    assert not tip.is_visible()
    loaded.close()


def test_coverage_is_what_python_counts(browser, site):
    out, result, texts, spans = site
    sources = {r["source_id"]: r for r in result.tables["sources"].iter_rows(named=True)}
    index = Loaded(browser, out / "index.html")
    for source_id, text in texts.items():
        folded = T.fold_with_index(text)
        excluded = [locate(p, folded) for p in sources[source_id].get("not_source") or []]
        counted, cited = expected_coverage(text, spans.get(source_id, {}).values(), excluded)
        loaded = Loaded(browser, out / "sources" / f"{source_id}.html")
        box = loaded.page.locator("#coverage")
        assert int(box.get_attribute("data-counted")) == counted
        assert int(box.get_attribute("data-covered")) == cited
        share = f"{(counted - cited) / counted:.1%}"
        assert loaded.page.text_content("#coverage .uncovered-share") == share
        assert index.page.text_content(
            f"#coverage tr[data-source-id='{source_id}'] .uncovered-share") == share
        loaded.close()
    index.close()


def test_problems_stand_where_they_are(browser, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(DATA / "valid", root)
    citations = root / "annotations" / "citations.csv"
    citations.write_text(citations.read_text("utf-8").replace("美国将 采取行动", "美国将要采取行动"),
                         "utf-8")
    actors = root / "annotations" / "actors.csv"
    actors.write_text(actors.read_text("utf-8").replace(",RUS,", ",RU,"), "utf-8")
    review.write(root, tmp_path / "site")
    loaded = Loaded(browser, tmp_path / "site" / "index.html")
    page = loaded.page
    assert "quote-not-found" in page.text_content(
        "li[data-event-id='2023-09-us-warns-north-korea'] .problems")
    assert "country-code" in page.text_content("#project-problems")
    assert page.locator("li[data-event-id] .problems").count() == 1
    # every problem validate reports is shown once on the index
    assert page.locator("li.problem").count() == len(check.run(root).problems)
    loaded.close()
    source = Loaded(browser, tmp_path / "site" / "sources" / "sample-zh.html")
    assert "quote-not-found" in source.page.text_content("#event-2023-09-us-warns-north-korea")
    source.close()


def test_pages_fit_a_narrow_screen(browser, site):
    out, _, texts, _ = site
    for path in (out / "index.html", out / "sources" / f"{min(texts)}.html"):
        loaded = Loaded(browser, path, width=360)
        assert loaded.page.evaluate("document.documentElement.scrollWidth") <= 360
        loaded.close()


# --- the explorer ------------------------------------------------------------------


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    tables = {name: pl.read_parquet(RELEASE / f"{name}.parquet")
              for name in ("events", "citations", "sources")}
    package = json.loads((RELEASE / "datapackage.json").read_text("utf-8"))
    path = tmp_path_factory.mktemp("explorer") / "explorer.html"
    explorer.write(path, tables, package)
    return path, tables


def count(page) -> int:
    return int(page.get_attribute("#count", "data-count"))


def test_explorer_filters_and_search_count_as_the_data_says(browser, release, tmp_path):
    path, tables = release
    events, citations = tables["events"], tables["citations"]
    loaded = Loaded(browser, path)
    page = loaded.page
    assert count(page) == events.height
    assert page.locator("#events tbody tr[data-event-id]").count() == min(50, events.height)
    for value, expected in events.group_by("event_type").len().sort("event_type").head(4).iter_rows():
        page.select_option("#filter-event_type", value)
        assert count(page) == expected
    page.click("#clear")
    country = "RUS"
    page.select_option("#filter-actor_countries", country)
    assert count(page) == events.filter(pl.col("actor_countries").list.contains(country)).height
    page.click("#clear")
    year = 2023
    page.select_option("#year", str(year))
    assert count(page) == events.filter(pl.col("date_start").dt.year() == year).height
    page.click("#clear")
    page.focus(f"#timeline rect[data-year='{year}']")
    page.keyboard.press("Enter")  # a bar of the timeline filters by its year
    assert page.input_value("#year") == str(year)
    assert count(page) == events.filter(pl.col("date_start").dt.year() == year).height
    page.click("#clear")
    word = "vostochny"
    quoted = citations.filter(pl.col("quote").str.to_lowercase().str.contains(word)
                              | pl.col("quote_en").str.to_lowercase().str.contains(word))
    expected = events.filter(pl.col("summary").str.to_lowercase().str.contains(word)
                             | pl.col("event_id").str.contains(word)
                             | pl.col("event_id").is_in(quoted["event_id"].to_list())).height
    page.fill("#search", word)
    expect(page.locator("#count")).to_have_attribute("data-count", str(expected))
    assert page.locator("#map circle.point").count() >= 1
    page.click("#events tbody tr")
    assert page.locator("#detail li.citation").count() >= 1
    screenshot(page, "explorer.png", tmp_path, height=1400)
    loaded.close()


def test_explorer_shows_an_events_citations_by_keyboard(browser, release):
    path, tables = release
    events, citations = tables["events"], tables["citations"]
    loaded = Loaded(browser, path, width=360)
    page = loaded.page
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    row = page.locator("#events tbody tr").first
    row.focus()
    page.keyboard.press("Enter")
    event_id = events["event_id"][0]
    assert page.get_attribute("#detail", "data-event-id") == event_id
    mine = citations.filter(pl.col("event_id") == event_id)
    shown = page.locator("#detail li.citation")
    assert shown.count() == mine.height
    for i, cited in enumerate(mine.iter_rows(named=True)):
        text = shown.nth(i).text_content()
        assert cited["quote"] in text and f"{cited['char_start']}–{cited['char_end']}" in text
    loaded.close()
