"""EDTF parsing: derived columns, and agreement with the edtf library."""

import calendar
import datetime as dt
import re

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geoevents.normalise import parse


def one(value):
    return parse(pl.Series([value], dtype=pl.String)).to_dicts()[0]


@pytest.mark.parametrize(
    "value, start, end, precision, approximate, uncertain",
    [
        ("2019-04-25", "2019-04-25", "2019-04-25", "day", False, False),
        ("2023-09", "2023-09-01", "2023-09-30", "month", False, False),
        ("2024-02", "2024-02-01", "2024-02-29", "month", False, False),
        ("2023", "2023-01-01", "2023-12-31", "year", False, False),
        ("2023-09-04/2023-09-05", "2023-09-04", "2023-09-05", "interval", False, False),
        ("2025-11~", "2025-11-01", "2025-11-30", "month", True, False),
        ("2023?", "2023-01-01", "2023-12-31", "year", False, True),
        ("2019-04-25%", "2019-04-25", "2019-04-25", "day", True, True),
        ("2023-21", "2023-03-01", "2023-05-31", "season", False, False),
        ("2023-24", "2023-12-01", "2024-02-29", "season", False, False),
        ("2019/..", "2019-01-01", None, "interval", False, False),
        ("/2019-05", None, "2019-05-31", "interval", False, False),
        ("2023-08~/2023-09", "2023-08-01", "2023-09-30", "interval", True, False),
    ],
)
def test_derived_columns(value, start, end, precision, approximate, uncertain):
    got = one(value)
    as_date = lambda s: dt.date.fromisoformat(s) if s else None
    assert got["_date_error"] is None
    assert (got["date_start"], got["date_end"]) == (as_date(start), as_date(end))
    assert got["date_precision"] == precision
    assert (got["date_approximate"], got["date_uncertain"]) == (approximate, uncertain)


@pytest.mark.parametrize(
    "value, error",
    [
        ("2019-4-25", "date-format"), ("25/04/2019", "date-format"), ("201X", "date-format"),
        ("..", "date-format"), ("2019/2020/2021", "date-format"), ("", "date-format"),
        ("2023-02-29", "date-invalid"), ("2023-13", "date-invalid"), ("2023-00", "date-invalid"),
        ("2023-21-01", "date-invalid"), ("2023-21~", "date-format"), ("2023-09-05/2023-09-04", "date-order"),
        # digits other than ASCII ones: fullwidth, Arabic-Indic, Devanagari
        ("２０２３-09-13", "date-format"), ("٢٠٢٣", "date-format"), ("2023-٠٩", "date-format"),
        ("../२०२३", "date-format"), ("2023-09-1３", "date-format"),
    ],
)
def test_errors(value, error):
    assert one(value)["_date_error"] == error


level01_part = st.one_of(
    st.builds(lambda y: f"{y:04d}", st.integers(1000, 2999)),
    st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(1000, 2999), st.integers(0, 25)),
    st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", st.integers(1000, 2999),
              st.integers(0, 13), st.integers(0, 32)),
).flatmap(lambda s: st.sampled_from([s, s + "~", s + "?", s + "%"]))


@settings(max_examples=300, deadline=None)
@given(st.one_of(level01_part, st.builds(lambda a, b: f"{a}/{b}", level01_part, level01_part)))
def test_agrees_with_the_edtf_library(value):
    """What the vectorized parser accepts, the reference implementation accepts, and vice versa."""
    import edtf
    from edtf.parser.edtf_exceptions import EDTFParseException

    try:
        ref = edtf.parse_edtf(value)
    except (EDTFParseException, ValueError):
        ref = None
    got = one(value)
    if re.search(r"^\d{4}-2[1-4][~?%]", value) or re.search(r"/\d{4}-2[1-4][~?%]", value):
        # a qualified season is level 2; the library accepts it inside intervals only
        assert got["_date_error"] == "date-format"
        return
    if any(len(p) == 7 and int(p[5:7]) > 24 for p in re.findall(r"\d{4}-\d{2}(?!-)", value)):
        # sub-year groupings 25-41 are EDTF level 2, which the validator refuses
        assert got["_date_error"] is not None, value
        return
    if any(not calendar.isleap(int(y)) for y in re.findall(r"(\d{4})-02-29", value)):
        # the library takes 29 February of every fourth year, 1000 and 2100 too;
        # in the Gregorian calendar a century is a leap year only when 400 divides it
        assert got["_date_error"] == "date-invalid", value
        return
    if ref is None:
        assert got["_date_error"] is not None, value
        return
    lower, upper = ref.lower_strict(), ref.upper_strict()
    if got["_date_error"] == "date-order":  # edtf accepts reversed intervals; we refuse them
        return
    assert got["_date_error"] is None, value
    assert got["date_start"] == dt.date(lower.tm_year, lower.tm_mon, lower.tm_mday), value
    if value.split("/")[-1][5:7] == "24":  # winter: we run it to the end of February
        return
    assert got["date_end"] == dt.date(upper.tm_year, upper.tm_mon, upper.tm_mday), value


def test_open_unknown_and_far_dates_build(project):
    """Every open or unknown interval validate accepts builds, and so does 9999-12-31."""
    from click.testing import CliRunner

    from geoevents.cli import main

    project.edit("annotations/events.yaml", 'date: "2023-09-13"', 'date: "../2023-09-13"')
    project.edit("annotations/events-flat.csv", ",2023-09~,", ",/2023-09-13,")
    project.append("annotations/events-flat.csv",
                   "9999-kim-putin-summit,9999-12-31,planned,CONSULT,visit,diplomatic,,"
                   "Kim and Putin plan to meet again.,tester,tester,2023-10-01,\n")
    project.append("annotations/event_actors.csv", "9999-kim-putin-summit,kim-jong-un,actor\n")
    project.append("annotations/citations.csv",
                   "9999-kim-putin-summit,sample-zh,金正恩在东方航天发射场与普京会晤,Kim met Putin\n")
    project.write("CHANGELOG.md", "# Changelog\n\n## [1.0.0] - 2023-10-02\n\n- First release.\n")
    assert project.problems() == []
    result = CliRunner().invoke(main, ["build", "1.0.0", "--root", str(project.root)])
    assert result.exit_code == 0, result.output
    events = pl.read_parquet(project.path("dataset/1.0.0/events.parquet"))
    got = {r["date"]: (r["date_start"], r["date_end"]) for r in events.iter_rows(named=True)}
    assert got == {
        "../2023-09-13": (None, dt.date(2023, 9, 13)),
        "/2023-09-13": (None, dt.date(2023, 9, 13)),
        "9999-12-31": (dt.date(9999, 12, 31), dt.date(9999, 12, 31)),
    }
