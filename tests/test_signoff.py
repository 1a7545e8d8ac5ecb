"""geoevents sign-off: checked_by and checked_on written where each event stands, and
not one other byte; every refusal with its message and exit code; nothing written
when anything is refused."""

from __future__ import annotations

import datetime as dt
import difflib

import pytest
from click.testing import CliRunner

from geoevents import errors as E
from geoevents import signoff
from geoevents.cli import main

YAML = "annotations/events.yaml"
FLAT = "annotations/events-flat.csv"
CITATIONS = "annotations/citations.csv"
CURATORS = "annotations/curators.csv"
PROJECT = "geoevents.yaml"
VOSTOCHNY = "2023-09-13-kim-putin-vostochny"
WARNS = "2023-09-us-warns-north-korea"
TALKS = "2023-09-13-kim-putin-talks"
YAML_CHECK = '  checked_by: tester\n  checked_on: "2023-10-01"\n'
FLAT_CHECK = "tester,tester,2023-10-01,"
TODAY = dt.date(2024, 1, 10)


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def sign(project, *args):
    return invoke("sign-off", "--root", project.root, *args)


def uncheck(project):
    """Both events of the fixture as not yet checked: the fields gone from the YAML
    record, the cells emptied in the CSV row."""
    project.edit(YAML, YAML_CHECK, "")
    project.edit(FLAT, FLAT_CHECK, "tester,,,")


def add_second_curator(project):
    project.append(CURATORS, "second,Second Curator,\n")


def add_talks(project):
    """A second event in events.yaml: a copy of the first under another ID."""
    text = project.path(YAML).read_text(encoding="utf-8")
    record = text[text.index("- event_id:"):]
    project.append(YAML, record.replace(VOSTOCHNY, TALKS))


def read(project, rel) -> bytes:
    return project.path(rel).read_bytes()


def changes(before: bytes, after: bytes) -> list[tuple[str, list[bytes], list[bytes]]]:
    """What differs between two versions of a file, line by line (line ends kept)."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    return [(tag, old[i1:i2], new[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes()
            if tag != "equal"]


def unchecked(project) -> set[tuple]:
    return {(f, line) for rule, f, line, _ in project.found() if rule == "unchecked"}


def snapshot(project) -> dict[str, bytes]:
    return {p.relative_to(project.root).as_posix(): p.read_bytes()
            for p in sorted(project.root.rglob("*")) if p.is_file()}


# --- what is written, and nothing else ---------------------------------------


def test_yaml_fields_added_after_the_records_last_line(project):
    uncheck(project)
    before = read(project, YAML)
    result = sign(project, VOSTOCHNY, "--by", "tester", "--on", "2024-01-02")
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"signed off {VOSTOCHNY} ({YAML}, line 2)\n"
        f"1 event(s) signed off by tester on 2024-01-02; wrote {YAML}\n")
    # after the nested citation's last line, at the indentation of the record's keys
    assert changes(before, read(project, YAML)) == [
        ("insert", [], [b"  checked_by: tester\n", b'  checked_on: "2024-01-02"\n'])]
    assert before.splitlines()[-1].startswith(b"      quote_en:")
    assert unchecked(project) == {(FLAT, 2)}


def test_yaml_values_replaced_in_place_keeping_bom_crlf_comments_and_quoting(project):
    add_second_curator(project)
    project.edit(YAML, "  checked_by: tester\n", "  checked_by: tester   # first pass\n")
    project.edit(YAML, 'checked_on: "2023-10-01"', "checked_on: '2023-10-01'")
    project.edit(YAML, "  annotated_by: tester\n", "  # reviewed twice\n\n  annotated_by: tester\n")
    text = project.path(YAML).read_text(encoding="utf-8").replace("\n", "\r\n")
    project.write(YAML, b"\xef\xbb\xbf" + text.encode("utf-8"))
    before = read(project, YAML)
    result = sign(project, VOSTOCHNY, "--by", "second", "--on", "2024-01-02", "--force")
    assert result.exit_code == 0, result.output
    after = read(project, YAML)
    assert after.startswith(b"\xef\xbb\xbf")
    assert changes(before, after) == [(
        "replace",
        [b"  checked_by: tester   # first pass\r\n", b"  checked_on: '2023-10-01'\r\n"],
        [b"  checked_by: second   # first pass\r\n", b"  checked_on: '2024-01-02'\r\n"])]
    assert project.found() == set()


def test_yaml_empty_values_filled_and_a_file_without_a_final_line_break(project):
    project.edit(YAML, YAML_CHECK, "  checked_by:   # who?\n  checked_on: ~\n")
    text = project.path(YAML).read_text(encoding="utf-8")
    project.write(YAML, text.rstrip("\n"))
    before = read(project, YAML)
    result = sign(project, VOSTOCHNY, "--by", "tester", "--on", "2024-01-02")
    assert result.exit_code == 0, result.output
    after = read(project, YAML)
    assert changes(before, after) == [(
        "replace", [b"  checked_by:   # who?\n", b"  checked_on: ~\n"],
        [b"  checked_by: tester   # who?\n", b'  checked_on: "2024-01-02"\n'])]
    assert not after.endswith(b"\n")


def test_yaml_added_to_a_file_without_a_final_line_break(project):
    project.edit(YAML, YAML_CHECK, "")
    text = project.path(YAML).read_text(encoding="utf-8").replace("\n", "\r\n")
    project.write(YAML, text.rstrip("\r\n"))
    before = read(project, YAML)
    assert sign(project, VOSTOCHNY, "--by", "tester", "--on", "2024-01-02").exit_code == 0
    last = before.splitlines(keepends=True)[-1]
    assert changes(before, read(project, YAML)) == [(
        "replace", [last],
        [last + b"\r\n", b"  checked_by: tester\r\n", b'  checked_on: "2024-01-02"'])]


def test_yaml_one_field_replaced_the_other_added(project):
    add_second_curator(project)
    project.edit(YAML, '  checked_on: "2023-10-01"\n', "")
    before = read(project, YAML)
    result = sign(project, VOSTOCHNY, "--by", "second", "--on", "2024-01-02", "--force")
    assert result.exit_code == 0, result.output
    assert changes(before, read(project, YAML)) == [
        ("replace", [b"  checked_by: tester\n"], [b"  checked_by: second\n"]),
        ("insert", [], [b'  checked_on: "2024-01-02"\n'])]
    assert project.found() == set()


def test_several_events_of_one_file_are_one_write(project, monkeypatch):
    project.edit(YAML, YAML_CHECK, "")
    add_talks(project)
    writes = []
    real = signoff.safefile.replace
    monkeypatch.setattr(signoff.safefile, "replace",
                        lambda path, data: (writes.append(path.name), real(path, data)))
    before = read(project, YAML)
    result = sign(project, TALKS, VOSTOCHNY, "--by", "tester", "--on", "2024-01-02")
    assert result.exit_code == 0, result.output
    assert writes == ["events.yaml"]
    added = [b"  checked_by: tester\n", b'  checked_on: "2024-01-02"\n']
    assert changes(before, read(project, YAML)) == [("insert", [], added)] * 2
    lines = read(project, YAML).splitlines(keepends=True)
    # each after its own record's last line (line 17, the first record's quote_en)
    assert lines[16].startswith(b"      quote_en:") and lines[17:19] == added
    assert lines[-2:] == added
    assert unchecked(project) == set()


def test_csv_cells_filled_in_that_row_only_keeping_crlf_and_quoting(project):
    project.edit(FLAT, FLAT_CHECK, 'tester,"",,"first line\nsecond, line"')
    project.append(FLAT, "another-row,2023-09,occurred,THREATEN,,,,\"Quoted, kept.\",tester,,,\n")
    text = project.path(FLAT).read_text(encoding="utf-8").replace("\n", "\r\n")
    project.write(FLAT, text.encode("utf-8"))
    before = read(project, FLAT)
    result = sign(project, WARNS, "--by", "tester", "--on", "2024-01-02", "--force")
    assert result.exit_code == 0, result.output
    row = before.splitlines(keepends=True)[1]
    assert row.endswith(b',tester,"",,"first line\r\n')
    assert changes(before, read(project, FLAT)) == [(
        "replace", [row], [row.replace(b',tester,"",,"', b',tester,"tester",2024-01-02,"')])]
    assert unchecked(project) == {(FLAT, 4)}  # the other row: left as it was


def test_csv_row_already_signed_is_replaced_cell_by_cell(project):
    add_second_curator(project)
    before = read(project, FLAT)
    assert sign(project, WARNS, "--by", "second", "--on", "2024-01-02", "--force").exit_code == 0
    row = before.splitlines(keepends=True)[1]
    assert changes(before, read(project, FLAT)) == [
        ("replace", [row], [row.replace(b"tester,tester,2023-10-01,", b"tester,second,2024-01-02,")])]


def test_csv_row_whose_quoted_value_spans_lines_before_the_cells(project):
    project.edit(FLAT, '"The US warned North Korea', '"The US warned\nNorth Korea')
    project.edit(FLAT, FLAT_CHECK, "tester,,,")
    before = read(project, FLAT)
    assert sign(project, WARNS, "--by", "tester", "--on", "2024-01-02").exit_code == 0
    second = before.splitlines(keepends=True)[2]  # the row's second line holds the cells
    assert changes(before, read(project, FLAT)) == [
        ("replace", [second], [second.replace(b"tester,,,", b"tester,tester,2024-01-02,")])]
    assert project.found() == set()


def test_same_check_again_writes_nothing(project, monkeypatch):
    monkeypatch.setattr(signoff.safefile, "replace", lambda path, data: pytest.fail("written"))
    result = sign(project, WARNS, "--by", "tester", "--on", "2023-10-01", "--force")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "1 event(s) signed off by tester on 2023-10-01; no file changed")


def test_written_file_keeps_its_permissions_and_leaves_no_temporary_file(project):
    uncheck(project)
    project.path(FLAT).chmod(0o640)
    assert sign(project, WARNS, "--by", "tester", "--on", "2024-01-02").exit_code == 0
    assert project.path(FLAT).stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in project.path("annotations").iterdir()) == [
        "actors.csv", "citations.csv", "curators.csv", "event_actors.csv", "events-flat.csv",
        "events.yaml", "locations.csv"]


def test_file_edited_meanwhile_is_not_overwritten(project, monkeypatch):
    uncheck(project)
    edit = signoff._Source.edit

    def edit_then_change(source, *args):
        text = edit(source, *args)
        project.append(FLAT, "\n")  # the curator saves the file meanwhile
        return text

    monkeypatch.setattr(signoff._Source, "edit", edit_then_change)
    before = snapshot(project)
    result = sign(project, WARNS, VOSTOCHNY, "--by", "tester", "--on", "2024-01-02")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {FLAT} changed while sign-off was running: nothing is written\n"
        "hint: save your edits, then sign off again\n")
    assert read(project, YAML) == before[YAML]  # the other file is not written either


def test_default_day_is_today_utc(project):
    uncheck(project)
    result = sign(project, WARNS, "--by", "tester")
    assert result.exit_code == 0, result.output
    day = read(project, FLAT).splitlines()[1].split(b",")[-2].decode()
    assert dt.date.fromisoformat(day) in {signoff.local_today() - dt.timedelta(days=1),
                                         signoff.local_today()}


# --- refusals ----------------------------------------------------------------


def test_unknown_event_is_refused_with_the_closest_id(project):
    uncheck(project)
    before = snapshot(project)
    result = sign(project, WARNS, "2023-09-13-kim-putin-vostochni", "nothing-like-it",
                  "--by", "tester")
    assert result.exit_code == 2
    assert result.stdout == (
        "2023-09-13-kim-putin-vostochni: no event has this ID\n"
        f"    hint: did you mean {VOSTOCHNY!r}?\n"
        "nothing-like-it: no event has this ID\n"
        f"    hint: check the spelling: the events are written in {FLAT}, {YAML}\n")
    assert result.stderr == (
        "error: nothing signed off: 2 of 3 event(s) refused\n"
        "hint: no file is written until every event named can be signed off: fix what is "
        "listed, or leave those events out, and run again\n")
    assert snapshot(project) == before  # the known event is not written either


def test_event_with_errors_in_its_record_is_refused_and_nothing_is_written(project):
    uncheck(project)
    project.edit(YAML, "status: occurred", "status: happened")
    project.edit(YAML, "quote_en: On 13 September 2023, Kim Jong Un met Putin at the Vostochny "
                 "Cosmodrome.", "quote_en:")  # in a nested citation
    before = snapshot(project)
    result = sign(project, VOSTOCHNY, WARNS, "--by", "tester")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{YAML}, line 2: {VOSTOCHNY}: has 2 error(s): fix them first",
        "    line 4 [status] vocabulary: 'happened' is not in the status vocabulary",
        ("    line 17 [quote_en] quote-translation: "
         "the quote is in zh and has no translation into en (quote_en)"),
        "    hint: fix them (geoevents validate shows each with its hint), then sign off again",
    ]
    assert "1 of 2 event(s) refused" in result.stderr
    assert snapshot(project) == before
    assert not [p for p in project.path("annotations").iterdir() if p.name.startswith(".")]


def test_event_named_by_a_record_with_errors_in_another_table_is_refused(project):
    uncheck(project)
    project.edit(CITATIONS, "美国将 采取行动", "美国将 不采取行动")
    result = sign(project, WARNS, "--by", "tester")
    assert result.exit_code == 1
    assert result.stdout == (
        f"{FLAT}, line 2: {WARNS}: has 1 error(s): fix them first\n"
        f"    {CITATIONS}, line 2 [quote] quote-not-found: the quote is not in source sample-zh\n"
        "    hint: fix them (geoevents validate shows each with its hint), then sign off again\n")
    # the other event does not cite it
    assert sign(project, VOSTOCHNY, "--by", "tester").exit_code == 0


def test_errors_sign_off_replaces_are_not_held_against_the_event(project):
    """A check dated in the future is replaced by the new day."""
    project.edit(YAML, 'checked_on: "2023-10-01"', 'checked_on: "2999-01-01"')
    assert ("date-future-check", YAML, 12, "checked_on") in project.found()
    result = sign(project, VOSTOCHNY, "--by", "tester", "--on", "2024-01-02", "--force")
    assert result.exit_code == 0, result.output
    assert project.found() == set()


def test_unknown_curator_is_refused_listing_the_known_ones(project):
    uncheck(project)
    before = snapshot(project)
    result = sign(project, WARNS, "--by", "testr")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --by 'testr': no curator has this ID (known: tester)\n"
        "hint: did you mean 'tester'? give one of the curators of annotations/curators.csv, "
        "or add a record for 'testr' there first\n")
    assert snapshot(project) == before


def test_annotator_refused_where_the_project_asks_for_a_second_curator(project):
    uncheck(project)
    add_second_curator(project)
    project.edit(PROJECT, "distinct_checker: false", "distinct_checker: true")
    result = sign(project, WARNS, "--by", "tester")
    assert result.exit_code == 1
    assert result.stdout == (
        f"{FLAT}, line 2: {WARNS}: 'tester' annotated this event, and geoevents.yaml asks "
        "for a second curator (distinct_checker: true)\n"
        "    hint: have another curator check it and sign it off (--by CURATOR)\n")
    assert sign(project, WARNS, "--by", "second").exit_code == 0
    assert unchecked(project) == {(YAML, 2)}


def test_checked_event_refused_unless_forced(project):
    before = snapshot(project)
    result = sign(project, WARNS, "--by", "tester")
    assert result.exit_code == 1
    assert result.stdout == (
        f"{FLAT}, line 2: {WARNS}: is checked already (by 'tester' on 2023-10-01)\n"
        "    hint: give --force to sign it off again: its checked_by and checked_on are "
        "replaced\n")
    assert snapshot(project) == before


@pytest.mark.parametrize(("on", "message"), [
    ("2024-02-30", "--on '2024-02-30' is not a day: write it as YYYY-MM-DD"),
    ("20240201", "--on '20240201' is not a day: write it as YYYY-MM-DD"),
    ("2024-01-11", "--on 2024-01-11 is after today (2024-01-10)"),
])
def test_day_must_be_real_and_not_after_today(on, message):
    with pytest.raises(E.UsageError) as caught:
        signoff.check_day(on, TODAY)
    assert caught.value.message == message and caught.value.exit_code == 2


def test_day_of_today_and_before_is_taken():
    assert signoff.check_day("2024-01-10", TODAY) == TODAY
    assert signoff.check_day(None, TODAY) == TODAY


def test_future_day_refused_on_the_command_line(project):
    uncheck(project)
    result = sign(project, WARNS, "--by", "tester", "--on", "2999-01-01")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --on 2999-01-01 is after today (")


@pytest.mark.parametrize(("args", "message"), [
    (["--by", "tester"], "error: no event to sign off\n"),
    ([WARNS, "--all-clean", "--by", "tester"], "error: give event IDs or --all-clean, not both\n"),
    (["--all-clean", "--force", "--by", "tester"],
     "error: --force signs off again named events only, not --all-clean\n"),
])
def test_usage_errors_exit_2(project, args, message):
    result = sign(project, *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)


def test_not_a_project_exits_2(tmp_path):
    result = invoke("sign-off", "--root", tmp_path, WARNS, "--by", "tester")
    assert result.exit_code == 2
    assert "is not an annotation project" in result.stderr


def test_csv_without_the_columns_is_refused(project):
    project.edit(FLAT, "annotated_by,checked_by,checked_on,notes", "annotated_by,notes")
    project.edit(FLAT, FLAT_CHECK, "tester,")
    before = snapshot(project)
    result = sign(project, WARNS, "--by", "tester")
    assert result.exit_code == 1
    assert result.stdout == (
        f"{FLAT}, line 2: {WARNS}: {FLAT} has no column checked_by or checked_on: sign-off "
        "writes into cells, it does not add columns to every row\n"
        "    hint: add checked_by, checked_on to its header and an empty cell for each to "
        "every row (a spreadsheet does this), then run again\n")
    assert snapshot(project) == before


def test_multi_line_value_is_refused(project):
    project.edit(YAML, "  checked_by: tester\n", "  checked_by: >-\n    tester\n")
    before = snapshot(project)
    result = sign(project, VOSTOCHNY, "--by", "tester", "--force")
    assert result.exit_code == 1
    assert result.stdout == (
        f"{YAML}, line 2: {VOSTOCHNY}: checked_by on line 11 is not a one-line value: "
        "sign-off replaces one-line values only\n"
        "    hint: write it on one line (checked_by: ...) or delete that line, and run again\n")
    assert snapshot(project) == before


def test_flow_record_refused_when_fields_must_be_added(project):
    project.write(YAML, (
        f'- {{event_id: {VOSTOCHNY}, date: "2023-09-13", status: occurred, '
        "event_type: CONSULT, modes: [visit], contexts: [diplomatic, military], "
        "location_id: vostochny-cosmodrome, summary: Kim Jong Un met Vladimir Putin at the "
        "Vostochny Cosmodrome., annotated_by: tester, "
        "actors: [{actor_id: kim-jong-un, role: actor}, "
        "{actor_id: vladimir-putin, role: recipient}], "
        "citations: [{source_id: sample-zh, quote: 2023年9月13日，金正恩在东方航天发射场与普京会晤。, "
        "quote_en: 'On 13 September 2023, Kim Jong Un met Putin at the Vostochny Cosmodrome.'}]}\n"
    ))
    assert unchecked(project) == {(YAML, 1)}
    result = sign(project, VOSTOCHNY, "--by", "tester")
    assert result.exit_code == 1
    assert result.stdout == (
        f"{YAML}, line 1: {VOSTOCHNY}: the record is written in flow style ({{...}}): "
        "sign-off adds fields to records written one key a line only\n"
        "    hint: write the record one key a line, or add checked_by and checked_on to it "
        "(empty), and run again\n")
    project.edit(YAML, "annotated_by: tester,", "annotated_by: tester, checked_by: , "
                 "checked_on: ,")
    before = read(project, YAML)
    assert sign(project, VOSTOCHNY, "--by", "tester", "--on", "2024-01-02").exit_code == 0
    assert read(project, YAML) == before.replace(
        b"checked_by: , checked_on: ,", b'checked_by: tester, checked_on: "2024-01-02",')
    assert project.found() == set()


# --- --all-clean -------------------------------------------------------------


def test_all_clean_signs_what_can_be_and_lists_what_it_skips(project):
    uncheck(project)
    add_talks(project)
    project.edit(CITATIONS, "美国将 采取行动", "美国将 不采取行动")
    project.edit(PROJECT, "distinct_checker: false", "distinct_checker: true")
    add_second_curator(project)
    project.edit(YAML, "annotated_by: tester", "annotated_by: second")  # the first event only
    assert unchecked(project) == {(FLAT, 2), (YAML, 2), (YAML, 18)}
    result = sign(project, "--all-clean", "--by", "second", "--on", "2024-01-02")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"signed off {TALKS} ({YAML}, line 18)\n"
        f"skipped {FLAT}, line 2: {WARNS}: has 1 error(s): fix them first\n"
        f"    {CITATIONS}, line 2 [quote] quote-not-found: the quote is not in source sample-zh\n"
        "    hint: fix them (geoevents validate shows each with its hint), then sign off again\n"
        f"skipped {YAML}, line 2: {VOSTOCHNY}: 'second' annotated this event, and "
        "geoevents.yaml asks for a second curator (distinct_checker: true)\n"
        "    hint: have another curator check it and sign it off (--by CURATOR)\n"
        f"1 event(s) signed off by second on 2024-01-02; wrote {YAML}\n")
    assert unchecked(project) == {(FLAT, 2), (YAML, 2)}


def test_all_clean_leaves_checked_events_and_says_so(project):
    project.edit(FLAT, FLAT_CHECK, "tester,,,")
    before = read(project, YAML)
    result = sign(project, "--all-clean", "--by", "tester", "--on", "2024-01-02")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"signed off {WARNS} ({FLAT}, line 2)\n"
        "skipped 1 event(s) checked already\n"
        f"1 event(s) signed off by tester on 2024-01-02; wrote {FLAT}\n")
    assert read(project, YAML) == before
    assert unchecked(project) == set()


def test_all_clean_with_nothing_to_sign(project):
    before = snapshot(project)
    result = sign(project, "--all-clean", "--by", "tester")
    assert result.exit_code == 0
    assert result.stdout == "skipped 2 event(s) checked already\nnothing to sign off\n"
    assert snapshot(project) == before


# --- the library ---------------------------------------------------------------


def test_library_refusal_carries_each_refusal(project):
    uncheck(project)
    with pytest.raises(signoff.Refused) as caught:
        signoff.sign_off(project.root, ["no-such-event", WARNS], by="tester", today=TODAY)
    (refusal,) = caught.value.refusals
    assert (refusal.event_id, refusal.file, refusal.line, refusal.usage) == (
        "no-such-event", None, None, True)
    assert caught.value.exit_code == 2


def test_library_outcome(project):
    uncheck(project)
    done = signoff.sign_off(project.root, [WARNS, VOSTOCHNY, WARNS], by="tester",
                            on="2024-01-02", today=TODAY)
    assert [(s.event_id, s.file, s.line) for s in done.signed] == [
        (WARNS, FLAT, 2), (VOSTOCHNY, YAML, 2)]
    assert done.written == [FLAT, YAML] and done.on == dt.date(2024, 1, 2)
    assert unchecked(project) == set()


def test_csv_with_a_bare_carriage_return_is_refused_not_rewritten(project):
    uncheck(project)
    project.append(FLAT, "another-row,2023-09,occurred,THREATEN,,,,A\rB,tester,,,\n")
    before = snapshot(project)
    result = sign(project, WARNS, "--by", "tester")
    assert result.exit_code == 1
    assert result.stdout == (
        f"{FLAT}, line 2: {WARNS}: {FLAT} has a carriage return that ends no line\n"
        "    hint: save it again with ordinary line ends, then sign off again\n")
    assert snapshot(project) == before


def test_a_write_that_fails_says_which_files_are_written(project, monkeypatch):
    uncheck(project)
    real = signoff.safefile.replace

    def full_disk(path, data):
        if path.name == "events.yaml":
            raise OSError(28, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(signoff.safefile, "replace", full_disk)
    result = sign(project, WARNS, VOSTOCHNY, "--by", "tester", "--on", "2024-01-02")
    assert result.exit_code == 3
    assert result.stderr.splitlines()[-1] == (
        "hint: the disk is full: free some space and run again "
        f"(written already, and complete: {FLAT})")
    assert unchecked(project) == {(YAML, 2)}


# --- what validate folds is still held against the event --------------------------


def test_an_error_folded_under_its_cause_still_refuses_the_event(project):
    """The source text is gone (one error shown: source-missing) and a quote is wrong
    (folded: it cannot be searched). Both citations' events stay refused."""
    uncheck(project)
    project.path("seeds/sample_zh.txt").unlink()
    before = snapshot(project)
    result = sign(project, VOSTOCHNY, "--by", "tester")
    assert result.exit_code == 1, result.output
    assert f"{VOSTOCHNY}: has 1 error(s): fix them first" in result.output
    assert snapshot(project) == before


def test_an_event_in_a_record_that_could_not_be_read(project):
    project.edit(FLAT, "2023-09-us-warns-north-korea,2023-09~,",
                 "2023-09-us-warns-north-korea,2023-09~,,")  # a cell too many: the row is lost
    result = sign(project, "2023-09-us-warns-north-korea", "--by", "tester")
    assert result.exit_code == 1
    assert ("2023-09-us-warns-north-korea: no event with this ID was read, and the events "
            f"could not all be read ({FLAT}: 1 problem(s) of reading)") in result.output


def test_a_curator_whose_record_has_errors_and_a_policy_that_cannot_be_read(project):
    uncheck(project)
    project.append(CURATORS, "tester,Tester Twin,\n")
    twice = sign(project, VOSTOCHNY, "--by", "tester")
    assert twice.exit_code == 1
    assert "--by 'tester': the curator's record has 2 error(s) (annotations/curators.csv" \
        in twice.output
    project.edit(CURATORS, "tester,Tester Twin,\n", "")
    project.edit("geoevents.yaml", "distinct_checker: false", "distinct_checker: on")
    policy = sign(project, VOSTOCHNY, "--by", "tester")
    assert policy.exit_code == 1
    assert "geoevents.yaml has 2 error(s), so its review policy cannot be read (line" \
        in policy.output and "type: not true or false" in policy.output


def test_a_curator_id_yaml_would_read_as_no_text_is_quoted(project):
    uncheck(project)
    project.append(CURATORS, "123,Numbered Curator,\n")
    assert sign(project, VOSTOCHNY, "--by", "123", "--on", "2024-01-02").exit_code == 0
    text = project.path(YAML).read_text(encoding="utf-8")
    assert '  checked_by: "123"\n' in text
    assert unchecked(project) == {(FLAT, 2)}
