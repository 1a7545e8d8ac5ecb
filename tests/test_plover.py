"""The codebook follows the current PLOVER manual (DRAFT 2.0, commit 5e0c24f).

The modes below are the mode tables of PLOVER_MANUAL.tex at
https://github.com/openeventdata/PLOVER/blob/5e0c24f/PLOVER_MANUAL.tex (rows
commented out in the LaTeX, such as ASSAULT's execute or RETREAT's return, are not
modes of the draft). The quad numbers are the manual's "Quad categories in PLOVER"
table, with SANCTION where its section puts it (see plover.yaml)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geoevents.codebook import CodebookError, load_codebook

REPO = Path(__file__).resolve().parents[1]

MANUAL_MODES = {
    "AGREE": [], "CONSULT": ["visit", "third-party", "multilateral", "phone"],
    "SUPPORT": [], "CONCEDE": [], "COOPERATE": [], "AID": [],
    "RETREAT": ["withdraw", "release", "disarm", "ceasefire", "access", "resign"],
    "REQUEST": ["assist", "change", "yield", "meet"],
    "ACCUSE": ["disapprove", "investigate", "allege"],
    "REJECT": ["assist", "change", "yield", "meet"],
    "THREATEN": ["restrict", "arrest", "relations", "expel", "territory", "violence"],
    "PROTEST": ["demo", "riot", "strike", "hunger", "boycott", "obstruct", "vandalize"],
    "SANCTION": ["convict", "expel", "withdraw", "discontinue"],
    "MOBILIZE": ["troops", "weapons", "police", "militia"],
    "COERCE": ["seize", "restrict", "censor", "curfew", "martial-law", "arrest", "deport",
               "withhold", "misinformation", "cyber"],
    "ASSAULT": ["abduct", "beat", "torture", "sexual", "targeted", "destroy", "primitive",
                "firearms", "explosives", "suicide-attack", "aerial", "drone", "heavy-weapons",
                "crowd-control", "unconventional"],
}


def test_the_codebook_has_the_manual_s_sixteen_types_and_their_modes_in_its_order():
    codebook = load_codebook(REPO / "schemas")
    assert {c: list(t.modes) for c, t in codebook.event_types.items()} == MANUAL_MODES
    assert codebook.plover_version == "PLOVER DRAFT 2.0"
    assert codebook.plover_commit == "5e0c24f"
    assert codebook.plover_manual.endswith("/5e0c24f/PLOVER_MANUAL.tex")


def test_the_release_names_the_edition_of_plover_it_follows(tmp_path):
    from geoevents.release import metadata
    codebook = load_codebook(REPO / "schemas")
    assert metadata.plover(codebook) == {
        "name": "PLOVER", "version": "PLOVER DRAFT 2.0", "commit": "5e0c24f",
        "path": "https://github.com/openeventdata/PLOVER/blob/5e0c24f/PLOVER_MANUAL.tex"}


@pytest.mark.parametrize("old, new, message", [
    ('version: "PLOVER DRAFT 2.0"', 'version: "   "', "version '   ' is not one line"),
    ('version: "PLOVER DRAFT 2.0"', 'version: "PLOVER\\n\\n# Owned"', "is not one line"),
    ('version: "PLOVER DRAFT 2.0"', "version: [a]", "version must be text"),
    ('commit: "5e0c24f"', 'commit: "abc\\n## x"', "is not the manual's git commit"),
    ('commit: "5e0c24f"', 'commit: "[x](http://e)"', "is not the manual's git commit"),
    ("manual: https://github.com/openeventdata/PLOVER/blob/5e0c24f/PLOVER_MANUAL.tex",
     "manual: javascript:alert(1)", "is not the manual's address"),
    ("manual: https://github.com/openeventdata/PLOVER/blob/5e0c24f/PLOVER_MANUAL.tex",
     'manual: "https://e/<script>"', "is not the manual's address"),
    ('version: "PLOVER DRAFT 2.0"\n', "",
     "commit and manual describe an edition: version names it"),
])
def test_what_plover_yaml_says_of_its_edition_is_checked(tmp_path, old, new, message):
    schemas = tmp_path / "schemas"
    shutil.copytree(REPO / "schemas", schemas)
    plover = schemas / "plover.yaml"
    text = plover.read_text(encoding="utf-8")
    assert old in text
    plover.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CodebookError) as info:
        load_codebook(schemas)
    assert message in info.value.message
    assert Path(info.value.file).name == "plover.yaml" and info.value.line is not None
