"""The editor schemas (schemas/json/): the dialect they declare, and that they judge
a file as validate does, never more strictly where validate accepts a value.

check-jsonschema (an external validator, run as a subprocess) checks the project's
own YAML files and a set of broken ones; it must not reach the network, so every
run goes through a proxy that refuses connections (a download would fail the run).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

import polars as pl
import pytest
import regress
from jsonschema import Draft202012Validator

import geoevents
from geoevents import scaffold
from geoevents.check import eventtypes
from geoevents.codebook import Field, Table, load_codebook
from geoevents.codebook import jsonschema as js
from geoevents.normalise import FALSE, TRUE, cast, parse

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
CODEBOOK = load_codebook(REPO / "schemas")
SCHEMAS = REPO / "schemas" / "json"


def check_jsonschema(schema: Path, *files: Path) -> dict[str, set[tuple[str, str]]]:
    """{file name: {(path, reason)}} of check-jsonschema's errors for ``files``."""
    refused = "http://127.0.0.1:9"  # the discard port: nothing listens, nothing is sent
    env = dict(os.environ, HTTP_PROXY=refused, HTTPS_PROXY=refused, NO_PROXY="",
               http_proxy=refused, https_proxy=refused, no_proxy="")
    run = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--output-format", "json", "--no-cache",
         "--schemafile", str(schema), *map(str, files)],
        check=False, capture_output=True, text=True, env=env, timeout=120)
    report = json.loads(run.stdout)
    assert report.get("parse_errors", []) == [], report["parse_errors"]
    assert run.returncode == (1 if report["errors"] else 0), run.stderr
    found: dict[str, set] = {Path(f).name: set() for f in files}
    for error in report["errors"]:
        deepest = error.get("best_deep_match", error)
        found[Path(error["filename"]).name].add((deepest["path"], reason(deepest["message"])))
    return found


def reason(message: str) -> str:
    """The keyword that failed, from check-jsonschema's message."""
    for words, keyword in (("does not match", "pattern"), ("is not one of", "enum"),
                           ("does not contain items", "contains"), ("is not of type", "type"),
                           ("is a required property", "required")):
        if words in message:
            return keyword
    return message


# --- the dialect ---------------------------------------------------------------


def keywords_of_the_dialect() -> set[str]:
    """Every keyword of the vocabularies of draft 2020-12, read from its meta-schemas."""
    import jsonschema_specifications

    registry = jsonschema_specifications.REGISTRY
    meta = registry.contents(js.DIALECT)
    return {k for part in meta["allOf"]
            for k in registry.contents(urljoin(js.DIALECT, part["$ref"]))["properties"]}


def used_keywords(schema: dict) -> set[str]:
    """The keywords of a schema and of all its subschemas."""
    found = set(schema)
    for key, value in schema.items():
        if key in ("properties", "patternProperties", "$defs", "dependentSchemas"):
            subschemas = list(value.values())
        elif key in ("allOf", "anyOf", "oneOf", "prefixItems"):
            subschemas = value
        elif isinstance(value, dict) and key not in ("const", "enum", "default"):
            subschemas = [value]
        else:
            subschemas = []
        for sub in subschemas:
            found |= used_keywords(sub)
    return found


@pytest.mark.parametrize("table", sorted(CODEBOOK.tables))
def test_each_schema_is_draft_2020_12_and_uses_only_its_keywords(table):
    schema = js.schema(CODEBOOK, table)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert used_keywords(schema) <= keywords_of_the_dialect()


def test_check_jsonschema_accepts_every_schema_under_its_meta_schema():
    run = subprocess.run([sys.executable, "-m", "check_jsonschema", "--check-metaschema",
                          *map(str, sorted(SCHEMAS.glob("*.schema.json")))],
                         check=False, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_schema_states_the_type_of_contains_and_required_for_ajv_s_strict_mode():
    recipient = js.schema(CODEBOOK, "events")["items"]["allOf"][-1]["then"]["properties"]
    assert recipient["actors"]["type"] == "array"
    assert recipient["actors"]["contains"]["type"] == "object"


# --- every YAML file says its schema --------------------------------------------


def yaml_files(root: Path) -> dict[str, str]:
    """{path in the project: table} of the YAML files of a project."""
    out = {}
    for path in sorted(root.rglob("*.yaml")):
        rel = path.relative_to(root).as_posix()
        table = next((t.name for t in CODEBOOK.tables.values() if t.location == rel), None)
        if rel.startswith("annotations/"):
            table = CODEBOOK.table_for_file(path.stem)
        if table is not None:
            out[rel] = table
    return out


def test_every_yaml_file_of_this_project_starts_with_its_schema_line():
    files = yaml_files(REPO)
    assert {"geoevents.yaml", "seeds/sources.yaml", "annotations/errata.yaml"} <= set(files)
    for rel, table in files.items():
        first = (REPO / rel).read_text(encoding="utf-8").splitlines(keepends=True)[0]
        assert first == js.schema_line(rel, table), rel
        target = first.split("$schema=")[1].strip()
        assert (REPO / rel).parent.joinpath(target).resolve() == SCHEMAS / f"{table}.schema.json"


def test_init_writes_the_schema_line_into_every_yaml_file_sources_yaml_too(tmp_path):
    scaffold.init(tmp_path / "corpus")
    files = yaml_files(tmp_path / "corpus")
    assert files == {"geoevents.yaml": "project", "seeds/sources.yaml": "sources",
                     "annotations/events.yaml": "events"}
    for rel, table in files.items():
        text = (tmp_path / "corpus" / rel).read_text(encoding="utf-8")
        assert text.startswith(js.schema_line(rel, table)), rel
        target = text.splitlines()[0].split("$schema=")[1]
        assert (tmp_path / "corpus" / rel).parent.joinpath(target).is_file(), rel


# --- the project's own files pass --------------------------------------------------


def test_the_project_s_own_yaml_files_pass_check_jsonschema():
    by_table: dict[str, list[Path]] = {}
    for root in (REPO, DATA / "valid"):
        for rel, table in yaml_files(root).items():
            by_table.setdefault(table, []).append(root / rel)
    assert set(by_table) == {"events", "errata", "sources", "project", "retired"}
    for table, files in by_table.items():
        found = check_jsonschema(SCHEMAS / f"{table}.schema.json", *files)
        assert found == {f.name: set() for f in files}, table


# --- broken files fail, each for its reason ------------------------------------------

EVENT = """\
- event_id: 2023-09-13-kim-putin-vostochny
  date: "2023-09-13"
  status: occurred
  event_type: CONSULT
  modes: [visit]
  contexts: [diplomatic, military]
  location_id: vostochny-cosmodrome
  summary: Kim Jong Un met Vladimir Putin at the Vostochny Cosmodrome.
  annotated_by: tester
  checked_by: tester
  checked_on: "2023-10-01"
  actors:
    - {actor_id: kim-jong-un, role: actor}
    - {actor_id: vladimir-putin, role: recipient}
  citations:
    - source_id: sample-zh
      quote: 2023年9月13日，金正恩在东方航天发射场与普京会晤。
      quote_en: On 13 September 2023, Kim Jong Un met Putin at the Vostochny Cosmodrome.
"""
AID = EVENT.replace("CONSULT", "AID").replace("modes: [visit]", "modes: []")

#: file: (the text, the errors check-jsonschema must report) -- each what validate
#: reports too (mode-type, recipient-missing, date-invalid, date-format, type)
BROKEN = {
    "mode-of-another-type.yaml": (EVENT.replace("modes: [visit]", "modes: [arrest]"),
                                  {("$[0].modes[0]", "enum")}),
    "a-mode-twice.yaml": (EVENT.replace("modes: [visit]", "modes: [visit, visit]"),
                          {("$[0].modes", "['visit', 'visit'] has non-unique elements")}),
    "one-mode-of-another-type.yaml": (EVENT.replace("modes: [visit]", "modes: [visit, arrest]"),
                                      {("$[0].modes[1]", "enum")}),
    "mode-of-a-type-without.yaml": (EVENT.replace("CONSULT", "AGREE"),
                                    {("$[0].modes", "type")}),
    "no-recipient.yaml": (AID.replace("role: recipient", "role: actor"),
                          {("$[0].actors", "contains")}),
    "no-recipient-at-all.yaml": (AID.replace("    - {actor_id: vladimir-putin, role: recipient}\n",
                                             ""), {("$[0].actors", "contains")}),
    "february-30.yaml": (EVENT.replace('"2023-09-13"', '"2023-02-30"'),
                         {("$[0].date", "pattern")}),
    "month-13.yaml": (EVENT.replace('"2023-09-13"', '"2023-13-01"'), {("$[0].date", "pattern")}),
    "april-31.yaml": (EVENT.replace('"2023-09-13"', '"2023-04-31"'), {("$[0].date", "pattern")}),
    "february-29-1900.yaml": (EVENT.replace('"2023-09-13"', '"1900-02-29"'),
                              {("$[0].date", "pattern")}),
    "interval-ending-on-no-day.yaml": (EVENT.replace('"2023-09-13"', '"2023-09/2023-09-31"'),
                                       {("$[0].date", "pattern")}),
    "qualified-season.yaml": (EVENT.replace('"2023-09-13"', '"2023-21~"'),
                              {("$[0].date", "pattern")}),
    "unspecified-digits.yaml": (EVENT.replace('"2023-09-13"', '"202X"'),
                                {("$[0].date", "pattern")}),
    "both-ends-open.yaml": (EVENT.replace('"2023-09-13"', '"../.."'), {("$[0].date", "pattern")}),
    "checked-on-february-29.yaml": (EVENT.replace('"2023-10-01"', '"2023-02-29"'),
                                    {("$[0].checked_on", "pattern")}),
}

#: dates validate accepts though they look odd: none may fail in an editor
UNUSUAL = {
    "leap-day-2000.yaml": EVENT.replace('"2023-09-13"', '"2000-02-29"'),
    "leap-day-1904.yaml": EVENT.replace('"2023-09-13"', '"1904-02-29"'),
    "winter.yaml": EVENT.replace('"2023-09-13"', '"2022-24"'),
    "open-start.yaml": EVENT.replace('"2023-09-13"', '"../2023-09"'),
    "unknown-end.yaml": EVENT.replace('"2023-09-13"', '"2023-09-13/"'),
    "qualified-ends.yaml": EVENT.replace('"2023-09-13"', '"2023?/2024-02-29%"'),
    "seasons-interval.yaml": EVENT.replace('"2023-09-13"', '"2023-21/2023-22"'),
    "unquoted-year.yaml": EVENT.replace('"2023-09-13"', "2023"),
    "unquoted-day.yaml": EVENT.replace('"2023-09-13"', "2023-09-13").replace('"2023-10-01"',
                                                                             "2023-10-01"),
    "checked-on-with-blanks.yaml": EVENT.replace('"2023-10-01"', '" 2023-10-01 "'),
    "two-modes.yaml": EVENT.replace("modes: [visit]", "modes: [visit, phone]"),
    "modes-as-text.yaml": EVENT.replace("modes: [visit]", "modes: visit; phone"),
    "modes-as-text-with-empty-items.yaml": EVENT.replace("modes: [visit]", "modes: ; visit; ;phone;"),
    "no-modes.yaml": EVENT.replace("  modes: [visit]\n", ""),
    # the recipient may be written in event_actors.csv: the file does not show it
    "recipient-not-nested.yaml": AID[:AID.index("  actors:")] + AID[AID.index("  citations:"):],
}


def test_broken_files_fail_each_for_its_reason_and_unusual_ones_pass(tmp_path):
    for name, text in {**{n: t for n, (t, _) in BROKEN.items()}, **UNUSUAL}.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    found = check_jsonschema(SCHEMAS / "events.schema.json",
                             *(tmp_path / n for n in [*BROKEN, *UNUSUAL]))
    assert found == {**{n: errors for n, (_, errors) in BROKEN.items()},
                     **{n: set() for n in UNUSUAL}}


def test_the_broken_files_are_what_validate_refuses_and_the_unusual_ones_it_accepts(project):
    rel = "annotations/events.yaml"
    date, mode, recipient = ("date-invalid", 2, "date"), ("mode-type", 5, "modes"), (
        "recipient-missing", 4, "event_type")
    expected = {"mode-of-another-type.yaml": mode, "one-mode-of-another-type.yaml": mode,
                "a-mode-twice.yaml": ("list-duplicate", 5, "modes"),
                "mode-of-a-type-without.yaml": mode,
                "no-recipient.yaml": recipient, "no-recipient-at-all.yaml": recipient,
                "qualified-season.yaml": ("date-format", 2, "date"),
                "unspecified-digits.yaml": ("date-format", 2, "date"),
                "both-ends-open.yaml": ("date-format", 2, "date"),
                "checked-on-february-29.yaml": ("type", 11, "checked_on")}
    for name, (text, _) in BROKEN.items():
        project.write(rel, text)
        rule, line, field = expected.get(name, date)
        assert project.found() == {(rule, rel, line, field)}, name
    for name, text in UNUSUAL.items():
        if name != "recipient-not-nested.yaml":
            project.write(rel, text)
            assert project.found() == set(), name
    # that event's participants are in event_actors.csv, where validate finds them
    event_id = "2023-09-13-kim-putin-vostochny"
    project.append("annotations/event_actors.csv",
                   f"{event_id},kim-jong-un,actor\n{event_id},vladimir-putin,recipient\n")
    project.write(rel, UNUSUAL["recipient-not-nested.yaml"])
    assert project.found() == set()


def test_a_sources_file_fails_for_a_day_that_does_not_exist_and_passes_with_yes(tmp_path):
    good = (DATA / "valid" / "seeds" / "sources.yaml").read_text(encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(good.replace('"2023-09-14"', '"2023-09-31"'),
                                       encoding="utf-8")
    # YAML 1.2 reads yes as a string, validate as true; an unquoted day is text to both
    (tmp_path / "odd.yaml").write_text(good.replace('"2023-09-14"', "2023-09-14").replace(
        "machine_generated: false", "machine_generated: yes"), encoding="utf-8")
    assert check_jsonschema(SCHEMAS / "sources.schema.json", tmp_path / "bad.yaml",
                            tmp_path / "odd.yaml") == {
        "bad.yaml": {("$[0].published", "pattern")}, "odd.yaml": set()}


def test_the_boolean_words_are_the_ones_validate_reads():
    assert sorted(js.BOOLEAN_WORDS) == sorted(TRUE + FALSE)
    values = ["true", "True", "TRUE", " yes ", "Yes", "no", "NO", "false", "nope", "y", "n",
              "1", "0", "t", "f", "", "yes no", "truefalse"]
    table = Table("t", "t", "", (Field("flag", type="boolean"),), ("flag",))
    frame = pl.DataFrame({"flag": values}, schema={"flag": pl.String})
    typed, _ = cast(frame.with_columns(_file=pl.lit("t.csv"), _line=pl.int_range(pl.len())),
                    table)
    casts = {v for v, b in zip(values, typed["flag"].to_list(), strict=True) if b is not None}
    assert casts == {v for v in values if schema_accepts(v, js.JSON_TYPES["boolean"])}
    assert casts == {"true", "True", "TRUE", " yes ", "Yes", "no", "NO", "false"}


# --- the dates: the schema's patterns and validate's parser agree ------------------------

EDTF_SCHEMA = js.JSON_TYPES["edtf"]
QUALIFIERS = ("", "?", "~", "%")


def schema_accepts(value: str, schema: dict = EDTF_SCHEMA) -> bool:
    """As Python's re (jsonschema) and as ECMA-262 (regress, editors) read the pattern;
    the two must agree."""
    python = Draft202012Validator(schema).is_valid(value)
    ecma = regress.Regex(schema["pattern"]).find(value) is not None
    assert python == ecma, value
    return python


def validate_accepts(values: list[str]) -> dict[str, str | None]:
    """{value: the date rule validate reports for it, or None}."""
    parsed = parse(pl.Series(values, dtype=pl.String))
    return dict(zip(parsed["edtf"].to_list(), parsed["_date_error"].to_list(), strict=True))


def grid() -> list[str]:
    """Every month (00-25) and day (none, 00-32) of years that test the calendar, with
    each qualifier; February 29 of every year; intervals and odd shapes."""
    days = [f"{y}-{m:02d}" + (f"-{d:02d}" if d is not None else "")
            for y in ("0000", "1900", "2000", "2023", "2024", "9999")
            for m in range(26) for d in (None, *range(33))]
    out = [d + q for d in days for q in QUALIFIERS]
    out += [f"{y:04d}-02-29" for y in range(10000)]
    out += [f"{y}{q}" for y in ("0000", "2023", "9999") for q in QUALIFIERS]
    sides = ["2023", "2023-09", "2023-09-13~", "2024-02-29?", "2023-02-29", "2023-21", "2023-13",
             "2023-21%", "..", "", "201X"]
    out += [f"{a}/{b}" for a in sides for b in sides]
    out += ["2023/2024/2025", "2023-9", "2023-1-01", " 2023", "2023 ", "+2023", "-2023",
            "Y12345", "2023-09-13T10:00", "２０２３", "2023-09-13~?", "2023~-09", "23", "20230", "201X", "2023-XX",
            "20XX-09-1X"]
    return out


def project_dates() -> list[str]:
    """Every EDTF value written in the annotation projects of this repository."""
    out = []
    for root in (REPO, DATA / "valid", DATA / "corpus-fr"):
        tables = geoevents.read_annotations(root)
        for name, table in CODEBOOK.tables.items():
            for f in table.fields:
                if f.type == "edtf" and f.name in tables[name].columns:
                    out += tables[name][f.name].drop_nulls().to_list()
    return out


def test_every_date_of_the_projects_passes_both_validate_and_the_schema():
    dates = project_dates()
    # the corpus's own dates: days, months, years, intervals, qualified ones
    assert len(set(dates)) >= 30
    assert {"1953", "2019-06", "2019-02~", "2011-12/2019-04-24"} <= set(dates)
    verdicts = validate_accepts(dates)
    assert {d for d in dates if verdicts[d] is not None} == set()
    assert {d for d in dates if not schema_accepts(d)} == set()


def test_the_edtf_pattern_accepts_exactly_the_dates_validate_accepts():
    verdicts = validate_accepts(grid())
    accepted = {v for v, rule in verdicts.items() if rule is None}
    passes = {v for v in verdicts if schema_accepts(v)}
    assert accepted <= passes  # never stricter than validate
    looser = {v: verdicts[v] for v in passes - accepted}
    # what a pattern cannot see: an interval's order, and a winter of 9999 that ends
    # in the year 10000
    assert {rule for rule in looser.values()} == {"date-order", "date-invalid"}
    assert {v for v, rule in looser.items() if rule == "date-invalid"} == {
        v for v in looser if "9999-24" in v}
    refused = {v for v, rule in verdicts.items() if rule in ("date-format", "date-invalid")}
    assert {"2023-02-30", "2023-13-01", "2023-13", "2023-00", "1900-02-29", "2023-21~", "201X",
            "2023-04-31", "../..", "/"} <= refused - passes


def test_a_year_left_unquoted_is_accepted_as_the_number_yaml_makes_of_it():
    assert [schema_year for schema_year in (999, 1000, 2023, 9999, 10000)
            if Draft202012Validator(EDTF_SCHEMA).is_valid(schema_year)] == [1000, 2023, 9999]
    assert validate_accepts(["0999", "1000", "2023", "9999"]) == dict.fromkeys(
        ["0999", "1000", "2023", "9999"])  # 999 unquoted is "999" to validate: refused
    assert validate_accepts(["999"]) == {"999": "date-format"}


def test_the_day_pattern_of_date_fields_accepts_exactly_what_validate_casts():
    values = [v for v in grid() if "/" not in v and not v.endswith(QUALIFIERS[1:])]
    values += [" 2023-10-01 ", "\t2024-02-29", "2023-10-01\n"]
    table = Table("t", "t", "", (Field("day", type="date"),), ("day",))
    frame = pl.DataFrame({"day": values}, schema={"day": pl.String})
    typed, _ = cast(frame.with_columns(_file=pl.lit("t.csv"), _line=pl.int_range(pl.len())),
                    table)
    cast_ok = typed["day"].is_not_null().to_list()  # year 0 casts, but is no Python date
    casts = {v for v, ok in zip(values, cast_ok, strict=True) if ok}
    passes = {v for v in values if schema_accepts(v, js.JSON_TYPES["date"])}
    assert casts == passes
    assert {"2024-02-29", "2000-02-29", " 2023-10-01 "} <= passes
    assert not {"2023-02-29", "1900-02-29", "2023-04-31", "2023-13-01"} & passes


# --- modes and recipients: the clauses and the rules agree ----------------------------------


def test_the_mode_and_recipient_clauses_judge_every_type_as_the_rules_do():
    """Every event type with every mode (or none), with and without a recipient."""
    types = CODEBOOK.event_types
    singles = [[m] for m in sorted({m for t in types.values() for m in t.modes})]
    # none; each mode alone; and two modes at a time, of one type or of two
    modes = [[], *singles, *([a, b] for t in types.values() for a, b in zip(t.modes, list(t.modes)[1:])),
             ["visit", "allege"]]
    target = CODEBOOK.role_values("event_actors", "role", "target")[0]
    source = CODEBOOK.role_values("event_actors", "role", "source")[0]
    clauses = {"allOf": js.event_type_clauses(CODEBOOK.tables["events"], CODEBOOK)}
    events, actors, schema_says = [], [], {}
    for code in types:
        for mode in modes:
            for recipient in (True, False):
                event_id = f"{code}-{'+'.join(mode)}-{recipient}"
                roles = [source, target] if recipient else [source]
                events.append({"event_id": event_id, "event_type": code, "modes": mode})
                actors += [{"event_id": event_id, "actor_id": f"a{i}", "role": role}
                           for i, role in enumerate(roles)]
                record = {"event_type": code, "modes": mode,
                          "actors": [{"actor_id": "a", "role": r} for r in roles]}
                errors = Draft202012Validator(clauses).iter_errors(record)
                schema_says[event_id] = {e.absolute_path[0] for e in errors}
    frame = pl.DataFrame(events).with_columns(_file=pl.lit("events.yaml"),
                                              _line=pl.int_range(pl.len()))
    found = eventtypes.check(frame, pl.DataFrame(actors), CODEBOOK)
    by_event = dict(zip(frame["_line"].to_list(), frame["event_id"].to_list(), strict=True))
    rules_say = {e: set() for e in schema_says}
    for line, rule in zip(found["line"].to_list(), found["rule"].to_list(), strict=True):
        rules_say[by_event[line]].add({"mode-type": "modes",
                                       "recipient-missing": "actors"}.get(rule, rule))
    assert schema_says == rules_say
    assert any(schema_says.values())  # there are types with modes and types that need a recipient
