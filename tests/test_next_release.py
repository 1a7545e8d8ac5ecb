"""What the next release would be: build --dry-run, status, diff LATEST ., changelog."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.test_release import CHANGELOG, add_changelog, new_event

from geoevents.cli import main


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes (folders too, as None)."""
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(root.rglob("*"))}


@pytest.fixture
def released(project):
    project.write("CHANGELOG.md", CHANGELOG)
    assert invoke("build", "1.0.0", "--root", project.root).exit_code == 0
    return project


def test_dry_run_lists_every_refusal_at_once_and_writes_nothing(released):
    new_event(released)  # one event added: the change needs 1.1.0
    released.edit("annotations/events-flat.csv", "talked.,tester,tester,2023-10-01,",
                  "talked.,tester,,,")
    before = tree(released.root)
    result = invoke("build", "1.0.1", "--dry-run", "--root", released.root)
    assert result.exit_code == 1, result.output
    assert tree(released.root) == before  # not even a lock file
    lines = result.output.splitlines()
    assert lines[0] == "dry run of 1.0.1: nothing is written"
    assert lines[1] == "change: 1 event added, 1 citation added, 1 event_actor added since 1.0.0: at least 1.1.0 (minor)"
    assert "  events: added 2023-09-13-kim-putin-talks" in lines
    refused = lines[lines.index("refused: 1.0.1 cannot be released, for 3 reasons:"):]
    assert [line for line in refused if line.startswith("  - ")] == [
        ("  - CHANGELOG.md has no section for 1.0.1: add '## [1.0.1] - YYYY-MM-DD' with what "
         "changed (its date is the release date)"),
        ("  - the annotations have 0 error(s) and 1 unchecked event(s): a release publishes "
         "only valid, checked data"),
        ("  - 1.0.1 is a patch release but the change from 1.0.0 needs a minor one: 1 event "
         "added, 1 citation added, 1 event_actor added"),
    ]
    assert "    hint: build 1.1.0 or a higher version (with its CHANGELOG.md section)" in refused
    # the unchecked event is listed with its file and line, as validate lists it
    assert any(line.startswith("  line ") and "unchecked" in line for line in lines)


def test_the_real_build_reports_the_same_refusals_together(released):
    new_event(released)
    result = invoke("build", "1.0.1", "--root", released.root)
    assert result.exit_code == 1
    assert "error: 1.0.1 cannot be released, for 2 reasons:" in result.output
    assert "no section for 1.0.1" in result.output and "needs a minor one" in result.output
    assert not released.path("dataset/1.0.1").exists()


def test_dry_run_of_a_buildable_version_says_so(released):
    new_event(released)
    add_changelog(released, "1.1.0")
    result = invoke("build", "1.1.0", "--dry-run", "--root", released.root)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "1.1.0 would be built"
    assert not released.path("dataset/1.1.0").exists()


def test_dry_run_of_a_published_version_is_a_usage_error(released):
    result = invoke("build", "1.0.0", "--dry-run", "--root", released.root)
    assert result.exit_code == 2
    assert "refused: dataset/1.0.0 is already published and is never overwritten" in result.output


def test_dry_run_with_errors_has_no_change_list(released):
    released.edit("annotations/events-flat.csv", ",occurred,", ",ocurred,")
    result = invoke("build", "1.0.1", "--dry-run", "--root", released.root)
    assert result.exit_code == 1
    assert "change list: none while the annotations have errors" in result.output
    assert "vocabulary" in result.output


def test_status_and_diff_latest_working(released):
    new_event(released)
    result = invoke("status", "--root", released.root)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:3] == [
        "latest release: 1.0.0",
        "annotations: valid: no problems found",
        ("change: 1 event added, 1 citation added, 1 event_actor added since 1.0.0: "
         "at least 1.1.0 (minor)"),
    ]
    diff = invoke("diff", "LATEST", ".", "--root", released.root)
    assert diff.exit_code == 0, diff.output
    assert diff.output.splitlines()[:2] == [
        "previous: 1.0.0  version: working annotations", "required bump: minor"]
    assert "events: added 2023-09-13-kim-putin-talks" in diff.output.splitlines()
    back = invoke("diff", ".", "1.0.0", "--root", released.root)
    assert "events: removed 2023-09-13-kim-putin-talks" in back.output.splitlines()


def test_status_before_any_release_and_with_errors(project):
    result = invoke("status", "--root", project.root)
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "latest release: none"
    assert result.output.splitlines()[2].startswith("change: first release (")
    project.edit("annotations/events-flat.csv", ",occurred,", ",ocurred,")
    bad = invoke("status", "--root", project.root)
    assert bad.exit_code == 1
    assert bad.output.splitlines()[2] == (
        "change: unknown until the errors are fixed (geoevents validate lists them)")
    diff = invoke("diff", "LATEST", ".", "--root", project.root)
    assert diff.exit_code == 2 and "there is no release" in diff.output


def test_changelog_drafts_the_least_version_and_writes_it_in_place(released):
    new_event(released)
    result = invoke("changelog", "--root", released.root, "--date", "2023-10-05")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "## [1.1.0] - 2023-10-05\n\n### Added\n\n"
        "- 1 event: `2023-09-13-kim-putin-talks`.\n"
        "- 1 citation: `2023-09-13-kim-putin-talks | sample-zh | 金正恩在东方航天发射场与普京会晤`.\n"
        "- 1 event_actor: `2023-09-13-kim-putin-talks | kim-jong-un | actor`.\n")
    before = released.path("CHANGELOG.md").read_text()
    wrote = invoke("changelog", "--root", released.root, "--date", "2023-10-05", "--write")
    assert wrote.exit_code == 0, wrote.output
    after = released.path("CHANGELOG.md").read_text()
    head = "# Changelog\n\n"
    assert after == head + result.output + "\n" + before[len(head):]
    again = invoke("changelog", "--root", released.root, "--write")
    assert again.exit_code == 2 and "already has a section for 1.1.0" in again.output
    assert invoke("build", "1.1.0", "--root", released.root).exit_code == 0


def test_changelog_under_unreleased_and_understated_versions(released):
    released.write("CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n\n" + CHANGELOG[13:])
    new_event(released)
    understated = invoke("changelog", "1.0.1", "--root", released.root)
    assert understated.exit_code == 2
    assert "needs a minor one: 1 event added" in understated.output
    assert invoke("changelog", "1.1.0", "--root", released.root, "--date", "2023-10-05",
                  "--write").exit_code == 0
    text = released.path("CHANGELOG.md").read_text()
    assert text.startswith("# Changelog\n\n## [Unreleased]\n\n## [1.1.0] - 2023-10-05\n")
    assert text.endswith(CHANGELOG[13:])
    bad = invoke("changelog", "--root", released.root, "--date", "2023-02-30")
    assert bad.exit_code == 2 and "not a date" in bad.output
