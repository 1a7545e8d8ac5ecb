"""Agreement studies: Krippendorff's alpha per field, the disagreements, and the
studies a build refuses."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from geoevents import agreement as A

REPO = Path(__file__).resolve().parents[1]

STUDY_HEAD = """\
study: "A test study"
method: "coded blind"
compare: []
items:
"""


def write(root, text):
    (root / "studies").mkdir(exist_ok=True)
    (root / "studies" / "s.yaml").write_text(text, encoding="utf-8")


def item(event_id, event_type="AGREE", modes="[]", actors="[a]", recipients="[]",
         date='"2020"', status="occurred"):
    return (f"  - {{event_id: {event_id}, event_type: {event_type}, modes: {modes}, "
            f"actors: {actors}, recipients: {recipients}, date: {date}, status: {status}}}\n")


def events(rows):
    return pl.DataFrame(rows, schema={"event_id": pl.String, "event_type": pl.String,
                                      "modes": pl.List(pl.String), "date": pl.String,
                                      "status": pl.String, "actor_ids": pl.List(pl.String),
                                      "recipient_ids": pl.List(pl.String)}, orient="row")


def row(event_id, event_type="AGREE", modes=(), actors=("a",), recipients=(), date="2020",
        status="occurred"):
    return (event_id, event_type, list(modes), date, status, list(actors), list(recipients))


def test_alpha_is_krippendorff_s_for_two_coders_worked_by_hand(tmp_path):
    # types a a b b against a a b a: o(ab) = o(ba) = 1 of n = 8 pairable values,
    # n_a = 5, n_b = 3: alpha = 1 - (2/8) / (2*5*3/(8*7)) = 1 - 0.25/0.5357 = 0.5333
    write(tmp_path, STUDY_HEAD + item("e1") + item("e2") + item("e3", "REJECT")
          + item("e4", "REJECT"))
    [study] = A.read_studies(tmp_path)
    coded = A.coding(events([row("e1"), row("e2"), row("e3", "REJECT"), row("e4")]))
    out = A.compare(study, coded, {}, "9.9.9")
    assert out["units"] == 4 and out["not_found"] == []
    t = out["fields"]["event_type"]
    assert t["alpha"] == 0.5333
    assert t["agreement"] == 0.75
    assert t["disagreements"] == [{"event_id": "e4", "blind": "REJECT", "release": "AGREE"}]
    # every status the same: no disagreement to expect, alpha undefined
    assert out["fields"]["status"] == {"level": "nominal", "alpha": None, "agreement": 1.0,
                                       "disagreements": []}


def test_sets_are_nominal_when_equal_and_masi_gives_overlaps_partial_credit(tmp_path):
    write(tmp_path, STUDY_HEAD + item("e1", actors="[a, b]") + item("e2", actors="[c]")
          + item("e3", actors="[d]"))
    [study] = A.read_studies(tmp_path)
    coded = A.coding(events([row("e1", actors=("a",)), row("e2", actors=("c",)),
                             row("e3", actors=("d",))]))
    actors = A.compare(study, coded, {}, "9.9.9")["fields"]["actors"]
    assert actors["agreement"] == 0.6667
    assert actors["disagreements"] == [{"event_id": "e1", "blind": ["a", "b"],
                                        "release": ["a"]}]
    assert actors["alpha_masi"] > actors["alpha"]  # {a} is a subset of {a, b}
    assert A._masi(frozenset("ab"), frozenset("a")) == pytest.approx(1 - 0.5 * 2 / 3)
    assert A._masi(frozenset("ab"), frozenset("bc")) == pytest.approx(1 - (1 / 3) / 3)
    assert A._masi(frozenset("a"), frozenset("b")) == 1.0
    assert A._masi(frozenset(), frozenset()) == 0.0


def test_a_retired_event_is_compared_through_the_record_that_replaced_it(tmp_path):
    write(tmp_path, STUDY_HEAD + item("old") + item("gone"))
    [study] = A.read_studies(tmp_path)
    out = A.compare(study, A.coding(events([row("new")])), {"old": "new"}, "2.0.0")
    assert out["units"] == 1 and out["not_found"] == ["gone"]
    assert out["fields"]["event_type"]["disagreements"] == []


def test_a_release_coded_with_one_plover_1_3_mode_reads_as_a_list_renamed_for_draft_2_0():
    frame = pl.DataFrame({"event_id": ["e1", "e2"], "event_type": ["THREATEN", "AGREE"],
                          "mode": ["ban", None], "date": ["2020", "2021"],
                          "status": ["occurred", "occurred"],
                          "actor_ids": [["a"], ["b"]], "recipient_ids": [[], []]})
    coded = A.coding(frame)
    assert coded["e1"]["modes"] == ("restrict",) and coded["e2"]["modes"] == ()


@pytest.mark.parametrize("text, problems", [
    ("- a list\n", {(1, "a study is a mapping (study, method, compare, items)")}),
    ("study: x\nitems: []\n", {(2, "items must be a non-empty list of coded events")}),
    ("study: x\nwho: me\nitems: []\n",
     {(1, "unknown key(s) who"), (3, "items must be a non-empty list of coded events")}),
    (STUDY_HEAD + item("e1") + item("e1"), {(6, "item 2: e1 is sampled twice")}),
    (STUDY_HEAD + item("e1", date="2020-01-01"), {(5, "item 1 (e1): date must be text")}),
    (STUDY_HEAD + item("e1", modes="visit"), {(5, "item 1 (e1): modes must be a list of text")}),
    (STUDY_HEAD + item("e1", modes="[visit, visit]"),
     {(5, "item 1 (e1): modes names a value twice")}),
    (STUDY_HEAD + "  - {event_type: AGREE}\n",
     {(5, "item 1: event_id must be the text of an event ID")}),
    (STUDY_HEAD + "  - {event_id: 5}\n", {(5, "item 1: event_id must be the text of an event ID")}),
    (STUDY_HEAD + "  - {event_id: e1, coder: me}\n" + item("e2", status="[x]"),
     {(5, "item 1: unknown key(s) coder"), (5, "item 1 (e1): event_type must be text"),
      (5, "item 1 (e1): date must be text"), (5, "item 1 (e1): status must be text"),
      (6, "item 2 (e2): status must be text")}),
    ('study: x\ncompare: 1.1\nitems: [{event_id: e}]\n',
     {(2, "compare must be a list of release versions (quoted)"),
      (3, "item 1 (e): event_type must be text"), (3, "item 1 (e): date must be text"),
      (3, "item 1 (e): status must be text")}),
    (STUDY_HEAD.replace("compare: []", 'compare: ["1.0.0", "1.0.0"]') + item("e1"),
     {(3, "compare names a version twice")}),
    ("study: [a, b]\nmethod: {x: 1}\nsample: {n: .nan}\ncompare: []\nitems:\n" + item("e1"),
     {(1, "study must be text"), (2, "method must be text"),
      (3, "sample must be a mapping of names to text or whole numbers")}),
    ("a: &x [1]\nb: *x\n",
     {(1, "anchors and aliases (&name, *name) are not allowed in a study")}),
])
def test_a_study_that_cannot_be_read_is_refused_with_every_problem_and_its_line(
        tmp_path, text, problems):
    write(tmp_path, text)
    with pytest.raises(A.StudyError) as caught:
        A.read_studies(tmp_path)
    found = {(file, line, message) for file, line, message, _ in caught.value.problems}
    assert found == {("studies/s.yaml", line, message) for line, message in problems}
    assert all(hint for *_, hint in caught.value.problems)


def test_a_broken_yaml_study_is_one_problem_with_its_line(tmp_path):
    write(tmp_path, "study: x\nitems: [\n")
    with pytest.raises(A.StudyError) as caught:
        A.read_studies(tmp_path)
    [(file, line, message, _hint)] = caught.value.problems
    assert (file, line) == ("studies/s.yaml", 2) and "list opened with '['" in message


def test_only_yaml_files_are_studies_and_dot_files_are_left_alone(tmp_path):
    write(tmp_path, STUDY_HEAD + item("e1"))
    (tmp_path / "studies" / "t.yml").write_text("x", encoding="utf-8")
    (tmp_path / "studies" / ".#s.yaml").symlink_to("nowhere")
    (tmp_path / "studies" / "README.md").write_text("about the studies", encoding="utf-8")
    with pytest.raises(A.StudyError) as caught:
        A.read_studies(tmp_path)
    assert [(f, line, m) for f, line, m, _ in caught.value.problems] == [
        ("studies/t.yml", None, "is not a study: a study is a file <name>.yaml")]
    (tmp_path / "studies" / "t.yml").unlink()
    assert [s.file for s in A.read_studies(tmp_path)] == ["studies/s.yaml"]


def test_a_linked_study_or_studies_folder_is_refused(tmp_path):
    write(tmp_path, STUDY_HEAD + item("e1"))
    (tmp_path / "studies" / "t.yaml").symlink_to(tmp_path / "studies" / "s.yaml")
    with pytest.raises(A.StudyError) as caught:
        A.read_studies(tmp_path)
    assert [(f, m) for f, _, m, _ in caught.value.problems] == [
        ("studies/t.yaml", "is a symbolic link: a study is read from its own file")]
    other = tmp_path / "other"
    other.mkdir()
    (other / "studies").symlink_to(tmp_path / "studies")
    with pytest.raises(A.StudyError) as caught:
        A.read_studies(other)
    assert caught.value.problems[0][:3] == (
        "studies", None, "is a symbolic link or not a folder: it is not read")


def test_what_a_study_names_must_be_known_to_the_project(tmp_path):
    from geoevents.codebook import load_codebook

    write(tmp_path, STUDY_HEAD.replace("compare: []", 'compare: ["0.9.0"]')
          + item("e1", "CONSLUT", modes="[vizit]", actors="[a, zz]", date='"13 Sept"',
                 status="happened") + item("old") + item("nowhere"))
    studies = A.read_studies(tmp_path)
    codebook = load_codebook(REPO / "schemas")
    retired = pl.DataFrame({"retired_id": ["old"], "table": ["events"]})
    actors = pl.DataFrame({"actor_id": ["a"]})
    found = {(line, message) for _, line, message, _ in
             A.check(studies, codebook, events([row("e1")]), retired, actors, ["1.0.0"])}
    assert found == {
        (None, "compare names 0.9.0, which is not published here"),
        (5, "item 1 (e1): event_type 'CONSLUT' is not in the codebook"),
        (5, "item 1 (e1): modes 'vizit' is not in the codebook"),
        (5, "item 1 (e1): status 'happened' is not in the codebook"),
        (5, "item 1 (e1): actors names 'zz', which is not in the actors table"),
        (5, ("item 1 (e1): date '13 Sept' is not an EDTF date of levels 0-1 "
            "(or not a day of the calendar)")),
        (7, "item 3 (nowhere): no such event in the release or among the retired")}


def test_study_text_cannot_shape_the_release_readme():
    doc = {"statistic": "s", "package": "p", "studies": [{
        "file": "studies/s.yaml", "study": "S <script>x</script>", "items": 1,
        "method": "# Owned heading\n\n---\n| x | y |", "comparisons": []}]}
    lines = A.readme_lines(doc)
    assert "### Study S &lt;script&gt;x&lt;/script&gt; (1 event)" in lines
    assert "Method: # Owned heading --- | x | y |" in lines
    assert not any(line.startswith(("# ", "---", "| x")) for line in lines)


def test_a_study_outside_the_project_through_a_link_is_refused(tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text(STUDY_HEAD + item("e1"), encoding="utf-8")
    root = tmp_path / "project"
    (root / "studies").mkdir(parents=True)
    (root / "studies" / "s.yaml").symlink_to(outside)
    with pytest.raises(A.StudyError) as caught:
        A.read_studies(root)
    assert caught.value.message == "studies/s.yaml: is a symbolic link: a study is read from its own file"


def test_no_studies_folder_no_report(tmp_path):
    assert A.read_studies(tmp_path) == []
    assert A.report([], "1.0.0", events([]), pl.DataFrame(), None) is None
    assert A.readme_lines(None) == []


def test_the_build_refuses_a_study_it_cannot_read_and_reports_one_it_can(tmp_path):
    import shutil
    from pathlib import Path

    from geoevents import release

    root = tmp_path / "valid"
    shutil.copytree(Path(__file__).parent / "data" / "valid", root)
    event_id = pl.read_csv(root / "annotations" / "events-flat.csv")["event_id"][0]
    write(root, STUDY_HEAD.replace("compare: []", 'compare: ["9.9.9"]') + item(event_id))
    refused = release.plan(root)
    assert [r.kind for r in refused.refusals] == ["data"]  # validate finds them
    found = refused.result.problems
    assert sorted((p["rule"], p["file"], p["line"] or 0, p["message"])
                  for p in found.iter_rows(named=True)) == [
        ("study", "studies/s.yaml", 0, "compare names 9.9.9, which is not published here"),
        ("study", "studies/s.yaml", 5, "item 1 (" + event_id + "): actors names 'a', "
                                       "which is not in the actors table")]
    actor = pl.read_csv(root / "annotations" / "actors.csv")["actor_id"][0]
    write(root, STUDY_HEAD + item(event_id, "THREATEN", date='"2023-09~"', actors=f"[{actor}]"))
    fine = release.plan(root)
    assert fine.refusals == []
    [study] = fine.agreement["studies"]
    [against] = study["comparisons"]
    assert against["against"] == "the working annotations" and against["units"] == 1
    assert against["fields"]["actors"]["disagreements"][0]["blind"] == [actor]


def test_a_release_with_a_study_is_a_valid_data_package_listing_agreement_json(tmp_path):
    import json
    import shutil
    from pathlib import Path

    from frictionless import validate

    from geoevents import release

    root = tmp_path / "valid"
    shutil.copytree(Path(__file__).parent / "data" / "valid", root)
    event_id = pl.read_csv(root / "annotations" / "events-flat.csv")["event_id"][0]
    actor = pl.read_csv(root / "annotations" / "actors.csv")["actor_id"][0]
    write(root, STUDY_HEAD + item(event_id, "THREATEN", actors=f"[{actor}]"))
    changelog = root / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\n## [1.0.0] - 2026-11-30\n\n- first\n", encoding="utf-8")
    release.build(root, "1.0.0")
    folder = root / "dataset" / "1.0.0"
    package = json.loads((folder / "datapackage.json").read_text())
    assert package["profile"] == "data-package"
    [resource] = [r for r in package["resources"] if r["name"] == "agreement"]
    assert resource["type"] == "json" and resource["path"] == "agreement.json"
    assert "agreement.json" in (folder / "SHA256SUMS").read_text()
    report = validate(folder / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert "## Agreement" in (folder / "README.md").read_text()


def test_validate_and_status_report_a_broken_study(tmp_path):
    import shutil

    from click.testing import CliRunner

    from geoevents.cli import main

    root = tmp_path / "valid"
    shutil.copytree(REPO / "tests" / "data" / "valid", root)
    write(root, "study: x\nitems: [\n")
    status = CliRunner().invoke(main, ["status", "--root", str(root)])
    assert status.exit_code == 1
    assert "annotations: 1 error(s), 0 warning(s) in 1 file(s)" in status.output
    validate = CliRunner().invoke(main, ["validate", "--root", str(root)])
    assert validate.exit_code == 1
    assert validate.output.splitlines()[:2] == [
        "studies/s.yaml",
        "  line 2 error study: YAML syntax error: the list opened with '[' on line 2 is not "
        "closed with ']' (or lacks a ','); the parser noticed at line 3: did not find expected "
        "node content"]
