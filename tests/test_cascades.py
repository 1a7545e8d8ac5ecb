"""One root cause, one error: the valid fixture broken in exactly one way yields the
problem of that one mistake, and what follows from it is counted on it, not listed.

Each test asserts the exact set of (rule, file, line, field) problems, and the
follow-on count on the cause's message where there are follow-ons elsewhere.
"""

from __future__ import annotations

import os

import pytest
from tests.test_rules import ACTORS, CITATIONS, EVENT_ACTORS, EVENTS, FLAT, LOCATIONS, SOURCES

from geoevents import read
from geoevents.check import cascades
from geoevents.codebook import load_codebook, schemas_dir
from geoevents.problems import RULES

CURATORS = "annotations/curators.csv"
FLAT_EVENT = "2023-09-us-warns-north-korea"


def follow_ons(text: str) -> str:
    return f"(and {text})"


def the_one(project) -> dict:
    [problem] = project.problems()
    return problem


def assert_one(project, rule, file, line, field, note=None):
    """Exactly one problem; its message ends with ``note`` (the follow-ons) or has none."""
    problem = the_one(project)
    assert (problem["rule"], problem["file"], problem["line"], problem["field"]) == (
        rule, file, line, field), problem
    if note is None:
        assert "follow-on" not in problem["message"], problem["message"]
    else:
        assert problem["message"].endswith(follow_ons(note)), problem["message"]


# --- a file that cannot be read: only its own problem --------------------------------

ACTOR_USES = ("4 follow-on problems not shown until this is fixed: 4 unknown-reference in "
              f"{EVENT_ACTORS}, {EVENTS}")


def test_actors_not_utf8_is_one_problem(project):
    raw = project.path(ACTORS).read_bytes()
    project.write(ACTORS, raw.replace(b"Vladimir", b"Vladim\xefr"))
    assert_one(project, "file-encoding", ACTORS, 3, None, ACTOR_USES)


def test_sources_yaml_syntax_is_one_problem(project):
    project.edit(SOURCES, "- source_id: sample-zh", "source_id: sample-zh")
    assert_one(project, "yaml-syntax", SOURCES, 3, None,
               "3 follow-on problems not shown until this is fixed: 2 unknown-reference in "
               f"{CITATIONS}, {EVENTS}; 1 source-unregistered in seeds/sample_zh.txt")


def test_events_file_not_utf8_hides_the_references_to_its_events(project):
    project.write(FLAT, project.path(FLAT).read_bytes().replace(b"warned", b"warn\xefd"))
    assert_one(project, "file-encoding", FLAT, 2, None,
               "3 follow-on problems not shown until this is fixed: 3 unknown-reference in "
               f"{CITATIONS}, {EVENT_ACTORS}")


def test_citations_not_utf8_is_no_event_without_citation(project):
    project.write(CITATIONS, project.path(CITATIONS).read_bytes().replace(b"action", b"acti\xefn"))
    assert_one(project, "file-encoding", CITATIONS, 2, None,
               "1 follow-on problem not shown until this is fixed: 1 no-citation in "
               f"{FLAT}")


def test_event_actors_header_is_no_event_without_actor(project):
    project.edit(EVENT_ACTORS, "event_id,actor_id", "event_id,,actor_id")
    assert_one(project, "csv-header", EVENT_ACTORS, 1, None,
               f"1 follow-on problem not shown until this is fixed: 1 no-actor in {FLAT}")


def test_duplicate_header_column_of_locations(project):
    project.edit(LOCATIONS, "location_id,name,", "location_id,name,name,")
    assert_one(project, "csv-header", LOCATIONS, 1, "name",
               f"1 follow-on problem not shown until this is fixed: 1 unknown-reference in {EVENTS}")


def test_curators_yaml_duplicate_key(project):
    project.path(CURATORS).unlink()
    project.write("annotations/curators.yaml", "- curator_id: tester\n  name: A\n  name: B\n")
    assert_one(project, "yaml-duplicate-key", "annotations/curators.yaml", 3, "name",
               "4 follow-on problems not shown until this is fixed: 4 unknown-reference in "
               f"{FLAT}, {EVENTS}")


def test_actors_file_too_large(project, monkeypatch):
    monkeypatch.setattr(read, "MAX_CSV_LINES", 3)
    assert_one(project, "file-too-large", ACTORS, None, None, ACTOR_USES)


def test_actors_file_not_regular(project):
    project.path(ACTORS).unlink()
    os.symlink("nothing-here.csv", project.path(ACTORS))
    assert_one(project, "file-not-regular", ACTORS, None, None, ACTOR_USES)


def test_an_entry_that_is_no_table_file_hides_nothing(project):
    project.write("annotations/actors.txt", "actor_id\n")
    project.edit(EVENTS, "actor_id: kim-jong-un", "actor_id: kim-jong-um")
    assert project.found() == {("file-unknown", "annotations/actors.txt", None, None),
                               ("unknown-reference", EVENTS, 14, "actor_id")}


# --- a rejected key: what looks it up does not also fail ---------------------------


def test_key_column_renamed_far_from_its_name_is_two_problems_and_no_duplicates(project):
    project.edit(ACTORS, "actor_id,name", "key,name")  # not a near miss: no "rename it"
    assert project.found() == {("missing-field", ACTORS, 1, "actor_id"),
                               ("unknown-field", ACTORS, 1, "key")}
    missing = next(p for p in project.problems() if p["rule"] == "missing-field")
    assert missing["message"].endswith(follow_ons(
        "6 follow-on problems not shown until this is fixed: 6 unknown-reference in "
        f"{ACTORS}, {EVENT_ACTORS}, {EVENTS}"))


def test_key_against_its_pattern_hides_the_uses_of_that_key_only(project):
    project.edit(ACTORS, "us-nsc,", "US_NSC,")
    assert_one(project, "pattern", ACTORS, 6, "actor_id",
               "1 follow-on problem not shown until this is fixed: 1 unknown-reference in "
               f"{EVENT_ACTORS}")
    project.edit(EVENTS, "actor_id: kim-jong-un", "actor_id: kim-jong-um")  # another mistake
    assert project.found() == {("pattern", ACTORS, 6, "actor_id"),
                               ("unknown-reference", EVENTS, 14, "actor_id")}


def test_missing_event_id_folds_nothing(project):
    project.edit(FLAT, f"\n{FLAT_EVENT},", "\n,")
    # which of the undefined event IDs meant the record without one cannot be known;
    # but no no-actor for the event (its own event_id is not there to look up)
    assert project.found() == {("missing-field", FLAT, 2, "event_id"),
                               ("unknown-reference", CITATIONS, 2, "event_id"),
                               ("unknown-reference", EVENT_ACTORS, 2, "event_id"),
                               ("unknown-reference", EVENT_ACTORS, 3, "event_id")}
    assert not any("follow-on" in p["message"] for p in project.problems())


def test_a_new_row_without_its_key_hides_no_typo_elsewhere(project):
    project.edit(EVENTS, "actor_id: vladimir-putin,", "actor_id: vladimir-putn,")
    project.append(ACTORS, ",Someone,,person,RUS,,,,\n")
    assert project.found() == {("missing-field", ACTORS, 7, "actor_id"),
                               ("unknown-reference", EVENTS, 15, "actor_id")}
    assert not any("follow-on" in p["message"] for p in project.problems())


def test_a_ragged_row_hides_only_lookups_of_its_own_key(project):
    project.edit(EVENTS, "actor_id: kim-jong-un,", "actor_id: kim-jong-on,")
    project.edit(ACTORS, "us-nsc,US National Security Council,", "us-nsc,US National, Security Council,")
    found = {(p["rule"], p["file"], p["line"], p["field"]): p for p in project.problems()}
    assert set(found) == {("csv-ragged", ACTORS, 6, None),
                          ("unknown-reference", EVENTS, 14, "actor_id")}
    assert found[("csv-ragged", ACTORS, 6, None)]["message"].endswith(follow_ons(
        f"1 follow-on problem not shown until this is fixed: 1 unknown-reference in {EVENT_ACTORS}"))
    assert found[("unknown-reference", EVENTS, 14, "actor_id")]["hint"] == "did you mean 'kim-jong-un'?"


def test_a_bad_date_of_a_source_no_event_cites_hides_no_date_after_sources(project):
    project.write("seeds/fr.txt", "Une phrase.\n")
    import hashlib
    sha = hashlib.sha256(b"Une phrase.\n").hexdigest()
    project.append(SOURCES, f"""- source_id: sample-fr
  file: fr.txt
  sha256: {sha}
  language: fr
  title: Dépêche
  title_en: Dispatch
  publisher: Sample Outlet
  published: "2023-09-31"
  kind: news
  machine_generated: false
  rights: Test text.
""")
    project.edit(EVENTS, 'date: "2023-09-13"', 'date: "2023-12-01"')
    assert project.found() == {("date-invalid", SOURCES, 20, "published"),
                               ("date-after-sources", EVENTS, 3, "date")}
    assert not any("follow-on" in p["message"] for p in project.problems())


# --- a table with no file ----------------------------------------------------------


def test_renamed_table_file_is_one_problem_naming_it(project):
    os.rename(project.path(ACTORS), project.path("annotations/Actors.csv"))
    [problem] = project.problems()
    assert (problem["rule"], problem["file"], problem["line"], problem["field"]) == (
        "table-missing", ACTORS, None, None)
    assert problem["message"] == (
        f"table actors has no file: {ACTORS} is missing, and 4 value(s) refer to it "
        "(and 5 follow-on problems not shown until this is fixed: 1 file-unknown in "
        f"annotations/Actors.csv; 4 unknown-reference in {EVENT_ACTORS}, {EVENTS})")
    assert problem["hint"] == (f"annotations/Actors.csv is not read under that name: rename it "
                               f"{ACTORS}")


def test_deleted_sources_file_is_one_problem_naming_it(project):
    project.path(SOURCES).unlink()
    [problem] = project.problems()
    assert (problem["rule"], problem["file"], problem["line"], problem["field"]) == (
        "table-missing", SOURCES, None, None)
    assert problem["message"].endswith(follow_ons(
        "3 follow-on problems not shown until this is fixed: 2 unknown-reference in "
        f"{CITATIONS}, {EVENTS}; 1 source-unregistered in seeds/sample_zh.txt"))


def test_participant_of_an_unknown_event_is_no_event_without_actor(project):
    project.edit(EVENT_ACTORS, f"{FLAT_EVENT},us-nsc", "2023-09-US-warns-north-korea,us-nsc")
    assert_one(project, "unknown-reference", EVENT_ACTORS, 2, "event_id",
               f"1 follow-on problem not shown until this is fixed: 1 no-actor in {FLAT}")


def test_role_outside_its_vocabulary_is_no_missing_recipient(project):
    project.edit(FLAT, "THREATEN", "AID")  # AID requires a recipient
    assert project.found() == set()
    project.edit(EVENT_ACTORS, "north-korea,recipient", "north-korea,recipiant")
    assert_one(project, "vocabulary", EVENT_ACTORS, 3, "role",
               f"1 follow-on problem not shown until this is fixed: 1 recipient-missing in {FLAT}")


def test_role_outside_its_vocabulary_is_no_missing_actor(project):
    project.edit(EVENT_ACTORS, "us-nsc,actor", "us-nsc,actr")
    assert_one(project, "vocabulary", EVENT_ACTORS, 2, "role",
               f"1 follow-on problem not shown until this is fixed: 1 no-actor in {FLAT}")


# --- a rejected value: the rules that read it do not also fire ---------------------


def test_wrong_language_code_is_no_missing_translation(project):
    # an English source: its quotes need no translation ...
    project.edit(SOURCES, "language: zh", "language: en")
    project.edit(CITATIONS, ',"If North Korea provides weapons to Russia, the United States '
                 'will take action"', ",")
    project.edit(EVENTS, "      quote_en: On 13 September 2023, Kim Jong Un met Putin at the "
                 "Vostochny Cosmodrome.\n", "")
    assert project.found() == set()
    # ... and written 'eng' it is one language-code problem, not one per citation too
    project.edit(SOURCES, "language: en", "language: eng")
    assert_one(project, "language-code", SOURCES, 5, "language",
               "2 follow-on problems not shown until this is fixed: 2 quote-translation in "
               f"{CITATIONS}, {EVENTS}")


@pytest.mark.parametrize("country", ["RU", "RUX", "Russia"])
def test_wrong_country_code_is_no_coordinates_or_subdivision_problem(project, country):
    project.edit(LOCATIONS, "RUS,RU-AMU", f"{country},RU-AMU")
    assert_one(project, "country-code", LOCATIONS, 2, "country")


@pytest.mark.parametrize("file, old, new, line", [
    (EVENTS, "event_type: CONSULT", "event_type: CONSULTX", 5),  # it has a mode
    (FLAT, "THREATEN", "COERCEX", 2),  # it has none
])
def test_wrong_event_type_is_no_mode_or_recipient_problem(project, file, old, new, line):
    project.edit(file, old, new)
    assert_one(project, "vocabulary", file, line, "event_type")


def test_wrong_mode_is_one_problem(project):
    project.edit(EVENTS, "modes: [visit]", "modes: [visitt]")
    assert_one(project, "vocabulary", EVENTS, 6, "modes")  # not also mode-type


@pytest.mark.parametrize("date, rule", [
    ("2024-13-01", "date-invalid"),  # would be after its sources
    ("2024-09-13x", "date-format"),
    ("2023-09-13/2023-09-01", "date-order"),
])
def test_wrong_date_is_one_problem(project, date, rule):
    project.edit(EVENTS, 'date: "2023-09-13"', f'date: "{date}"')
    assert_one(project, rule, EVENTS, 3, "date")


def test_wrong_status_is_one_problem(project):
    project.edit(EVENTS, "status: occurred", "status: ocurred")
    assert_one(project, "vocabulary", EVENTS, 4, "status")


def test_coordinate_not_a_number_is_no_missing_coordinates(project):
    project.edit(LOCATIONS, "51.884", "51.8x84")
    assert_one(project, "type", LOCATIONS, 2, "lat")


def test_nested_citations_not_a_list_is_no_event_without_citation(project):
    project.edit(EVENTS, "  citations:\n    - source_id: sample-zh\n", "  citations: x\n  old:\n"
                 "    - source_id: sample-zh\n")
    assert project.found() == {("type", EVENTS, 16, "citations"),
                               ("unknown-field", EVENTS, 17, "old")}


def test_source_file_missing_hides_the_stray_seed(project):
    project.edit(SOURCES, "file: sample_zh.txt", "file: sample-zh.txt")
    assert_one(project, "source-missing", SOURCES, 3, "file",
               "1 follow-on problem not shown until this is fixed: 1 source-unregistered in "
               "seeds/sample_zh.txt")


# --- the declaration --------------------------------------------------------------


def test_reads_names_rules_tables_and_fields_that_exist():
    codebook = load_codebook(schemas_dir("."))
    fields = {f.name for t in codebook.tables.values() for f in t.fields}
    assert set(cascades.READS) <= set(RULES)
    assert cascades.REJECTS_VALUE <= set(RULES)
    assert cascades.NOT_A_TABLE_FILE <= set(RULES)
    for reads in cascades.READS.values():
        assert set(reads.get("own", ())) - {"*"} <= fields
        for table, spec in reads.get("tables", {}).items():
            assert {f for f in spec if f is not None} <= {f.name for f in
                                                          codebook.tables[table].fields}


def test_file_tables_follow_the_codebook():
    codebook = load_codebook(schemas_dir("."))
    assert cascades.file_tables("annotations/events-2019.yaml", codebook) == [
        "events", "event_actors", "citations"]
    assert cascades.file_tables("annotations/events-2019.csv", codebook) == ["events"]
    assert cascades.file_tables(SOURCES, codebook) == ["sources"]
    assert cascades.file_tables("annotations/actors.txt", codebook) == []


def test_coordinates_outside_the_country_are_no_geonames_mismatch_too(project):
    project.edit(LOCATIONS, "43.10562,131.87353", "43.10562,-131.87353")  # a sign lost
    assert_one(project, "coordinates-country", LOCATIONS, 3, "lat")


def test_a_ragged_row_may_be_the_record_that_is_looked_for(project):
    project.edit(ACTORS, "us-nsc,US National Security Council,", "us-nsc,US National, Security Council,")
    assert_one(project, "csv-ragged", ACTORS, 6, None,
               f"1 follow-on problem not shown until this is fixed: 1 unknown-reference in "
               f"{EVENT_ACTORS}")


def test_control_character_in_a_key_is_its_one_problem(project):
    project.edit(ACTORS, "\nus-nsc,", "\nus-nsc\u200b\u202e,")
    # not also its pattern on the value, nor unknown-reference where 'us-nsc' is used
    assert_one(project, "control-character", ACTORS, 6, "actor_id",
               f"1 follow-on problem not shown until this is fixed: 1 unknown-reference in "
               f"{EVENT_ACTORS}")


# --- a source whose bytes changed: its quotes are not looked for in it -------------

ZH = "seeds/sample_zh.txt"
ZH_QUOTE = "2023年9月13日，金正恩在东方航天发射场与普京会晤。"


def test_an_edited_source_is_one_problem_not_also_its_quotes(project):
    # a valid erratum quoting the same passage as the event
    project.write("annotations/errata.yaml",
                  f"- erratum_id: same-passage\n  source_id: sample-zh\n  quote: {ZH_QUOTE}\n"
                  "  quote_en: the same passage\n  correction: test\n")
    assert project.problems() == []
    project.edit(ZH, "普京会晤", "普京会见")
    assert_one(project, "source-hash", SOURCES, 4, "sha256",
               "2 follow-on problems not shown until this is fixed: 2 quote-not-found in "
               f"annotations/errata.yaml, {EVENTS}")


def test_a_re_encoded_source_is_its_encoding_not_also_its_hash(project):
    project.write(ZH, project.path(ZH).read_text(encoding="utf-8").encode("gb18030"))
    assert_one(project, "source-encoding", ZH, 1, None,
               f"1 follow-on problem not shown until this is fixed: 1 source-hash in {SOURCES}")


# --- a misspelt field name: rename it, not also fill in the field it meant ----------


def assert_renamed(project, file, line, field, meant, note=None):
    assert_one(project, "unknown-field", file, line, field, note)
    assert the_one(project)["hint"] == f"rename it to {meant}"


def test_a_misspelt_csv_column_is_one_problem(project):
    project.edit(ACTORS, "actor_id,name", "actor_idd,name")
    assert_renamed(project, ACTORS, 1, "actor_idd", "actor_id",
                   "6 follow-on problems not shown until this is fixed: 6 unknown-reference in "
                   f"{ACTORS}, {EVENT_ACTORS}, {EVENTS}")


@pytest.mark.parametrize(("old", "new", "line", "meant"), [
    ("  status: occurred", "  stauts: occurred", 4, "status"),
    ("      quote_en:", "      quote_eng:", 19, "quote_en"),
    ("    - source_id: sample-zh\n      quote:", "    - source_id: sample-zh\n      quotes:", 18,
     "quote"),
    ("  citations:", "  citatons:", 16, "citations"),
    ("  actors:", "  actor:", 13, "actors"),
])
def test_a_misspelt_yaml_key_is_one_problem(project, old, new, line, meant):
    project.edit(EVENTS, old, new)
    assert_renamed(project, EVENTS, line, new.split("\n")[-1].split(":")[0].strip(" -"), meant)


def test_a_key_renamed_to_a_name_far_from_it_is_two_problems(project):
    project.edit(EVENTS, "  status: occurred", "  remarks: occurred")
    assert project.found() == {("unknown-field", EVENTS, 4, "remarks"),
                               ("missing-field", EVENTS, 2, "status")}


def test_a_record_pasted_twice_is_its_duplicate_id_not_also_its_nested_rows(project):
    text = project.path(EVENTS).read_text(encoding="utf-8")
    project.write(EVENTS, text + text.split("\n", 1)[1])
    problems = {(p["rule"], p["file"], p["line"], p["field"]): p for p in project.problems()}
    assert set(problems) == {("duplicate-id", EVENTS, 2, "event_id"),
                             ("duplicate-id", EVENTS, 20, "event_id")}
    assert problems[("duplicate-id", EVENTS, 20, "event_id")]["message"].endswith(follow_ons(
        f"3 follow-on problems not shown until this is fixed: 3 duplicate-row in {EVENTS}"))
    assert "follow-on" not in problems[("duplicate-id", EVENTS, 2, "event_id")]["message"]


# --- a wrong country that subdivision and coordinates agree against ----------------


def test_a_wrong_country_is_one_problem_when_subdivision_and_point_agree(project):
    project.edit(LOCATIONS, ",RUS,RU-AMU,", ",KOR,RU-AMU,")
    assert_one(project, "subdivision-country", LOCATIONS, 2, "admin1")
    assert the_one(project)["hint"] == ("RU-AMU and the coordinates both lie in RUS: the "
                                        "country is the one to correct (country: RUS?)")


def test_subdivision_and_point_that_disagree_are_two_problems(project):
    project.edit(LOCATIONS, ",RUS,RU-AMU,", ",KOR,CN-HL,")  # the point is in Russia
    assert project.found() == {("subdivision-country", LOCATIONS, 2, "admin1"),
                               ("coordinates-country", LOCATIONS, 2, "lat")}


def test_a_quote_left_open_is_the_files_one_problem(project):
    project.edit(ACTORS, "north-korea,North Korea,朝鲜,", 'north-korea,North Korea,"朝鲜,')
    assert_one(project, "csv-quote", ACTORS, 4, None,
               "4 follow-on problems not shown until this is fixed: 4 unknown-reference in "
               f"{EVENT_ACTORS}, {EVENTS}")
