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
    st.sampled_from(["event_id", "date", "status", "event_type", "modes", "contexts", "actors",
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


# --- a project's own codebook (schemas/) ------------------------------------------

import pytest

from geoevents.codebook import PACKAGED_SCHEMAS, REPO_SCHEMAS, CodebookError

SCHEMAS = PACKAGED_SCHEMAS if (PACKAGED_SCHEMAS / "tables.yaml").is_file() else REPO_SCHEMAS


def with_schemas(project, name=None, old=None, new=None):
    """Give the project a copy of the packaged codebook, ``old`` replaced by ``new`` in
    ``name``; returns the line of the replacement."""
    for f in ("tables.yaml", "vocabularies.yaml", "plover.yaml"):
        project.write(f"schemas/{f}", (SCHEMAS / f).read_text(encoding="utf-8"))
    if name is None:
        return None
    text = project.path(f"schemas/{name}").read_text(encoding="utf-8")
    assert old in text, old
    project.write(f"schemas/{name}", text.replace(old, new, 1))
    return text[:text.index(old)].count("\n") + 1


def assert_refused(project, name, old, new, offset, words) -> CodebookError:
    """``old`` replaced by ``new`` in the project's copy of codebook file ``name`` is a
    CodebookError in that file, at the line of the replacement + ``offset``, that says
    ``words`` (offset None: the error may stand in another file of the codebook)."""
    line = with_schemas(project, name, old, new)
    error = codebook_error(project)
    if offset is not None:
        assert (error.file, error.line) == (str(project.root / "schemas" / name),
                                            line + offset), error.message
    assert words in f"{error.message} {error.hint}", error.message
    return error


def codebook_error(project) -> CodebookError:
    with pytest.raises(CodebookError) as info:
        geoevents.validate(project.root)
    return info.value


def test_a_copy_of_the_packaged_codebook_is_valid(project):
    with_schemas(project)
    assert project.problems() == []


@pytest.mark.parametrize("name, old, new, offset, words", [
    ("tables.yaml", "tables:\n", "tables: [\n", 0, "the list opened with '[' on line 83 is not closed"),
    ("tables.yaml", "tables:\n", "tables:\n  _x: 1\n", 1, "'_x' is not a name"),
    ("tables.yaml", "  sources:\n", "  sources: 3\n  x:\n", 0, "must be a mapping"),
    ("tables.yaml", "fields:\n      - name: source_id", "fieldz:\n      - name: source_id", 0,
     "did you mean 'fields'?"),
    ("tables.yaml", "        required: true\n", "        requird: true\n", 0, "'requird'"),
    ("tables.yaml", "        type: edtf\n", "        type: edtff\n", 0, "'edtff'"),
    ("tables.yaml", "        vocabulary: statuses\n", "        vocabulary: status\n", 0,
     "vocabulary 'status' does not exist"),
    ("tables.yaml", "        references: locations.location_id\n",
     "        references: locations.place_id\n", 0, "no field 'place_id'"),
    ("tables.yaml", "        references: locations.location_id\n",
     "        references: places.location_id\n", 0, "table 'places', which does not exist"),
    ("tables.yaml", "  slug: '^[a-z0-9]+(-[a-z0-9]+)*$'", "  slug: '^[a-z0-9+(-[a-z0-9]+)*$'", 0,
     "not a regular expression"),
    ("tables.yaml", "  slug: '^[a-z0-9]+(-[a-z0-9]+)*$'", "  slug: '^(?=x)[a-z0-9-]+$'", 0,
     "look-around"),
    ("tables.yaml", "    location: seeds/sources.yaml\n", "    location: ../../etc/passwd\n", 0,
     "not a path inside the project"),
    ("tables.yaml", "        type: edtf\n        required: true\n        description: When",
     "        type: date\n        required: true\n        description: When", 0,
     "the checks read it as 'edtf'"),
    ("vocabularies.yaml", "statuses:\n", "statuses: [occurred]\nstatus:\n", 0, "must be a mapping"),
    ("vocabularies.yaml", "  person: An", "  yes: The", 0, "is not text"),
    ("plover.yaml", "  - code: AGREE\n", "  - code: AGREE\n    kode: X\n", 1, "'kode'"),
    ("tables.yaml", "primary_key: [source_id]", "primary_key: [source]", 0,
     "primary key 'source' is not a field"),
    ("tables.yaml", "primary_key: [source_id]", "primary_key: source_id", 0, ("must be a "
     "non-empty list, not text")),
    ("tables.yaml", "  events:\n", "  events:\n    fields: []\n  events_old:\n", 1,
     "not an empty list"),
    ("plover.yaml", "    requires_recipient: false", "    requires_recipient: maybe", 0,
     "must be true or false"),
])
def test_malformed_codebook_names_file_and_line(project, name, old, new, offset, words):
    assert assert_refused(project, name, old, new, offset, words).exit_code == 1


def test_codebook_errors_reach_the_command_line_without_a_traceback(project):
    from click.testing import CliRunner

    from geoevents.cli import main

    line = with_schemas(project, "tables.yaml", "        type: edtf\n", "        type: edtff\n")
    result = CliRunner().invoke(main, ["validate", "--root", str(project.root)])
    assert result.exit_code == 1
    assert f"schemas/tables.yaml, line {line}: field 'published' has type 'edtff'" in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output


def test_codebook_too_deep_and_missing(project):
    with_schemas(project)
    project.write("schemas/vocabularies.yaml", "a:\n  b: " + "[" * 30_000 + "]" * 30_000 + "\n")
    error = codebook_error(project)
    assert (error.file, error.line) == (str(project.root / "schemas/vocabularies.yaml"), 2)
    assert "20 levels" in error.message
    with open(project.path("schemas/vocabularies.yaml"), "wb") as fh:  # sparse, never read
        fh.truncate(64 * 1024 * 1024)
    assert "MiB" in codebook_error(project).message
    project.path("schemas/vocabularies.yaml").unlink()
    assert "is missing" in codebook_error(project).message


def test_codebook_that_leads_outside_the_project_is_refused(project, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    for f in ("tables.yaml", "vocabularies.yaml", "plover.yaml"):
        (outside / f).write_text((SCHEMAS / f).read_text(encoding="utf-8"), encoding="utf-8")
    project.path("schemas").symlink_to(outside)
    error = codebook_error(project)
    assert error.file == str(project.root / "schemas") and "outside the project" in error.message
    project.path("schemas").unlink()
    with_schemas(project)
    project.path("schemas/plover.yaml").unlink()
    project.path("schemas/plover.yaml").symlink_to(outside / "plover.yaml")
    error = codebook_error(project)
    assert error.file == str(project.root / "schemas/plover.yaml")
    assert "outside the project" in error.message


def test_codebook_file_that_is_a_fifo_is_not_opened(project):
    import os
    import signal

    with_schemas(project)
    project.path("schemas/tables.yaml").unlink()
    os.mkfifo(project.path("schemas/tables.yaml"))
    signal.signal(signal.SIGALRM, signal.default_int_handler)
    signal.alarm(20)
    try:
        error = codebook_error(project)
    finally:
        signal.alarm(0)
    assert error.file == str(project.root / "schemas/tables.yaml") and "FIFO" in error.message


LAT = "      - name: lat\n        type: number\n"
GEONAMES = "        type: integer\n        minimum: 1\n"
CONTEXTS = "        type: list\n        vocabulary: contexts\n"
AFFILIATION = "        references: actors.actor_id\n"


@pytest.mark.parametrize("name, old, new, offset, words", [
    # YAML the loader would accept silently: anchors, merge keys, a key twice
    ("tables.yaml", "version: 1\n", "version: &v 1\n", 0, "anchors and aliases"),
    ("tables.yaml", "  sources:\n    title: Sources\n",
     "  sources:\n    <<: {title: X}\n    title: Sources\n", 1, "merge keys (<<)"),
    ("tables.yaml", "version: 1\n", "version: 1\nversion: 2\n", 1, "'version' appears twice"),
    ("tables.yaml", LAT, LAT + "        type: string\n", 2, "'type' appears twice"),
    ("vocabularies.yaml", "  person: An", "  person: x\n  person: An", 1,
     "'person' appears twice"),
    # references join two non-list fields of one type
    ("tables.yaml", GEONAMES, GEONAMES + AFFILIATION, 2, "(type integer) references"),
    ("tables.yaml", AFFILIATION, "        references: locations.lat\n", 0, "(type number)"),
    ("tables.yaml", AFFILIATION, "        references: events.contexts\n", 0, "(type list)"),
    ("tables.yaml", CONTEXTS, CONTEXTS + AFFILIATION, 2, "(type list) references"),
    # bounds that no value could pass
    ("tables.yaml", "        minimum: -90\n        maximum: 90\n",
     "        minimum: 90\n        maximum: -90\n", 0, "minimum 90 is above maximum -90"),
    ("tables.yaml", "        minimum: -90\n", "        minimum: .nan\n", 0, "not a finite"),
    ("tables.yaml", "        maximum: 90\n", "        maximum: .inf\n", 0, "not a finite"),
    # constraints on a type they do not apply to
    ("tables.yaml", GEONAMES, GEONAMES + "        pattern: slug\n", 2,
     "pattern applies only to string"),
    ("tables.yaml", LAT, LAT + "        pattern: '^1'\n", 2, "pattern applies only to string"),
    ("tables.yaml", "        type: date\n        description: Day the check",
     "        type: date\n        pattern: '^2'\n        description: Day the check", 1,
     "pattern applies only to string"),
    ("tables.yaml", "        type: boolean\n", "        type: boolean\n        pattern: '^t'\n",
     1, "pattern applies only to string"),
    ("tables.yaml", CONTEXTS, CONTEXTS + "        pattern: '^a'\n", 2,
     "pattern applies only to string"),
    ("tables.yaml", LAT, LAT + "        max_length: 5\n", 2, "max_length applies only to string"),
    ("tables.yaml", LAT, LAT + "        vocabulary: statuses\n", 2,
     "vocabulary applies only to string or list"),
    ("tables.yaml", AFFILIATION, AFFILIATION + "        minimum: 0\n", 1,
     "minimum applies only to integer or number"),
    ("tables.yaml", AFFILIATION, AFFILIATION + "        maximum: 9\n", 1,
     "maximum applies only to integer or number"),
    # a mistyped name of a pattern is not a regular expression
    ("tables.yaml", "        pattern: sha256\n", "        pattern: sha257\n", 0,
     "did you mean 'sha256'?"),
    # control and bidi characters, in any text
    ("tables.yaml", "    title: Sources\n", '    title: "Sour\\u202Eces"\n', 0, "U+202E"),
    ("tables.yaml", "    title: Sources\n", '    title: "So\\x01urces"\n', 0, "U+0001"),
    ("tables.yaml", "    title: Sources\n", '    title: "So\\x7furces"\n', 0, "U+007F"),
    ("tables.yaml", "    title: Sources\n", '    title: "So\\x9burces"\n', 0, "U+009B"),
    ("tables.yaml", "    title: Sources\n", '    title: "So\\rurces"\n', 0, "U+000D"),
    ("vocabularies.yaml", "  person: An", '  "occ\\u2066urred": The', 0, "U+2066"),
    ("plover.yaml", "    definition: >-\n", '    definition: "\\x1b[31mred"\n    notes: >-\n',
     0, "U+001B"),
    # vocabulary codes a spreadsheet would run, or that are blank
    ("vocabularies.yaml", "  person: An", "  '=cmd()': The", 0, "as a formula"),
    ("vocabularies.yaml", "  person: An", "  '  ': The", 0, "empty or has spaces"),
    ("vocabularies.yaml", "  person: An", "  '': The", 0, "empty or has spaces"),
    ("plover.yaml", "  - code: AGREE\n", "  - code: '@AGREE'\n", 0, "as a formula"),
    ("plover.yaml", "      - code: visit\n", "      - code: '-visit'\n", 0, "as a formula"),
    ("plover.yaml", "  - code: military\n", "  - code: '+military'\n", 0, "as a formula"),
    ("tables.yaml", "        vocabulary: actor_kinds\n", "        vocabulary: [a, '=b']\n", 0,
     "as a formula"),
])
def test_codebook_that_would_be_accepted_silently_is_refused(project, name, old, new, offset,
                                                              words):
    error = assert_refused(project, name, old, new, offset, words)
    assert error.hint and error.exit_code == 1


def test_codebook_alias_bomb_is_refused_before_it_expands(project):
    import time

    names = "abcdefghi"
    bomb = "".join(f"{n}: &{n} [{','.join([f'*{p}'] * 9) if p else 'x,x,x,x,x,x,x,x,x'}]\n"
                   for p, n in zip([None, *names], names))
    line = with_schemas(project, "plover.yaml", 'cameo_roots: ["03"]', "cameo_roots: [*i]")
    text = project.path("schemas/plover.yaml").read_text(encoding="utf-8")
    project.write("schemas/plover.yaml", bomb + text)
    start = time.perf_counter()
    error = codebook_error(project)
    assert time.perf_counter() - start < 5
    assert (error.file, error.line) == (str(project.root / "schemas/plover.yaml"), 1)
    assert "anchors and aliases" in error.message
    project.write("schemas/plover.yaml", text)  # an alias alone, with no anchor in the file
    error = codebook_error(project)
    assert (error.line, "anchors and aliases" in error.message) == (line, True)


START = "        derived: {edtf: date, part: start}\n"
ROLE_HAPPENED = "    role: happened\n"


@pytest.mark.parametrize("name, old, new, offset, words", [
    # derived columns: each kind, what it names, its type
    ("tables.yaml", START, "        derived: {edtf: date, part: begin}\n", 0,
     "'begin' is not one of start, end"),
    ("tables.yaml", START, "        derived: {edtf: status, part: start}\n", 0,
     "'status' is not an edtf field"),
    ("tables.yaml", START, "        derived: {part: start}\n", 0, "derived names no derivation"),
    ("tables.yaml", START, "        derived: {edtf: date, part: start, of: date}\n", 0,
     "has no key 'of'"),
    ("tables.yaml", START, START + "        required: true\n", 1, "has no key 'required'"),
    ("tables.yaml", "        type: date\n" + START, "        type: string\n" + START, 0,
     "what it derives is 'date'"),
    ("tables.yaml", "{lookup: name, through: location_id}", "{lookup: name, through: summary}",
     0, "'summary' references no table"),
    ("tables.yaml", "{lookup: name, through: location_id}", "{lookup: nome, through: location_id}",
     0, "'nome' is not a field of table locations"),
    ("tables.yaml", "{attribute: quad, of: event_type}", "{attribute: quad, of: status}", 0,
     "does not name an event type"),
    ("tables.yaml", "where: {role: actor}}", "where: {role: actr}}", 0, "did you mean 'actor'?"),
    ("tables.yaml", "where: {role: actor}}", "where: {rol: actor}}", 0,
     "'rol' is not a field of table event_actors"),
    ("tables.yaml", "{collect: citations.source_id}", "{collect: actors.actor_id}", 0,
     "has no field that references events"),
    ("tables.yaml", "{collect: citations.source_id}", "{collect: citations.quote, then: x}", 0,
     "then needs"),
    ("tables.yaml", "{collect: citations.source_id}", "{collect: citations.source_id, then: x}",
     0, "'x' is not a field of table sources"),
    ("tables.yaml", "{offset: start, of: quote}", "{offset: middle, of: quote}", 0,
     "'middle' is not one of start, end"),
    ("tables.yaml", "{offset: start, of: quote}", "{offset: start, of: char_end}", 0,
     "'char_end' is not a field of table citations"),
    # what a release publishes
    ("tables.yaml", "release_tables: [events,", "release_tables: [evnts,", 0,
     "did you mean 'events'?"),
    ("tables.yaml", "release_tables: [events, event_actors,", "release_tables: [events, events,",
     0, "names 'events' twice"),
    ("tables.yaml", "release_tables: [events, ", "release_tables: [", 0, "does not name events"),
    ("tables.yaml", "sources, errata]", "sources, errata, project]", 0, "cannot be published"),
    ("tables.yaml", ("release_tables: [events, event_actors, citations, actors, locations, "
                     "sources, errata]\n"), "release_tables: events\n", 0,
     "must be a non-empty list"),
    # roles: a rule's role missing, a role no rule reads, a field without a named vocabulary
    ("vocabularies.yaml", ROLE_HAPPENED, "", -2, "has the role 'happened'"),
    ("vocabularies.yaml", ROLE_HAPPENED, "    role: hapened\n", 0, "did you mean 'happened'?"),
    ("vocabularies.yaml", "    role: point\n", "    role: source\n", 0,
     "'source' of 'point' is not a role any rule reads in vocabulary location_precisions"),
    ("vocabularies.yaml", ROLE_HAPPENED, ROLE_HAPPENED + "    colour: red\n", 1,
     "has no key 'colour'"),
    ("tables.yaml", "        vocabulary: statuses\n", "        vocabulary: [occurred, planned]\n",
     0, "needs a named vocabulary"),
    ("vocabularies.yaml", "actor_kinds:\n", "colours:\n  red: Red.\nactor_kinds:\n", 0,
     "vocabulary colours is used by no field"),
    # translations and one-record tables
    ("tables.yaml", "        translates: quote\n", "        translates: qoute\n", 0,
     "not another string field"),
    ("tables.yaml", "        translates: quote\n        language: en\n",
     "        translates: quote\n", 0, "names both"),
    ("tables.yaml", "        language: en\n", "        language: english\n", 0,
     "not an ISO 639-1 code"),
    ("tables.yaml", "    one_record: true\n", "    one_record: yes please\n", 0,
     "one_record must be true or false"),
    ("tables.yaml", "    location: geoevents.yaml\n    one_record: true\n",
     "    one_record: true\n", 0, "needs a location"),
])
def test_codebook_release_and_roles_mistakes_are_refused(project, name, old, new, offset, words):
    assert_refused(project, name, old, new, offset, words)


@pytest.mark.parametrize("name, old, new, offset, words", [
    # a derived column: empty, missing a key, named unlike what normalise gives it
    ("tables.yaml", START, "        derived:\n", 0, "derived is empty"),
    ("tables.yaml", START, "        derived: {edtf: date}\n", 0, "derived edtf needs part"),
    ("tables.yaml", "      - name: date_start\n", "      - name: first_day\n", 0,
     "is named date_start"),
    ("tables.yaml", "      - name: date_start\n        type: date\n" + START,
     "      - name: date_start\n        type: date\n", 0, "has the name of the start of 'date'"),
    ("tables.yaml", "      - name: title\n        type: string\n        description: Role",
     "      - name: name_zh\n        type: string\n        description: Role", 0,
     "has the name of 'name' in language 'zh'"),
    # block style: the line of the key at fault
    ("tables.yaml", START, "        derived:\n          edtf: date\n          part: begin\n", 2,
     "'begin' is not one of"),
    # list fields cannot be collected, selected on, or followed to
    ("tables.yaml", "{collect: citations.source_id}", "{collect: events.contexts}", 0,
     "'events.contexts' is a list field"),
    ("tables.yaml", "where: {role: actor}}", "where: {event_id: x}}", 0,
     "only a field with a vocabulary"),
    # derived columns of a table that is not published
    ("tables.yaml", "      - name: orcid\n", ("      - name: orcid_start\n        type: date\n"
                                              "        derived: {edtf: x, part: start}\n"
                                              "      - name: orcid\n"), 2,
     "the table is not published"),
    # an offset is of the quote
    ("tables.yaml", "{offset: start, of: quote}", "{offset: start, of: event_id}", 0,
     "an offset is of the quote"),
    # the project file's fields keep what the release files need
    ("tables.yaml", ("      - name: contact\n        type: string\n        required: true\n"),
     "      - name: contact\n        type: string\n", 0, "must have required: true"),
    ("tables.yaml", "        vocabulary: spdx\n        description: Licence of the data",
     "        description: Licence of the data", -3, "must have vocabulary: spdx"),
    ("tables.yaml", "    one_record: true\n", "", -6, "must hold one record"),
    # translations: one per quote table, none elsewhere
    ("tables.yaml", "        translates: quote\n        language: en\n", "", -23,
     "table citations has no translation field"),
    ("tables.yaml", "      - name: title_en\n        type: string\n",
     ("      - name: title_en\n        type: string\n        translates: title\n"
      "        language: en\n"), 2, "a translation the rules would not read"),
    # files: one table each; a one-record table is YAML
    ("tables.yaml", "    location: geoevents.yaml\n", "    location: seeds/sources.yaml\n", 0,
     "are both read from seeds/sources.yaml"),
    ("tables.yaml", "    location: geoevents.yaml\n", "    location: project.csv\n", 0,
     "its location is a YAML file"),
])
def test_codebook_that_would_mislead_the_build_is_refused(project, name, old, new, offset, words):
    assert_refused(project, name, old, new, offset, words)


@pytest.mark.parametrize("name, old, new, offset, words", [
    ("vocabularies.yaml", "  person: An", "  'per;son': An", 0, "holds ';'"),
    ("vocabularies.yaml", "  person: An", "  'per|son': An", 0, "holds '|'"),
    ("tables.yaml", START, START + "        minimum: 1900\n", 1, "has no key 'minimum'"),
    ("tables.yaml", "        derived: {lookup: precision, through: location_id}\n",
     ("        vocabulary: location_precisions\n"
      "        derived: {lookup: precision, through: location_id}\n"), 0,
     "only the precision of a date takes a vocabulary"),
    ("vocabularies.yaml", "  season: The date names a season of a year (EDTF 21-24).\n", "",
     None, "lacks season"),
    ("tables.yaml", "        pattern: wikidata\n", "        pattern: wikidata\n        localized: true\n",
     1, "is localized but is not free text"),
    ("tables.yaml", "        translates: quote\n", "        translates: quote_en\n", 0,
     "translates 'quote_en'"),
    ("tables.yaml", "  wikidata: '^Q[1-9][0-9]*$'\n", "  wikidata: 'Q[1-9][0-9]*'\n", 0,
     "is not anchored at both ends"),
])
def test_codebook_whose_release_would_disagree_with_validate_is_refused(project, name, old, new,
                                                                       offset, words):
    assert_refused(project, name, old, new, offset, words)
