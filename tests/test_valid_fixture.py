"""The fixture every rule test breaks is itself valid, and its tables read as expected."""

import datetime as dt

import geoevents


def test_fixture_is_valid(project):
    assert project.problems() == []


def test_read_annotations_normalizes_both_formats(project):
    tables = geoevents.read_annotations(project.root)
    events = tables["events"].sort("event_id")
    assert events.get_column("event_id").to_list() == [
        "2023-09-13-kim-putin-vostochny",
        "2023-09-us-warns-north-korea",
    ]
    yaml_event, csv_event = events.to_dicts()
    assert yaml_event["_file"] == "annotations/events.yaml" and yaml_event["_line"] == 2
    assert csv_event["_file"] == "annotations/events-flat.csv" and csv_event["_line"] == 2
    assert yaml_event["contexts"] == csv_event["contexts"] == ["diplomatic", "military"]
    assert yaml_event["date_start"] == yaml_event["date_end"] == dt.date(2023, 9, 13)
    assert yaml_event["date_precision"] == "day"
    assert csv_event["date_start"] == dt.date(2023, 9, 1)
    assert csv_event["date_end"] == dt.date(2023, 9, 30)
    assert csv_event["date_precision"] == "month" and csv_event["date_approximate"] is True
    assert yaml_event["checked_on"] == dt.date(2023, 10, 1)
    # nested YAML participants and flat CSV ones land in the same table
    pairs = set(tables["event_actors"].select("event_id", "role").iter_rows())
    assert ("2023-09-13-kim-putin-vostochny", "recipient") in pairs
    assert ("2023-09-us-warns-north-korea", "recipient") in pairs
    nested = tables["citations"].filter(tables["citations"]["_file"] == "annotations/events.yaml")
    assert nested.get_column("_line").to_list() == [17]
    assert tables["locations"].get_column("lat").dtype.is_float()
    assert tables["actors"].get_column("name_zh").to_list()[0] == "金正恩"
