"""Readers: whatever bytes a file holds, validation reports problems and never raises."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geoevents

ACTORS_HEADER = "actor_id,name,name_zh,kind,country,affiliation,title,wikidata,notes\n"
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def run(project):
    problems = geoevents.validate(project.root)
    assert set(problems.columns) >= {"rule", "file", "line", "field", "message", "hint"}
    return problems


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_as_csv(project, data):
    project.write("annotations/actors-fuzz.csv", data)
    run(project)


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_as_yaml(project, data):
    project.write("annotations/events-fuzz.yaml", data)
    run(project)


@FUZZ
@given(st.text(alphabet=string.printable + "金正恩\u00a0\ufeff\"'", max_size=300))
def test_mangled_csv_rows(project, text):
    project.write("annotations/actors-fuzz.csv", ACTORS_HEADER + text)
    run(project)


yaml_scalar = st.one_of(
    st.text(max_size=20), st.integers(), st.booleans(), st.none(), st.just("2019-04-25"),
    st.just("!!python/object:os.system"), st.just("*a"), st.just("&a x"), st.just("[1, 2"),
)
yaml_record = st.dictionaries(
    st.sampled_from(["event_id", "date", "status", "event_type", "mode", "contexts", "actors",
                     "citations", "summary", "bogus", "? x", "- y"]),
    yaml_scalar, max_size=8,
)


@FUZZ
@given(st.lists(yaml_record, max_size=4), st.sampled_from(["", "  ", "- ", "\t"]))
def test_mangled_yaml_records(project, records, indent):
    lines = []
    for rec in records:
        first = True
        for key, value in rec.items():
            lines.append(("- " if first else "  ") + f"{indent}{key}: {value}")
            first = False
    project.write("annotations/events-fuzz.yaml", "\n".join(lines) + "\n")
    run(project)


def test_csv_with_bom_is_read(project):
    text = project.path("annotations/curators.csv").read_text(encoding="utf-8")
    project.write("annotations/curators.csv", "\ufeff" + text)
    assert project.problems() == []


def test_csv_with_crlf_is_read(project):
    text = project.path("annotations/actors.csv").read_text(encoding="utf-8")
    project.write("annotations/actors.csv", text.replace("\n", "\r\n").encode("utf-8"))
    assert project.problems() == []


def test_quoted_multiline_value_keeps_line_numbers(project):
    project.edit("annotations/actors.csv", "russia,Russia,俄罗斯,state,RUS,,,,",
                 'russia,Russia,俄罗斯,state,RUS,,,,"a note\non two lines"')
    project.edit("annotations/actors.csv", "us-nsc,US National Security Council,美国国家安全委员会,"
                 "government,USA", "us-nsc,US National Security Council,美国国家安全委员会,"
                 "government,XXX")
    assert ("country-code", "annotations/actors.csv", 7, "country") in project.found()


def test_latin1_file_is_a_problem_not_a_crash(project):
    project.write("annotations/curators.csv",
                  "curator_id,name,orcid\ntester,Test Curator,\nother,Jos\xe9,\n".encode("latin-1"))
    assert ("file-encoding", "annotations/curators.csv", 3, None) in project.found()


def test_blank_lines_in_csv_are_skipped(project):
    project.edit("annotations/actors.csv", "\nrussia,", "\n\n\nrussia,")
    project.edit("annotations/actors.csv", "us-nsc,US National Security Council,美国国家安全委员会,"
                 "government,USA", "us-nsc,US National Security Council,美国国家安全委员会,"
                 "government,XXX")
    assert ("country-code", "annotations/actors.csv", 8, "country") in project.found()


def test_carriage_return_inside_header_is_a_problem(project):
    project.write("annotations/curators.csv", b"curator_id\r,name\ntester,Test\n")
    assert ("csv-header", "annotations/curators.csv", 1, None) in project.found()


def test_ragged_rows_far_apart_in_a_long_csv(project):
    # polars reads a file this long in chunks; a chunk without ragged rows once
    # made the csv-ragged message panic inside polars
    rows = "".join(f"extra-{i},Extra {i},,state,RUS,,,,\n" for i in range(3000))
    project.append("annotations/actors.csv", "short,row\n" + rows + "another,short,row\n")
    ragged = {(f, line) for rule, f, line, _ in project.found() if rule == "csv-ragged"}
    assert ragged == {("annotations/actors.csv", 7), ("annotations/actors.csv", 3008)}


def test_header_that_looks_like_a_column_pattern_is_an_unknown_field(project):
    # to polars, pl.col("*") is every column and pl.col("^n.*$") a regex
    project.write("annotations/actors-fuzz.csv", "actor_id,*,^n.*$\nx,y,z\n")
    found = project.found()
    assert ("unknown-field", "annotations/actors-fuzz.csv", 1, "*") in found
    assert ("unknown-field", "annotations/actors-fuzz.csv", 1, "^n.*$") in found
