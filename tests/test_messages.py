"""Messages a curator fixes in one try: each carries the rule, file, line and field
it must, and says what to change (the passage with its differences marked, the
value meant, the line where a broken YAML construct starts)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest

import geoevents
from geoevents import evidence_text as T
from geoevents.check import hints

DATA = Path(__file__).parent / "data"
EVENTS = "annotations/events.yaml"
FLAT = "annotations/events-flat.csv"
EVENT_ACTORS = "annotations/event_actors.csv"
LOCATIONS = "annotations/locations.csv"
SOURCES = "seeds/sources.yaml"


def only(project, rule) -> list[dict]:
    """The problems of ``rule``, asserting that no other rule fired."""
    problems = project.problems()
    assert {p["rule"] for p in problems} == {rule}, problems
    return problems


def where(problems) -> set[tuple]:
    return {(p["rule"], p["file"], p["line"], p["field"]) for p in problems}


@pytest.fixture
def french(tmp_path, project):
    """The French corpus, without the field of its own (ballot_round) that the
    packaged codebook does not know."""
    root = tmp_path / "corpus-fr"
    shutil.copytree(DATA / "corpus-fr", root)
    events = root / EVENTS
    events.write_text(re.sub(r"(?m)^  ballot_round: .*\n", "", events.read_text(encoding="utf-8")),
                      encoding="utf-8")
    corpus = type(project)(root)  # the helpers of conftest's project fixture
    assert corpus.problems() == []
    return corpus


# --- a quote not found: the whole closest passage, its differences marked -----


def test_quote_not_found_shows_the_whole_clause_with_the_characters_that_differ(project):
    # the quote starts inside the clause and lacks two characters of it
    project.edit(EVENTS, "2023年9月13日，金正恩在东方航天发射场与普京会晤。", "在东方发射场与普京会晤")
    [problem] = only(project, "quote-not-found")
    assert where([problem]) == {("quote-not-found", EVENTS, 18, "quote")}
    assert "(line 3, " in problem["hint"]
    assert problem["hint"].endswith(": 金正恩在东方{+航天+}发射场与普京会晤")


def test_quote_not_found_marks_what_only_the_quote_has(project):
    project.edit(EVENTS, "金正恩在东方航天发射场与普京会晤", "金正恩在东方航天发射场与普京会面")
    [problem] = only(project, "quote-not-found")
    assert where([problem]) == {("quote-not-found", EVENTS, 18, "quote")}
    assert problem["hint"].endswith(": 2023年9月13日，金正恩在东方航天发射场与普京会[-面-]{+晤+}。")


def test_quote_not_found_in_french_marks_whole_words(french):
    french.edit(EVENTS, "quote: ont annoncé mardi la fusion de leurs listes",
                "quote: nnoncé lundi la fusion des listes")
    [problem] = only(french, "quote-not-found")
    assert where([problem]) == {("quote-not-found", EVENTS, 17, "quote")}
    assert "(line 3, " in problem["hint"]
    assert problem["hint"].endswith(
        ": [-nnoncé lundi-]{+annoncé mardi+} la fusion [-des-]{+de leurs+} listes "
        "pour le second tour du 28 juin")


def test_quote_not_found_where_the_source_has_a_word_more_or_less(french):
    french.edit(EVENTS, "« Nous gouvernerons ensemble », a déclaré Claire Dumas.",
                "« Nous gouvernerons tous ensemble » a déclaré Claire Dumas.")
    [problem] = only(french, "quote-not-found")
    assert where([problem]) == {("quote-not-found", EVENTS, 20, "quote")}
    assert problem["hint"].endswith(
        ": « Nous gouvernerons [-tous-] ensemble »{+,+} a déclaré Claire Dumas.")


VIETNAMESE = ("(CAO) Hôm 13-9, BBC đưa tin nhà lãnh đạo CHDCND Triều Tiên Kim Jong Un đã gặp\n"
              "tổng thống Nga Vladimir Putin ở Nga trong một chuyến thăm được chuẩn bị kỹ lưỡng.")


@pytest.mark.parametrize("quote, marked", [
    ("BBC đưa tin nhà lãnh đạo Triều Tiên Kim Jong Un đã gặp tổng thống Nga",
     "BBC đưa tin nhà lãnh đạo {+CHDCND+} Triều Tiên Kim Jong Un đã gặp tổng thống Nga"),
    # cut inside a word: the passage takes in the whole word
    ("ôm 13-9, BBC đưa tin nhà lãnh đạo CHDCND Triều Tiên Kim Jong Un đã gặp",
     "[-ôm-]{+Hôm+} 13-9, BBC đưa tin nhà lãnh đạo CHDCND Triều Tiên Kim Jong Un đã gặp"),
    # two changed words side by side are one change; case counts
    ("Vladimir Putin tại nước Nga trong một chuyến thăm được Chuẩn bị",
     "Vladimir Putin [-tại nước-]{+ở+} Nga trong một chuyến thăm được [-Chuẩn-]{+chuẩn+} bị"),
])
def test_closest_passage_in_vietnamese(quote, marked):
    text = T.fold_one(VIETNAMESE)
    found = T.closest(T.fold_one(quote), text)
    assert found.marked == marked
    assert unmarked(found.marked) == text[found.start:found.end]
    line = 2 if found.marked.startswith("Vladimir") else 1
    assert T.line_in(VIETNAMESE, text, found.start, found.end) == line


def test_closest_passage_keeps_combining_marks_with_their_letter():
    # a decomposed text (letter + combining marks) that NFC cannot compose whole
    raw = "xin chao ba\u0300n q\u0303uo\u031b\u0301c te\u0302\u0301 hôm nay"
    text = T.fold_one(raw)
    found = T.closest("ban q\u0303uớc tế hôm", text)
    assert unmarked(found.marked) == text[found.start:found.end]
    assert found.marked.startswith("[-ban-]{+bàn+} q\u0303uớc")


def unmarked(marked: str) -> str:
    """The source's passage: what only the quote has dropped, the rest unmarked."""
    passage = re.sub(r"\[-.*?-\]", "", marked)
    return T.fold_one(re.sub(r"\{\+(.*?)\+\}", r"\1", passage))


def test_every_closest_passage_is_the_source_text_without_its_marks():
    text = T.fold_one((Path(DATA) / "corpus-fr" / "seeds" / "fusion-listes.txt").read_text())
    words = text.split(" ")
    for start in range(0, len(words) - 8, 3):
        quote = words[start:start + 8]
        quote[3] = quote[3][::-1]
        del quote[5]
        found = T.closest(" ".join(quote), text)
        assert unmarked(found.marked) == text[found.start:found.end], found


def test_a_space_more_or_less_between_unspaced_characters_is_marked(project):
    project.edit(EVENTS, "quote: 2023年9月13日，金正恩在东方航天发射场与普京会晤。",
                 "quote: 金正恩在东方航天发射场与普京会晤。美国国家安全委员会发言人警告")
    [problem] = only(project, "quote-not-found")
    assert where([problem]) == {("quote-not-found", EVENTS, 18, "quote")}
    assert problem["hint"].endswith(": 金正恩在东方航天发射场与普京会晤。{+ +}美国国家安全委员会发言人警告")
    quote = T.fold_one("美国将 采取行动。")
    assert T.closest(quote, T.fold_one("如果朝鲜向俄罗斯提供武器，美国将采取行动。")).marked == (
        "美国将[- -]采取行动。")


@pytest.mark.parametrize("quote, marked", [
    ("l’armée ne recule\u00adra pas", "l’armée ne [-recule<U+00AD>ra-]{+reculera+} pas"),
    ("les États\u2011Unis ont averti", "les États[-<U+2011>-]{+-+}Unis ont averti"),
    ("a b\u200bc d", "a [-b<U+200B>c-]{+bc+} d"),
])
def test_an_invisible_or_look_alike_character_is_named_by_its_code_point(quote, marked):
    text = T.fold_one("Il a dit que l’armée ne reculera pas. Hier, les États-Unis ont averti; x a bc d")
    assert T.closest(T.fold_one(quote), text).marked == marked


def test_a_quote_like_nothing_in_the_source_is_told_to_copy_it(project):
    project.edit(EVENTS, "2023年9月13日，金正恩在东方航天发射场与普京会晤。", "xyz qwv")
    [problem] = only(project, "quote-not-found")
    assert problem["hint"] == "copy the passage from the source exactly (after folding spaces)"


# --- a vocabulary value a case or a typo away: did you mean -------------------


@pytest.mark.parametrize("rel, old, new, line, field, meant", [
    (FLAT, ",THREATEN,", ",threaten,", 2, "event_type", "THREATEN"),
    (EVENTS, "  status: occurred", "  status: Occurred", 4, "status", "occurred"),
    (EVENTS, "  modes: [visit]", "  modes: [vist]", 6, "modes", "visit"),
    (EVENTS, "role: recipient}", "role: recipeint}", 15, "role", "recipient"),
    (EVENT_ACTORS, "north-korea,recipient", "north-korea,Recipient", 3, "role", "recipient"),
    (LOCATIONS, ",point,", ",Point,", 2, "precision", "point"),
    (FLAT, "diplomatic;military", "diplomatic;militray", 2, "contexts", "military"),
    (EVENTS, "contexts: [diplomatic, military]", "contexts: [Diplomatic, military]", 7,
     "contexts", "diplomatic"),
])
def test_vocabulary_did_you_mean(project, rel, old, new, line, field, meant):
    project.edit(rel, old, new)
    [problem] = only(project, "vocabulary")
    assert where([problem]) == {("vocabulary", rel, line, field)}
    assert problem["hint"] == f"did you mean {meant!r}?"


def test_vocabulary_value_far_from_any_gets_the_allowed_values(project):
    project.edit(EVENTS, "  status: occurred", "  status: happened")
    [problem] = only(project, "vocabulary")
    assert problem["hint"] == "allowed: occurred, planned, expected"


def test_did_you_mean_offers_two_when_two_are_as_near():
    assert hints.did_you_mean(["cat", "Bat"], ["bat", "hat", "car", "dog"]) == {
        "Bat": "did you mean 'bat'?"}
    assert hints.did_you_mean(["hot"], ["hat", "hit", "dog"]) == {
        "hot": "did you mean 'hat' or 'hit'?"}
    assert hints.did_you_mean(["ox"], ["on", "OX"]) == {"ox": "did you mean 'OX'?"}
    assert hints.did_you_mean(["xy"], ["xz"]) == {}  # two letters: one edit is any value


def test_vocabulary_hints_are_made_once_per_distinct_value(project, monkeypatch):
    calls = []
    real = hints.did_you_mean

    def counted(values, allowed):
        calls.append(list(values))
        return real(values, allowed)

    monkeypatch.setattr(hints, "did_you_mean", counted)
    row = project.path(FLAT).read_text(encoding="utf-8").splitlines()[1]
    project.append(FLAT, "".join(
        row.replace("2023-09-us-warns-north-korea", f"e-{i}").replace(
            "diplomatic;military", "militray;diplomatic") + "\n" for i in range(5)))
    found = [p for p in project.problems() if p["rule"] == "vocabulary"]
    assert len(found) == 5 and {p["hint"] for p in found} == {"did you mean 'military'?"}
    assert calls == [["militray"]]


# --- an undefined ID: "did you mean" only the ID clearly meant -----------------

REGISTRY = "the IDs are defined in annotations/actors.csv"


def candidates(value, *ids):
    return (f"no ID of actors is close to {value!r}; candidates to check (their name or "
            f"country matches): {', '.join(map(repr, ids))}; {REGISTRY}")


@pytest.mark.parametrize("value, hint", [
    ("north-kore", "did you mean 'north-korea'?"),  # a slip of the keyboard
    ("North-Korea", "did you mean 'north-korea'?"),  # case
    # another valid ID is never proposed as meant: candidates, labelled as such
    ("korea", candidates("korea", "north-korea")),
    ("prk", candidates("prk", "kim-jong-un", "north-korea")),  # the actors of PRK
    ("us", candidates("us", "us-nsc")),
    ("nsc", candidates("nsc", "us-nsc")),  # the initials of its name
    ("russia-president", f"no ID of actors is close to 'russia-president'; {REGISTRY}"),
])
def test_unknown_reference_proposes_no_other_valid_id(project, value, hint):
    project.edit(EVENT_ACTORS, "north-korea,recipient", f"{value},recipient")
    [problem] = only(project, "unknown-reference")
    assert where([problem]) == {("unknown-reference", EVENT_ACTORS, 3, "actor_id")}
    assert problem["hint"] == hint


def test_an_id_with_other_separators_is_the_id_meant():
    target = pl.DataFrame({"actor_id": ["a-b-c-d", "abcd-e"], "_file": ["x.csv"] * 2})
    table = SimpleNamespace(name="actors", location=None, fields=())
    assert hints.reference_hints(["a_b_c_d", "A.B.C.D.", "abcd", "abce"], target, "actor_id",
                                 table) == {
        "a_b_c_d": "did you mean 'a-b-c-d'?",  # three edits away, but only its separators
        "A.B.C.D.": "did you mean 'a-b-c-d'?",
        "abcd": "did you mean 'a-b-c-d'?",
        "abce": "no ID of actors is close to 'abce'; the IDs are defined in x.csv",
    }


@pytest.mark.parametrize("typed, meant", [("PKR", "PRK"), ("GRB", "GBR"), ("CNH", "CHN")])
def test_a_country_code_with_two_letters_swapped_gets_the_code_meant(project, typed, meant):
    project.edit(LOCATIONS, "RUS,RU-AMU", f"{typed},RU-AMU")
    found = project.problems()
    [problem] = [p for p in found if p["rule"] == "country-code"]
    assert where([problem]) == {("country-code", LOCATIONS, 2, "country")}
    assert problem["hint"] == f"did you mean {meant!r}?"


def test_a_subdivision_code_with_two_letters_swapped_gets_the_code_meant(project):
    project.edit(LOCATIONS, "RUS,RU-AMU", "RUS,RU-AUM")
    [problem] = [p for p in project.problems() if p["rule"] == "subdivision-code"]
    assert where([problem]) == {("subdivision-code", LOCATIONS, 2, "admin1")}
    assert problem["hint"] == "did you mean 'RU-AMU'?"


def test_named_country_slips_keep_their_hint():
    assert hints.country_hint("UK") == "use GBR"
    assert hints.country_hint("XQZ") == "use an ISO 3166-1 alpha-3 code, like RUS, PRK, USA"


# --- a misspelt key: the field or the nested list meant ---------------------------


@pytest.mark.parametrize("old, new, line, key, hint", [
    ("  citations:", "  citation:", 16, "citation", "rename it to citations"),
    ("  citations:", "  citatons:", 16, "citatons", "rename it to citations"),
    ("  actors:", "  actor:", 13, "actor", "rename it to actors"),
    ("  actors:", "  Actors:", 13, "Actors", "rename it to actors"),
    ("  status: occurred", "  stauts: occurred", 4, "stauts", "rename it to status"),
])
def test_a_misspelt_key_gets_the_field_or_nested_list_meant(project, old, new, line, key, hint):
    """The key meant is absent from the record: the hint says to rename (and the
    problems its absence causes are follow-ons)."""
    project.edit(EVENTS, old, new)
    [problem] = [p for p in project.problems() if p["rule"] == "unknown-field"]
    assert where([problem]) == {("unknown-field", EVENTS, line, key)}
    assert problem["hint"] == hint


def test_a_key_like_no_field_lists_the_fields_and_the_nested_lists(project):
    project.edit(EVENTS, "  actors:", "  participants:")
    [problem] = [p for p in project.problems() if p["rule"] == "unknown-field"]
    assert where([problem]) == {("unknown-field", EVENTS, 13, "participants")}
    assert problem["hint"].startswith("fields: event_id, date, status")
    assert problem["hint"].endswith("; nested lists: actors, citations")


# --- YAML syntax errors: where the broken construct starts --------------------


def test_unclosed_double_quote_is_reported_where_it_opens(project):
    # the quote runs on to the next '"' of the file (line 12), where the parser stops
    project.edit(EVENTS, "  summary: Kim", '  summary: "Kim')
    [problem] = only(project, "yaml-syntax")
    assert where([problem]) == {("yaml-syntax", EVENTS, 9, None)}
    assert 'quoted with " on line 9 runs on to line 12' in problem["message"]


def test_unclosed_single_quote_at_the_end_of_the_file(project):
    project.append(EVENTS, "- event_id: 'late\n  summary: x\n")
    problems = project.problems()
    [problem] = [p for p in problems if p["rule"] == "yaml-syntax"]
    assert problem["line"] == 20 and problem["file"] == EVENTS
    assert "quoted with ' on line 20 is not closed" in problem["message"]
    assert "end of the file (line 22)" in problem["message"]
    # the record before the broken one is still read, and checked: nothing else
    assert where(problems) == {("yaml-syntax", EVENTS, 20, None)}
    assert "the records before line 20 are read" in problem["message"]
    tables = geoevents.read_annotations(project.root)
    assert "2023-09-13-kim-putin-vostochny" in tables["events"].get_column("event_id").to_list()


def test_unclosed_flow_list_is_reported_where_it_opens(project):
    project.edit(EVENTS, "contexts: [diplomatic, military]", "contexts: [diplomatic, military")
    [problem] = only(project, "yaml-syntax")
    assert where([problem]) == {("yaml-syntax", EVENTS, 7, None)}
    assert "'[' on line 7 is not closed" in problem["message"]
    assert "noticed at line 8" in problem["message"]


def test_unclosed_flow_mapping_is_reported_where_it_opens(project):
    project.edit(EVENTS, "{actor_id: kim-jong-un, role: actor}", "{actor_id: kim-jong-un, role: actor")
    [problem] = only(project, "yaml-syntax")
    assert where([problem]) == {("yaml-syntax", EVENTS, 14, None)}
    assert "'{' on line 14 is not closed" in problem["message"]


def test_records_before_a_syntax_error_are_still_checked(project):
    project.edit(EVENTS, "  status: occurred", "  status: Occurred")
    record = project.path(EVENTS).read_text(encoding="utf-8").split("\n", 1)[1]
    project.append(EVENTS, record.replace("2023-09-13-kim-putin-vostochny", "second")
                   .replace("contexts: [diplomatic, military]", "contexts: [diplomatic"))
    assert project.found() == {("vocabulary", EVENTS, 4, "status"),
                               ("yaml-syntax", EVENTS, 25, None)}


def test_other_files_are_still_checked(project):
    project.edit(EVENTS, "contexts: [diplomatic, military]", "contexts: [diplomatic")
    project.edit(FLAT, ",THREATEN,", ",threaten,")
    assert project.found() == {("yaml-syntax", EVENTS, 7, None),
                               ("vocabulary", FLAT, 2, "event_type")}


def test_references_to_records_not_read_are_not_unknown(project):
    # event_actors.csv and citations.csv name the event of events.yaml, which is not read
    project.append(EVENT_ACTORS, "2023-09-13-kim-putin-vostochny,north-korea,actor\n")
    project.append("annotations/citations.csv",
                   "2023-09-13-kim-putin-vostochny,sample-zh,美国国家安全委员会发言人警告,"
                   "a spokesperson of the US National Security Council warned\n")
    assert {r for r, *_ in project.found()} == {"nested-split"}  # the event nests its own
    project.edit(EVENTS, '  date: "2023-09-13"', '  date: "2023-09-13')
    assert {r for r, *_ in project.found()} == {"yaml-syntax"}


def test_a_sources_file_that_cannot_be_read_is_one_error(project):
    # every citation names a source of it: none is reported unknown, no quote unsearched
    project.edit(SOURCES, "  title: 朝中社报道", "  title: '朝中社报道")
    [problem] = only(project, "yaml-syntax")
    assert where([problem]) == {("yaml-syntax", SOURCES, 6, None)}
    assert "the file is not read" in problem["message"]


@pytest.mark.parametrize(("tail", "line", "words"), [
    ("- event_id: x\n  contexts: [\n", 22, "the list opened with '[' on line 22 is not closed"),
    ("- event_id: x\n  actors:\n    - {actor_id: a, role:\n", 23,
     "the mapping opened with '{' on line 23 is not closed"),
    (('- event_id: x\n  actors:\n    - {actor_id: "a, role: actor}\n- event_id: y\n'
     '  summary: "z"\n'), 23, 'the value quoted with " on line 23 runs on to line 25'),
])
def test_a_flow_collection_or_quote_left_open_to_the_end_is_reported_where_it_opens(
        project, tail, line, words):
    """At the end of the file libyaml marks where it wanted a node; the '[' or '{' (or
    the quote inside it) that was left open is where the curator must look."""
    assert len(project.path(EVENTS).read_text(encoding="utf-8").splitlines()) == 19
    project.append(EVENTS, "\n" + tail)
    [problem] = only(project, "yaml-syntax")
    assert (problem["file"], problem["line"]) == (EVENTS, line)
    assert words in problem["message"], problem["message"]
