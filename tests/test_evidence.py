"""The evidence path shared by validate and build: reading, folding, finding, offsets."""

from __future__ import annotations

import hashlib
import unicodedata

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from geoevents import evidence_text as T
from geoevents.cli import main

CHANGELOG = "# Changelog\n\n## [1.0.0] - 2023-10-02\n\n### Added\n\n- First release.\n"

#: letters, combining marks (some that compose, some that do not), white space
#: of every kind (and U+001C, which Python's isspace calls space and Unicode does not)
ALPHABET = list("ab eqéVit中\u00a0\u3000\t\n\u2028\u001c\u0301\u0302\u0303\u0323\u0327\u00ea")


def cite(text: str, quote: str) -> tuple[int | None, int | None]:
    """Offsets of ``quote`` in ``text``, as the build computes them."""
    from geoevents.release.tables import locate

    return locate(quote, T.fold_with_index(text))


# --- folding -------------------------------------------------------------------


def test_fold_takes_every_unicode_space_and_only_those():
    texts = pl.Series(["a\u00a0\u3000b", " a\tb\n", "a\u001cb", "a\u200bb", "e\u0301"])
    assert T.fold(texts).to_list() == ["a b", "a b", "a\u001cb", "a\u200bb", "\u00e9"]


def test_nfc_never_makes_or_unmakes_white_space():
    """Folding with offsets cuts texts at white space before NFC; this is why it may."""
    chars = pl.Series([chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000])
    normalized = chars.str.normalize("NFC")
    space = chars.str.contains(f"^{T.SPACE_CLASS}$")
    assert (space == normalized.str.contains(T.SPACE_CLASS)).all()


@pytest.mark.parametrize("form", ["NFC", "NFD"])
@pytest.mark.parametrize("quote", ["Việt Nam", "Việt", "Nam là", "nước Việt", "là"])
def test_offsets_cover_whole_characters_in_nfc_and_nfd_sources(form, quote):
    text = unicodedata.normalize(form, "Tên nước là Việt Nam  là nước Việt\u00a0Nam.")
    start, end = cite(text, quote)
    assert T.fold_one(text[start:end]) == T.fold_one(quote)
    if form == "NFD" and quote == "là":  # ends on à: a + combining grave accent
        assert text[end - 2:end] == "a\u0300"
    if form == "NFD" and quote == "Việt":  # ệ: e + dot below + circumflex, all covered
        assert text[start:end] == "Vie\u0323\u0302t"


def test_a_quote_that_stops_before_a_combining_mark_is_not_found():
    text = "q\u0303a xq\u0303 q"  # q̃ has no precomposed form
    texts = pl.DataFrame({"source_id": ["s"], "text": [T.fold_one(text)]})
    quotes = pl.DataFrame({"source_id": ["s"] * 4, "_q": ["q", "\u0303a", "xq", "q\u0303a"]})
    assert T.find(texts, quotes).to_list() == [True, False, False, True]
    # the first whole-character "q" is the last one
    assert T.find(texts, quotes.head(1), offsets=True).to_list() == [8]
    assert cite(text, "q") == (8, 9)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=30))
def test_quote_folding_shortcut_agrees_with_the_full_fold(text):
    assert T.fold_one(text) == T.fold_with_index(text).text
    folded = T.fold_with_index(text)
    assert len(folded.starts) == len(folded.ends) == len(folded.text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET), min_size=1, max_size=40),
       st.sampled_from(["NFC", "NFD", None]), st.data())
def test_what_validate_finds_build_cites_with_offsets_that_fold_back(text, form, data):
    """For random texts and random substrings of them: if validate finds the quote,
    the build's offsets cover a span of the text that folds to the folded quote."""
    if form:
        text = unicodedata.normalize(form, text)
    i = data.draw(st.integers(0, len(text) - 1))
    j = data.draw(st.integers(i + 1, len(text)))
    quote = text[i:j]
    needle = T.fold_one(quote)
    assume(needle)
    texts = pl.DataFrame({"source_id": ["s"], "text": [T.fold_one(text)]})
    found = T.find(texts, pl.DataFrame({"source_id": ["s"], "_q": [needle]})).item()
    marks = lambda ch: unicodedata.category(ch).startswith("M")
    while text[i] in T.SPACE:  # where the quote starts and stops once folded
        i += 1
    while text[j - 1] in T.SPACE:
        j -= 1
    whole = not marks(text[i]) and (j == len(text) or not marks(text[j]))
    if whole:  # a substring cut on whole characters is always found
        assert found, (text, quote)
    start, end = cite(text, quote)
    assert (start is not None) == found
    if found:
        assert T.fold_one(text[start:end]) == needle, (text, quote, start, end)


def test_hangul_jamo_compose_and_cover_the_syllable():
    text = "\u1100\u1161\u11a8 \uac00\u1161"  # 각 in jamo; 가 then a lone vowel jamo
    assert T.fold_with_index(text).text == "\uac01 \uac00\u1161"
    assert cite(text, "\uac01") == (0, 3)
    assert cite(text, "\uac00") == (4, 5)


# --- build: offsets into a decomposed source ---------------------------------------


def test_build_cites_a_decomposed_source_with_whole_characters(project):
    text = unicodedata.normalize("NFD", "Hội nghị thượng đỉnh tại Việt Nam kết thúc hôm nay.\n")
    data = text.encode("utf-8")
    project.write("seeds/sample_vi.txt", data)
    project.append("seeds/sources.yaml", (
        "- source_id: sample-vi\n  file: sample_vi.txt\n"
        f"  sha256: {hashlib.sha256(data).hexdigest()}\n  language: vi\n  title: Tin\n"
        "  title_en: News\n  publisher: Sample Outlet\n  published: \"2023-09-14\"\n"
        "  kind: news\n  machine_generated: false\n  rights: Test text.\n"))
    quotes = ["tại Việt", "Hội nghị thượng đỉnh", "kết thúc hôm nay."]
    project.append("annotations/citations.csv", "".join(
        f"2023-09-us-warns-north-korea,sample-vi,{q},x\n" for q in quotes))
    project.write("CHANGELOG.md", CHANGELOG)
    result = CliRunner().invoke(main, ["build", "1.0.0", "--root", str(project.root)])
    assert result.exit_code == 0, result.output
    cites = pl.read_parquet(project.path("dataset/1.0.0/citations.parquet")).filter(
        pl.col("source_id") == "sample-vi")
    assert sorted(cites.get_column("quote")) == sorted(quotes)
    for quote, start, end in cites.select("quote", "char_start", "char_end").iter_rows():
        assert T.fold_one(text[start:end]) == T.fold_one(quote)
        assert end == len(text) or not unicodedata.combining(text[end])


def test_a_hard_linked_source_is_never_read(project, tmp_path):
    """A second name of a file may stand anywhere, /etc/passwd included: refused."""
    outside = tmp_path / "outside.txt"
    outside.write_bytes(project.path("seeds/sample_zh.txt").read_bytes())
    project.path("seeds/sample_zh.txt").unlink()
    import os

    os.link(outside, project.path("seeds/sample_zh.txt"))
    problems = project.problems()
    assert {(p["rule"], p["file"], p["line"], p["field"]) for p in problems} == {
        ("source-path", "seeds/sources.yaml", 3, "file")}
    assert "hard links" in problems[0]["message"]


def test_a_source_changed_after_validation_is_not_built(project, monkeypatch):
    """The build cites offsets into the text whose sha256 it publishes, never another."""
    from geoevents import check

    run = check.run

    def then_edit(root):
        result = run(root)
        path = project.path("seeds/sample_zh.txt")
        path.write_bytes(b"PREFIX " + path.read_bytes())
        return result

    monkeypatch.setattr(check, "run", then_edit)
    project.write("CHANGELOG.md", CHANGELOG)
    result = CliRunner().invoke(main, ["build", "1.0.0", "--root", str(project.root)])
    assert result.exit_code == 1 and "sha256" in result.output, result.output
    assert not project.path("dataset/1.0.0").exists()
