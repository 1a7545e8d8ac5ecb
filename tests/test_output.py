"""How problems are printed: a shared hint once per rule and file with its number, a
per-rule cap in text that never hides a hint of its own (JSON lists every problem
with its hint), --errors-only and --strict."""

from __future__ import annotations

import json

from click.testing import CliRunner

from geoevents import problems as P
from geoevents.cli import main

FLAT = "annotations/events-flat.csv"
EVENTS = "annotations/events.yaml"
LOCATIONS = "annotations/locations.csv"


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def problem(rule, file, line, hint, field="country"):
    return {"rule": rule, "file": file, "line": line, "field": field,
            "message": f"{rule} at {line}", "hint": hint}


def test_a_hint_shared_by_a_rule_is_printed_once_per_file_with_its_number():
    table = P.make([
        problem("country-code", "a.csv", 2, "use GBR"),
        problem("country-code", "a.csv", 3, "use GBR"),
        problem("country-code", "a.csv", 4, "use PRK"),
        problem("country-code", "a.csv", 5, "use GBR"),  # after another hint: refers back
        problem("country-code", "a.csv", 6, "use GBR"),  # right under that reference
        problem("country-code", "b.csv", 7, "use GBR"),  # another file: the hint again
        problem("country-code", "b.csv", 8, "use GBR"),
        problem("vocabulary", "b.csv", 9, "use GBR"),  # another rule: its own hint line
    ])
    assert P.to_text(table).splitlines() == [
        "a.csv",
        "  line 2 [country] error country-code: country-code at 2",
        "      hint (country-code, 4 problems in this file): use GBR",
        "  line 3 [country] error country-code: country-code at 3",
        "  line 4 [country] error country-code: country-code at 4",
        "      hint: use PRK",
        "  line 5 [country] error country-code: country-code at 5",
        "      hint: as for line 2",
        "  line 6 [country] error country-code: country-code at 6",
        "b.csv",
        "  line 7 [country] error country-code: country-code at 7",
        "      hint (country-code, 2 problems in this file): use GBR",
        "  line 8 [country] error country-code: country-code at 8",
        "  line 9 [country] error vocabulary: vocabulary at 9",
        "      hint: use GBR",
        "8 error(s), 0 warning(s) in 2 file(s)",
    ]
    # machines read every problem on its own: each keeps its hint
    doc = json.loads(P.to_json(table))
    assert [p["hint"] for p in doc["problems"]] == ["use GBR"] * 2 + ["use PRK"] + ["use GBR"] * 5


def test_a_problem_without_a_hint_does_not_take_the_shared_one_of_the_next():
    table = P.make([problem("type", "a.csv", 2, "write a number"),
                    problem("type", "a.csv", 3, None),
                    problem("type", "a.csv", 4, "write a number")])
    assert P.to_text(table).splitlines()[1:-1] == [
        "  line 2 [country] error type: type at 2",
        "      hint (type, 2 problems in this file): write a number",
        "  line 3 [country] error type: type at 3",
        "  line 4 [country] error type: type at 4",
        "      hint: as for line 2",
    ]


def test_text_lists_the_first_problems_of_a_rule_per_file_and_counts_the_rest():
    table = P.make([problem("unchecked", "a.csv", i, "check it", field=None) for i in range(2, 27)]
                   + [problem("type", "a.csv", 30, None, field=None),
                      problem("unchecked", "b.csv", 1, "check it", field=None)])
    lines = P.to_text(table, limit=20).splitlines()
    assert lines[:3] == ["a.csv", "  line 2 warning unchecked: unchecked at 2",
                         "      hint (unchecked, 25 problems in this file): check it"]
    assert lines[21:] == [
        "  line 21 warning unchecked: unchecked at 21",
        "  line 30 error type: type at 30",
        ("  ... and 5 more unchecked problems in this file (geoevents validate --format json "
         "lists all)"),
        "b.csv",
        "  line 1 warning unchecked: unchecked at 1",
        "      hint: check it",
        "1 error(s), 26 warning(s) in 2 file(s)",
    ]
    assert len(json.loads(P.to_json(table))["problems"]) == 27


def test_the_cap_never_hides_a_problem_with_a_hint_of_its_own():
    rows = [problem("vocabulary", "a.csv", i, "did you mean 'state'?" if i == 17 else
                    "did you mean 'person'?") for i in range(2, 32)]
    rows += [problem("vocabulary", "a.csv", 35, "did you mean 'state'?"),  # printed at 17
             problem("vocabulary", "a.csv", 36, "did you mean 'party'?")]  # printed nowhere
    lines = P.to_text(P.make(rows), limit=20).splitlines()
    assert lines[-6:] == [
        "  line 20 [country] error vocabulary: vocabulary at 20",
        "  line 21 [country] error vocabulary: vocabulary at 21",
        "  line 36 [country] error vocabulary: vocabulary at 36",
        "      hint: did you mean 'party'?",
        ("  ... and 11 more vocabulary problems in this file (geoevents validate --format json "
         "lists all)"),
        "32 error(s), 0 warning(s) in 1 file(s)",
    ]
    assert sum(line.startswith("  line ") for line in lines) == 21
    assert lines[17:21] == [
        "  line 17 [country] error vocabulary: vocabulary at 17",
        "      hint (vocabulary, 2 problems in this file): did you mean 'state'?",
        "  line 18 [country] error vocabulary: vocabulary at 18",
        "      hint: as for line 2",
    ]


def unchecked_and_one_error(project):
    project.edit(FLAT, "tester,tester,2023-10-01", "tester,,")
    project.edit(EVENTS, '  checked_by: tester\n  checked_on: "2023-10-01"\n', "")
    project.edit(LOCATIONS, "RUS,RU-AMU", "RU,RU-AMU")


def test_errors_only_hides_warnings_and_counts_them(project):
    unchecked_and_one_error(project)
    full = invoke("validate", "--root", str(project.root))
    assert full.exit_code == 1
    assert full.output.splitlines()[-1] == "1 error(s), 2 warning(s) in 3 file(s)"
    result = invoke("validate", "--root", str(project.root), "--errors-only")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        LOCATIONS,
        "  line 2 [country] error country-code: 'RU' is not an ISO 3166-1 alpha-3 code",
        "      hint: use RUS (Russian Federation)",
        "1 error(s) in 1 file(s); 2 warning(s) not shown (--errors-only)",
    ]
    doc = json.loads(invoke("validate", "--root", str(project.root), "--errors-only",
                            "--format", "json").output)
    assert (doc["valid"], doc["errors"], doc["warnings"], doc["errors_only"]) == (
        False, 1, 2, True)
    assert [(p["rule"], p["file"], p["line"]) for p in doc["problems"]] == [
        ("country-code", LOCATIONS, 2)]


def test_errors_only_never_changes_the_exit_status(project):
    project.edit(FLAT, "tester,tester,2023-10-01", "tester,,")  # one warning
    root = str(project.root)
    result = invoke("validate", "--root", root, "--errors-only")
    assert result.exit_code == 0
    assert result.output == "no errors; 1 warning(s) not shown (--errors-only)\n"
    # --strict fails on warnings, shown or not; the summary says they are there and
    # that they fail it
    strict = invoke("validate", "--root", root, "--errors-only", "--strict")
    assert strict.exit_code == 1
    assert strict.output == ("no errors; 1 warning(s) not shown (--errors-only); fails under "
                             "--strict: 1 warning(s)\n")
    assert json.loads(invoke("validate", "--root", root, "--errors-only", "--format",
                             "json").output)["problems"] == []


def test_strict_outputs_say_what_the_exit_status_says(project):
    project.edit(FLAT, "tester,tester,2023-10-01", "tester,,")  # one warning
    root = str(project.root)
    text = invoke("validate", "--root", root, "--strict")
    assert text.exit_code == 1
    assert text.output.splitlines()[-1] == ("0 error(s), 1 warning(s) in 1 file(s); fails under "
                                            "--strict: 1 warning(s)")
    plain = json.loads(invoke("validate", "--root", root, "--format", "json").output)
    assert (plain["valid"], plain["warnings"], "strict" in plain) == (True, 1, False)
    strict = invoke("validate", "--root", root, "--format", "json", "--strict")
    assert strict.exit_code == 1
    doc = json.loads(strict.output)
    assert (doc["valid"], doc["strict"], doc["errors"], doc["warnings"]) == (False, True, 0, 1)
