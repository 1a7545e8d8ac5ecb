"""geoevents source add: the record appended byte for byte, the language guessed,
every refusal, and what validate says before and after the placeholders are filled."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import geoevents
from geoevents import scaffold, sources
from geoevents.cli import main
from geoevents.codebook import load_codebook, schemas_dir

REPO = Path(__file__).parent.parent
SOURCES = "seeds/sources.yaml"
FRENCH = ("Les crues de l'Aude ont fait quinze morts en une nuit.\n\n"
          "Les pompiers ont évacué plusieurs centaines d'habitants des villages inondés.\n")
SHA = hashlib.sha256(FRENCH.encode()).hexdigest()


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def record(source_id="crue", file="crue.txt", sha=SHA, language="fr",
           title="Les crues de l'Aude ont fait quinze morts en une nuit.", indent="") -> str:
    """The record source add writes for FRENCH, as text."""
    todo = ["title_en", "publisher", "published", "kind", "machine_generated", "rights"]
    lines = [f'- source_id: "{source_id}"', f'  file: "{file}"', f'  sha256: "{sha}"',
             f'  language: "{language}"', f'  title: "{title}"']
    lines += [f'  {name}: "TODO: {name}"' for name in todo]
    return "\n".join(indent + line if i else line for i, line in enumerate(lines)) + "\n"


def problems(root) -> set[tuple]:
    return {(p["rule"], p["file"], p["line"], p["field"]) for p in geoevents.validate(root).to_dicts()}


@pytest.fixture
def text(tmp_path) -> Path:
    path = tmp_path / "outside" / "crue.txt"
    path.parent.mkdir()
    path.write_bytes(FRENCH.encode())
    return path


@pytest.fixture
def fresh(tmp_path) -> Path:
    """A project as geoevents init writes it."""
    root = tmp_path / "fresh"
    scaffold.init(root)
    return root


# --- the bytes written ------------------------------------------------------------


def test_a_record_is_appended_after_a_block_list(project, text):
    before = project.path(SOURCES).read_bytes()
    added = sources.add(project.root, text)
    after = project.path(SOURCES).read_bytes()
    assert after.startswith(before)  # every byte it held is where it was
    assert after[len(before):] == b"\n" + record().encode()
    assert project.path("seeds/crue.txt").read_bytes() == text.read_bytes()
    assert (added.source_id, added.file, added.lines) == ("crue", "crue.txt", (14, 24))
    assert added.copied_from == text and added.language_guessed[0] == "fr"
    assert added.todo == {"title_en": 19, "publisher": 20, "published": 21, "kind": 22,
                          "machine_generated": 23, "rights": 24}


def test_a_file_not_ending_in_a_newline_gets_one_before_the_record(project, text):
    before = project.path(SOURCES).read_bytes().rstrip(b"\n")
    project.write(SOURCES, before)
    sources.add(project.root, text)
    assert project.path(SOURCES).read_bytes() == before + b"\n\n" + record().encode()


def test_crlf_lines_stay_crlf(project, text):
    before = project.path(SOURCES).read_bytes().replace(b"\n", b"\r\n")
    project.write(SOURCES, before)
    sources.add(project.root, text)
    assert project.path(SOURCES).read_bytes() == (
        before + b"\r\n" + record().replace("\n", "\r\n").encode())


def test_an_indented_list_gets_an_indented_record(project, text):
    indented = b"".join(b"  " + line if line.strip() and not line.startswith(b"#") else line
                        for line in project.path(SOURCES).read_bytes().splitlines(True))
    project.write(SOURCES, indented)
    sources.add(project.root, text)
    assert project.path(SOURCES).read_bytes() == (
        indented + b"\n" + b"  " + record(indent="  ").encode())


def test_the_empty_list_init_writes_becomes_a_block_list(fresh, text):
    before = (fresh / SOURCES).read_text(encoding="utf-8")
    assert before.count("[]") == 1 and before.endswith("[]\n")
    sources.add(fresh, text)
    after = (fresh / SOURCES).read_text(encoding="utf-8")
    assert after == before.replace("[]\n", record())  # the comments above stay as they were


def test_an_absent_sources_file_is_created(fresh, text):
    (fresh / SOURCES).unlink()
    added = sources.add(fresh, text)
    assert added.created and added.lines == (3, 13)
    assert (fresh / SOURCES).read_text(encoding="utf-8") == (
        "# yaml-language-server: $schema=../schemas/json/sources.schema.json\n"
        "# One record per source text in seeds/; fields: schemas/tables.yaml, table sources.\n"
        + record())


def test_a_file_of_comments_only_gets_the_record_after_them(fresh, text):
    (fresh / SOURCES).write_text("# sources\n", encoding="utf-8")
    sources.add(fresh, text)
    assert (fresh / SOURCES).read_text(encoding="utf-8") == "# sources\n\n" + record()


def test_field_order_and_names_come_from_the_codebook(project, text):
    sources.add(project.root, text)
    written = yaml.safe_load(project.path(SOURCES).read_text(encoding="utf-8"))[-1]
    table = load_codebook(schemas_dir(project.root)).tables["sources"]
    assert list(written) == [f.name for f in table.fields if f.required]


def test_values_are_quoted_so_that_yaml_reads_them_back(project, tmp_path):
    path = tmp_path / "odd.txt"
    title = 'yes: "no" # \\ \x9f\ufeff  x'
    path.write_text(title + "\n" + FRENCH, encoding="utf-8")
    notes = "- 1\n2\u2028\x85 3"
    sources.add(project.root, path, values={"publisher": "null", "notes": notes})
    written = yaml.safe_load(project.path(SOURCES).read_text(encoding="utf-8"))[-1]
    assert written["title"] == 'yes: "no" # \\ \x9f\ufeff x'  # the first line, spaces folded
    assert written["publisher"] == "null" and written["notes"] == notes


def test_a_text_already_in_seeds_is_registered_where_it_is(project):
    project.write("seeds/reports/crue.txt", FRENCH)
    added = sources.add(project.root, project.path("seeds/reports/crue.txt"))
    assert (added.file, added.source_id, added.copied_from) == ("reports/crue.txt", "crue", None)
    assert sorted(p.name for p in project.path("seeds").iterdir()) == [
        "reports", "sample_zh.txt", "sources.yaml"]


def test_the_same_bytes_already_in_seeds_are_not_copied_again(project, text):
    project.write("seeds/crue.txt", FRENCH)
    added = sources.add(project.root, text)
    assert added.copied_from is None and added.file == "crue.txt"


def test_the_proposed_id_is_unique_and_the_given_values_are_kept(project, tmp_path):
    path = tmp_path / "Sample ZH.txt"
    path.write_text(FRENCH, encoding="utf-8")
    added = sources.add(project.root, path, values={"title": "Crues", "kind": "news"})
    assert added.source_id == "sample-zh-2"  # sample-zh is taken
    assert added.values["title"] == "Crues" and added.values["kind"] == "news"
    assert "kind" not in added.todo


# --- the language -----------------------------------------------------------------


def _registered_languages(folder: Path) -> list[tuple[Path, str]]:
    records = yaml.safe_load((folder / "sources.yaml").read_text(encoding="utf-8"))
    return [(folder / r["file"], r["language"]) for r in records]


@pytest.mark.parametrize("path,language", [
    *_registered_languages(REPO / "seeds"),
    *_registered_languages(REPO / "tests/data/corpus-fr/seeds"),
])
def test_the_language_of_real_texts_is_guessed(path, language):
    allowed = sorted(load_codebook(schemas_dir()).vocabulary(
        load_codebook(schemas_dir()).tables["sources"].field("language")))
    assert sources.guess_language(path.read_text(encoding="utf-8"), allowed)[0] == language


@pytest.mark.parametrize("text,language", [
    (("North Korea and Russia signed a treaty on comprehensive strategic partnership, "
     "officials said."), "en"),
    ("Россия и КНДР подписали соглашение о всеобъемлющем стратегическом партнёрстве.", "ru"),
    (("북한과 러시아는 포괄적 전략적 동반자 관계에 관한 조약을 체결했다고 발표했다. "
     "양국 정상은 평양에서 회담을 가졌다."), "ko"),
    ("Triều Tiên và Nga ký hiệp ước đối tác chiến lược toàn diện tại Bình Nhưỡng.", "vi"),
])
def test_the_language_of_a_paragraph_is_guessed(text, language):
    assert sources.guess_language(text, None)[0] == language


# --- refusals ---------------------------------------------------------------------


def refused(project, *args, code=2):
    """Run source add, assert it changed nothing and exited ``code``; its stderr lines."""
    before = project.path(SOURCES).read_bytes()
    seeds = sorted(os.listdir(project.path("seeds")))
    result = invoke("source", "add", "--root", project.root, *args)
    assert result.exit_code == code, result.output
    assert project.path(SOURCES).read_bytes() == before
    assert sorted(os.listdir(project.path("seeds"))) == seeds
    assert "Traceback" not in result.output
    return result.stderr.splitlines()


def test_a_short_text_needs_a_language(project, tmp_path):
    path = tmp_path / "short.txt"
    path.write_text("Bonjour à tous\n", encoding="utf-8")
    assert refused(project, path) == [
        "error: the text has 12 letter(s): too few to guess its language",
        "hint: give it: --language with its ISO 639-1 code (for example --language en)"]
    assert invoke("source", "add", "--root", project.root, path, "--language", "fr"
                  ).exit_code == 0


def test_an_unsure_guess_needs_a_language(project, tmp_path):
    path = tmp_path / "names.txt"
    path.write_text("Kim Jong Un, Vladimir Putin, Donald Trump, Moon Jae-in, Xi Jinping\n",
                    encoding="utf-8")
    (error, hint) = refused(project, path)
    assert error.startswith("error: the text's language is not certain (best guess ")
    assert hint == "hint: give it: --language with its ISO 639-1 code (for example --language en)"


def test_a_file_already_registered_is_refused(project):
    assert refused(project, project.path("seeds/sample_zh.txt")) == [
        ("error: seeds/sources.yaml line 2 already registers that file as source 'sample-zh' "
        "(file: sample_zh.txt)"),
        "hint: a text is registered once; to fix its record, edit that record"]


def test_the_same_text_under_another_name_is_refused(project, tmp_path):
    copy = tmp_path / "copy.txt"
    copy.write_bytes(project.path("seeds/sample_zh.txt").read_bytes())
    assert refused(project, copy)[0] == (
        "error: seeds/sources.yaml line 2 already registers a text of the same sha256 as "
        "source 'sample-zh' (file: sample_zh.txt)")


def test_a_different_file_of_the_same_name_in_seeds_is_not_overwritten(project, text):
    project.write("seeds/crue.txt", "autre chose\n")
    assert refused(project, text) == [
        f"error: seeds/crue.txt exists and differs from {text}: it is not overwritten",
        ("hint: a text in seeds/ is never replaced: to register seeds/crue.txt itself, run "
        f"geoevents source add seeds/crue.txt; to add {text} as another source, give it "
        "another name first")]


def test_a_link_in_seeds_that_leads_out_is_refused(project, text):
    os.symlink(text, project.path("seeds/link.txt"))
    (error, hint) = refused(project, project.path("seeds/link.txt"))
    assert error == f"error: {project.path('seeds/link.txt')} leads outside the project (to {text})"
    assert hint == "hint: copy it into the project; nothing is read from outside the project"


def test_a_text_not_in_utf8_is_refused(project, tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("朝中社报道".encode("gb18030"))
    assert refused(project, path, code=1) == [
        (f"error: {path} is not UTF-8: byte 0xb3 at offset 0 (line 1) does not decode; "
        "it is not registered"),
        ("hint: save the document as UTF-8 (for example iconv -f GB18030 -t UTF-8) and add "
        "that copy")]


def test_a_taken_id_is_refused(project, text):
    assert refused(project, text, "--id", "sample-zh") == [
        "error: the ID 'sample-zh' is taken by another source",
        "hint: choose another --id; an ID names one source forever"]


def test_an_id_off_the_pattern_is_refused(project, text):
    assert refused(project, text, "--id", "Crue_2018") == [
        "error: the ID 'Crue_2018' does not match the pattern ^[a-z0-9]+(-[a-z0-9]+)*$",
        "hint: IDs are lowercase slugs, for example crue-2018"]


def test_an_unknown_language_code_is_refused(project, text):
    assert refused(project, text, "--language", "fra") == [
        "error: --language 'fra' is not an ISO 639-1 language code",
        "hint: use fr (French)"]


def test_a_path_in_the_project_is_found_from_another_folder(project, monkeypatch, tmp_path):
    project.write("seeds/crue.txt", FRENCH)
    monkeypatch.chdir(tmp_path)
    result = invoke("source", "add", "--root", project.root, "seeds/crue.txt")
    assert result.exit_code == 0, result.output
    assert "registered seeds/crue.txt as source crue" in result.output


def test_the_sources_file_is_no_source(project):
    assert refused(project, project.path(SOURCES))[0] == (
        f"error: {project.path(SOURCES)} is the sources file itself, not a source text")


def test_a_missing_file_and_an_unknown_field_are_refused(project, text):
    assert refused(project, project.path("nothing.txt"))[0] == (
        f"error: {project.path('nothing.txt')} does not exist")
    assert refused(project, text, "--set", "publsher=X")[0] == (
        "error: the sources table has no field 'publsher'")


def test_a_sources_file_that_cannot_be_read_is_left_alone(project, text):
    project.write(SOURCES, "- source_id: [unclosed\n")
    assert refused(project, text, code=1) == [
        "error: seeds/sources.yaml cannot be read as it stands",
        "hint: run geoevents validate and fix what it reports, then add the source again"]


def test_a_sources_file_that_goes_on_after_its_list_is_left_alone(project, text):
    project.append(SOURCES, "...\n")
    assert refused(project, text, code=1) == [
        ("error: seeds/sources.yaml goes on after its list (line 13: '...'): a record appended "
        "there would not be one of the list"),
        "hint: end the file with its list of records, then add the source again"]


def test_a_last_value_that_keeps_trailing_lines_is_left_alone(project, text):
    project.edit(SOURCES, "rights: Test text written for the geoevents test suite.",
                 "rights: |+\n    Test text.")
    assert refused(project, text, code=1)[0] == (
        "error: a record appended to seeds/sources.yaml would not read back as written, or "
        "would change the record before it")


def test_a_flow_list_of_records_is_left_alone(fresh, text):
    (fresh / SOURCES).write_text('[{source_id: a, file: a.txt}]\n', encoding="utf-8")
    result = invoke("source", "add", "--root", fresh, text)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "error: the records of seeds/sources.yaml are written as a flow list ([...]); a record "
        "is appended to a block list only")
    assert not (fresh / "seeds/crue.txt").exists()


# --- then validate ----------------------------------------------------------------


FILLED = {
    "title_en": "Floods in the Aude killed fifteen people overnight.",
    "publisher": "Le Courrier du Lac",
    "published": "2018-10-16",
    "kind": "news",
    "machine_generated": "false",
    "rights": "Text written for the test suite.",
}


def test_validate_reports_each_placeholder_once_and_nothing_else(project, text):
    assert problems(project.root) == set()
    sources.add(project.root, text)
    assert problems(project.root) == {
        ("placeholder", SOURCES, line, field) for field, line in [
            ("title_en", 19), ("publisher", 20), ("published", 21), ("kind", 22),
            ("machine_generated", 23), ("rights", 24)]}
    hints = {p["field"]: p["hint"] for p in geoevents.validate(project.root).to_dicts()}
    assert hints["kind"] == ("replace it: What kind of document it is; one of: news, "
                             "encyclopedia, analysis, official, aggregator")
    assert hints["machine_generated"].endswith("(true or false)")
    for field, value in FILLED.items():
        quoted = value if field == "machine_generated" else f'"{value}"'
        project.edit(SOURCES, f'{field}: "TODO: {field}"', f"{field}: {quoted}")
    assert problems(project.root) == set()


def test_a_new_project_with_a_registered_source_reports_only_placeholders(fresh, text):
    sources.add(fresh, text)
    found = problems(fresh)
    assert {f for f in found if f[1] == SOURCES} == {
        ("placeholder", SOURCES, line, field) for field, line in [
            ("title_en", 19), ("publisher", 20), ("published", 21), ("kind", 22),
            ("machine_generated", 23), ("rights", 24)]}
    assert {rule for rule, *_ in found} == {"placeholder"}


# --- the command line -------------------------------------------------------------


def test_the_command_says_what_it_wrote_and_what_is_left(project, text):
    result = invoke("source", "add", "--root", project.root, text, "--set", "kind=news")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"copied {text} to seeds/crue.txt",
        "registered seeds/crue.txt as source crue in seeds/sources.yaml (lines 14-24):",
        "  source_id          crue",
        "  file               crue.txt",
        f"  sha256             {SHA}",
        "  language           fr",
        "  title              Les crues de l'Aude ont fait quinze morts en une nuit.",
        "  title_en           TODO: title_en",
        "  publisher          TODO: publisher",
        "  published          TODO: published",
        "  kind               news",
        "  machine_generated  TODO: machine_generated",
        "  rights             TODO: rights",
        "language fr is a guess (100% sure): if it is wrong, correct it in seeds/sources.yaml",
        ("left to fill in (seeds/sources.yaml): title_en (line 19), publisher (line 20), "
        "published (line 21), machine_generated (line 23), rights (line 24)"),
        f"next: geoevents validate --root {project.root}",
    ]


def test_set_needs_field_equals_value(project, text):
    assert refused(project, text, "--set", "publisher") == [
        "error: --set 'publisher' is not FIELD=VALUE",
        "hint: for example --set publisher=KCNA"]
