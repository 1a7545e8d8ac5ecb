"""``geoevents source add``: register a text of seeds/ in the sources file.

A text already in ``seeds/`` is registered where it is; one from elsewhere is
first copied into ``seeds/`` byte for byte (never over a different file of the
same name). The record gets what can be known from the text itself (its path,
sha256, language and a title from its first line) and, for every other
required field of the codebook's sources table, a placeholder
(``TODO: <field>``) that ``geoevents validate`` reports until it is filled in.

The record is appended to the sources file without changing any byte of what
the file held: after the last record of a block list, or in place of the empty
flow list ``[]`` that ``geoevents init`` writes. The new file is parsed before
it is written, and must read as the old records plus the new one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.nodes import SequenceNode

from geoevents import safefile, yamlio
from geoevents.check.project import PLACEHOLDER
from geoevents.codebook import Codebook, Table, load_codebook, schemas_dir
from geoevents.errors import ProblemsFound, UsageError
from geoevents.evidence_text import MAX_SOURCE_BYTES, REPLACEMENT, _path_problem

SEEDS = "seeds"
#: a guess is taken only from this many letters on, and this confident
MIN_LETTERS = 40
MIN_CONFIDENCE = 0.8
#: the language is guessed from the beginning of a long text: enough to be sure
GUESS_CHARS = 20_000
#: a title proposed from the first line is cut (at a word) to this many characters
MAX_TITLE = 200
#: characters json.dumps leaves as they are but YAML does not read as themselves
#: inside a double-quoted scalar (C1 controls, DEL, line separators, BOM, non-characters)
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


@dataclass
class Added:
    """What ``add`` did: the record's ID and text, where it stands, what is left."""

    source_id: str
    file: str  # relative to seeds/
    location: str  # the sources file, relative to the project
    lines: tuple[int, int]  # first and last line of the record in the sources file
    values: dict[str, str]  # field -> value written (placeholders included)
    todo: dict[str, int] = field(default_factory=dict)  # field -> line of its placeholder
    copied_from: Path | None = None
    language_guessed: tuple[str, float] | None = None  # (code, confidence) when guessed
    created: bool = False  # the sources file did not exist


def add(root: Path | str, file: Path | str, *, source_id: str | None = None,
        language: str | None = None, values: dict[str, str] | None = None) -> Added:
    """Register ``file`` as a source of the project at ``root``; see the module."""
    from geoevents.check import require_project

    root = Path(root)
    require_project(root)
    codebook = load_codebook(schemas_dir(root))
    table = codebook.tables["sources"]
    given = dict(values or {})
    _known_fields(given, table)
    for name, value in given.items():
        if not value.strip() and table.field(name).required:
            raise UsageError(f"{name} is given empty: it is a required field of {table.name}",
                             f"give its value (--set {name}=VALUE), or leave it out: the record "
                             "then holds a placeholder for it")
    seeds, location = root / SEEDS, table.location
    sources_path = root / location
    rel, target, data, copied_from = _locate(root, seeds, _given_path(Path(file), root))
    if target == sources_path.resolve():
        raise UsageError(f"{file} is the sources file itself, not a source text",
                         "give the path of a source text in seeds/ or elsewhere")
    text = _decode(data, file)
    old, records, node = _read_sources(root, sources_path, location)
    digest = hashlib.sha256(data).hexdigest()
    _not_registered(seeds, target, digest, records, location)
    guessed = None
    if language is None:
        guessed = guess_language(text, codebook.vocabulary(table.field("language")))
        language = guessed[0]
    known = {**given, "file": rel, "sha256": digest,
             "source_id": _source_id(source_id, rel, records, table, codebook),
             "language": _language(language, codebook, table),
             "title": given.get("title") or propose_title(text)}
    record = _record(known, table)

    new, first_line = _appended(root, old, node, record, table)
    after = _check_result(new, records, record, location)
    if copied_from is not None:
        _copy_into(target, data)
    try:
        _replace(sources_path, new.encode("utf-8"))
    except BaseException:
        if copied_from is not None:  # leave no unregistered copy behind
            with contextlib.suppress(OSError):
                target.unlink()
        raise
    todo = {k: after[-1].lines[k] for k, v in record.items() if v.startswith(PLACEHOLDER)}
    span = (first_line, first_line + len(record) - 1)
    return Added(record["source_id"], rel, location, span, record, todo, copied_from,
                 guessed, old is None)


def _record(known: dict[str, str], table: Table) -> dict[str, str]:
    """The record in the codebook's order of fields: what is known, a placeholder for
    each other required field; an optional field unknown is left out."""
    record = {}
    for f in table.fields:
        if f.name in known:
            record[f.name] = known[f.name]
        elif f.required:
            record[f.name] = f"{PLACEHOLDER}: {f.name}"
    return record


# --- the text ---------------------------------------------------------------------


def _given_path(file: Path, root: Path) -> Path:
    """A relative FILE is one of the working folder, or else of the project (so that
    ``seeds/a.txt`` names the project's text whatever folder the command runs in)."""
    if file.is_absolute() or os.path.lexists(file) or not os.path.lexists(root / file):
        return file
    return root / file


def _locate(root: Path, seeds: Path, file: Path) -> tuple[str, Path, bytes, Path | None]:
    """The text's path under seeds/ (as the record names it) and resolved, its bytes,
    and the path it is copied from when it is not in seeds/ yet."""
    if not os.path.lexists(file):
        raise UsageError(f"{file} does not exist", "give the path of the source text")
    try:
        seeds_real, real = seeds.resolve(), file.resolve()
    except (OSError, RuntimeError):
        raise UsageError(f"{file} is a loop of symbolic links",
                         "give the source text itself") from None
    if os.path.lexists(seeds) and not seeds_real.is_relative_to(root.resolve()):
        raise UsageError(f"{seeds} leads outside the project (to {seeds_real})",
                         "make seeds/ a folder of the project; no source is read from "
                         "outside it")
    written = Path(os.path.abspath(file))
    if written.is_relative_to(os.path.abspath(seeds)) or real.is_relative_to(seeds_real):
        # in seeds/ already: registered where it is, if it is a file of the project
        data = _read(file, root)
        if written.is_relative_to(os.path.abspath(seeds)):
            rel = written.relative_to(os.path.abspath(seeds)).as_posix()
        else:
            rel = real.relative_to(seeds_real).as_posix()
        _name_ok(rel, file)
        return rel, real, data, None
    data = _read(file, None)
    _name_ok(file.name, file)
    target = seeds_real / file.name
    if os.path.lexists(target):
        existing = safefile.read_bytes(target, root, MAX_SOURCE_BYTES)
        if isinstance(existing, safefile.Refused) or existing != data:
            raise UsageError(
                f"seeds/{file.name} exists and differs from {file}: it is not overwritten",
                f"a text in seeds/ is never replaced: to register seeds/{file.name} itself, run "
                f"geoevents source add seeds/{file.name}; to add {file} as another source, "
                "give it another name first")
        return file.name, target, data, None  # the same bytes are there: nothing to copy
    return file.name, target, data, file


def _read(file: Path, root: Path | None) -> bytes:
    data = safefile.read_bytes(file, root, MAX_SOURCE_BYTES)
    if isinstance(data, safefile.Refused):
        raise UsageError(f"{file} {data.message}", data.hint)
    return data


def _name_ok(rel: str, file: Path) -> None:
    problem = _path_problem(rel)
    if problem:
        raise UsageError(f"{file}: the name {rel!r} {problem}",
                         "rename the file: letters, digits, '-', '_' and '.'")


def _decode(data: bytes, file) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ProblemsFound(
            f"{file} is not UTF-8: byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start} (line {line}) does not decode; it is not registered",
            "save the document as UTF-8 (for example iconv -f GB18030 -t UTF-8) and add that "
            "copy") from None
    if REPLACEMENT in text:
        at = text.find(REPLACEMENT)
        raise ProblemsFound(
            f"{file} holds U+FFFD, the replacement character, at "
            f"character {at} (line {text.count(chr(10), 0, at) + 1}): a conversion lost what "
            "stood there; it is not registered",
            "copy the document again from the original, as UTF-8, and add that copy")
    return text.removeprefix("\ufeff")


def guess_language(text: str, allowed: list[str] | None) -> tuple[str, float]:
    """The ISO 639-1 code of the text's language and the confidence of the guess
    (py3langid, a naive Bayes model shipped in its wheel); a UsageError asking
    for --language when the text is too short or the guess unsure."""
    letters = sum(ch.isalpha() for ch in text[:GUESS_CHARS])
    if letters < MIN_LETTERS:
        raise UsageError(
            f"the text has {letters} letter(s): too few to guess its language",
            "give it: --language with its ISO 639-1 code (for example --language en)")
    # each line once: boilerplate repeated on every page would drown the text's words
    lines = "\n".join(dict.fromkeys(line.strip() for line in text[:GUESS_CHARS].splitlines()))
    code, confidence = _identifier().classify(lines)
    iso = allowed is None or code in allowed
    example = code if iso else "en"
    if confidence < MIN_CONFIDENCE:
        raise UsageError(
            f"the text's language is not certain (best guess {code}, {confidence:.1%} sure, "
            f"under {MIN_CONFIDENCE:.0%})",
            f"give it: --language with its ISO 639-1 code (for example --language {example})")
    if not iso:
        raise UsageError(
            f"the text's language looks like {code!r}, which has no ISO 639-1 code",
            "give the language: --language with the ISO 639-1 code to record (zh for a "
            "Chinese language)")
    return code, confidence


_IDENTIFIER = None


def _identifier():
    global _IDENTIFIER
    if _IDENTIFIER is None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        _IDENTIFIER = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _IDENTIFIER


def propose_title(text: str) -> str:
    """The first line that holds a letter or digit, white space folded, cut at a word."""
    for line in text.splitlines():
        title = " ".join(line.split())
        if any(ch.isalnum() for ch in title):
            if len(title) > MAX_TITLE:
                cut = title[:MAX_TITLE].rsplit(" ", 1)[0]
                title = (cut if len(cut) > MAX_TITLE // 2 else title[:MAX_TITLE]) + "…"
            return title
    return f"{PLACEHOLDER}: title"


# --- the record -----------------------------------------------------------------


def _known_fields(given: dict[str, str], table: Table) -> None:
    names = [f.name for f in table.fields]
    for name in given:
        if name not in names:
            raise UsageError(f"the sources table has no field {name!r}",
                             f"fields: {', '.join(names)}")
    for name in ("source_id", "file", "sha256", "language"):
        if name in given:
            raise UsageError(f"{name} is not set with --set",
                             "--id and --language set those; file and sha256 come from the text")


def _source_id(wanted: str | None, rel: str, records, table: Table, codebook: Codebook) -> str:
    pattern = codebook.pattern(table.field("source_id"))
    taken = {r.values.get("source_id") for r in records}
    if wanted is not None:
        if pattern and not re.fullmatch(pattern, wanted):
            raise UsageError(f"the ID {wanted!r} does not match the pattern {pattern}",
                             f"IDs are lowercase slugs, for example {slug(wanted)}")
        if wanted in taken:
            raise UsageError(f"the ID {wanted!r} is taken by another source",
                             "choose another --id; an ID names one source forever")
        return wanted
    base = slug(_stem(rel))
    proposed, n = base, 1
    while proposed in taken:
        n += 1
        proposed = f"{base}-{n}"
    return proposed


def _stem(rel: str) -> str:
    name = rel.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name


def slug(text: str) -> str:
    """A lowercase slug of ``text`` (ASCII letters and digits, '-' between words)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "source"


def _language(code: str, codebook: Codebook, table: Table) -> str:
    from geoevents.check.hints import language_hint

    allowed = codebook.vocabulary(table.field("language"))
    if allowed is not None and code not in allowed:
        raise UsageError(f"--language {code!r} is not an ISO 639-1 language code",
                         language_hint(code))
    return code


def _not_registered(seeds: Path, target: Path, digest: str, records, location: str) -> None:
    for r in records:
        name, known = r.values.get("file"), r.values.get("sha256")
        same_file = False
        if isinstance(name, str) and name:
            with contextlib.suppress(OSError, RuntimeError, ValueError):
                same_file = (seeds / name).resolve() == target
        if same_file or known == digest:
            why = "that file" if same_file else "a text of the same sha256"
            raise UsageError(
                f"{location} line {r.line} already registers {why} as source "
                f"{r.values.get('source_id')!r} (file: {name})",
                "a text is registered once; to fix its record, edit that record")


# --- the sources file -------------------------------------------------------------


def _read_sources(root: Path, path: Path, location: str):
    """The file's text (None if absent), its records and its composed top node."""
    if not os.path.lexists(path):
        return None, [], None
    data = safefile.read_bytes(path, root, 16 * safefile.MIB)
    if isinstance(data, safefile.Refused):
        raise ProblemsFound(f"{location} {data.message}", data.hint)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ProblemsFound(f"{location} is not UTF-8", "run geoevents validate and fix what "
                            "it reports, then add the source again") from None
    unreadable = ProblemsFound(f"{location} cannot be read as it stands",
                               "run geoevents validate and fix what it reports, then add the "
                               "source again")
    deep = yamlio.too_deep(text)
    if deep:
        raise unreadable
    try:
        # the pure-Python loader: its marks count characters (libyaml's do not, past a BOM)
        node = yaml.compose(text, Loader=yamlio.LOADER)
    except yaml.YAMLError:
        raise unreadable from None
    records, issues = yamlio.to_records(node)
    if issues:
        raise unreadable
    return text, records, node


def _appended(root: Path, old: str | None, node, record: dict[str, str],
              table: Table) -> tuple[str, int]:
    """The new text of the sources file and the line where the record starts."""
    newline = "\r\n" if old and "\r\n" in old else "\n"
    if old is None:
        head = _new_file(root, table)
        return head + _record_text(record, table, 0, newline) + newline, head.count("\n") + 1
    if isinstance(node, SequenceNode) and node.flow_style:
        return _in_place_of_empty_list(old, node, record, table, newline)
    indent = 0
    if node is not None:  # a block list: the record goes after its last one
        _nothing_after(old, node, table.location)
        indent = node.start_mark.column
    sep = newline if old and not old.endswith(("\n", "\r")) else ""
    lines = (old + sep).splitlines()
    if lines and lines[-1].strip():
        sep += newline  # a blank line between records
    new = old + sep + _record_text(record, table, indent, newline) + newline
    return new, len(lines) + 1 + (1 if lines and lines[-1].strip() else 0)


def _new_file(root: Path, table: Table) -> str:
    """The head of a sources file written by this command: where its schema is."""
    schema = root / "schemas" / "json" / f"{table.name}.schema.json"
    head = []
    if schema.is_file():
        head.append(f"# yaml-language-server: $schema=../schemas/json/{table.name}.schema.json")
    head.append("# One record per source text in seeds/; fields: schemas/tables.yaml, "
                f"table {table.name}.")
    return "\n".join(head) + "\n"


def _in_place_of_empty_list(old: str, node, record, table: Table, newline: str):
    """``[]`` (as geoevents init writes it) becomes the block list of one record."""
    if node.value:
        raise ProblemsFound(
            f"the records of {table.location} are written as a flow list ([...]); a record "
            "is appended to a block list only",
            "write each record as a block ('- source_id: ...' lines), then add the source again")
    start, end = node.start_mark.index, node.end_mark.index
    if old[start:end] != "[]":
        raise ProblemsFound(f"the empty list of {table.location} is not written '[]'",
                            "write the empty list as [] on a line of its own")
    text = _record_text(record, table, node.start_mark.column, newline, first_indent=False)
    return old[:start] + text + old[end:], node.start_mark.line + 1


def _nothing_after(old: str, node, location: str) -> None:
    """Only blank and comment lines follow the list: a record appended is one of it."""
    for line in old[node.end_mark.index:].splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            raise ProblemsFound(
                f"{location} goes on after its list (line {node.end_mark.line + 1}: "
                f"{line.strip()[:40]!r}): a record appended there would not be one of the list",
                "end the file with its list of records, then add the source again")


def _record_text(record: dict[str, str], table: Table, indent: int, newline: str,
                 first_indent: bool = True) -> str:
    pad = " " * indent
    lines = []
    for i, (name, value) in enumerate(record.items()):
        lead = (pad if first_indent or i else "") + ("- " if i == 0 else "  ")
        lines.append(f"{lead}{name}: {_scalar(value, table.field(name).type)}")
    return newline.join(lines)


def _scalar(value: str, kind: str) -> str:
    """A YAML scalar that reads back as ``value``: true/false plain for a boolean,
    anything else as a JSON string (valid YAML), with what YAML reads otherwise escaped."""
    if kind == "boolean" and value in ("true", "false"):
        return value
    quoted = json.dumps(value, ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _check_result(new: str, records, record: dict[str, str], location: str):
    """The new file reads as the old records and the new one, or nothing is written."""
    node = yaml.compose(new, Loader=yamlio.LOADER)
    after, issues = yamlio.to_records(node)
    expected = [r.values for r in records] + [record]
    if issues or [r.values for r in after] != expected:  # a '|+' block at the end keeps lines
        raise ProblemsFound(
            f"a record appended to {location} would not read back as written, or would change "
            "the record before it",
            "end the file's last value plainly (not with a '|+' or '>+' block), then add the "
            "source again")
    return after


# --- writing ----------------------------------------------------------------------


def _copy_into(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target``, a new file: never over one that appeared since."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = safefile.temporary(target.parent, target.name, data)
    try:
        os.link(tmp, target)  # fails if target exists: nothing is overwritten
    except FileExistsError:
        raise UsageError(f"seeds/{target.name} appeared while copying: it is not overwritten",
                         "run the command again") from None
    finally:
        os.unlink(tmp)


def _replace(path: Path, data: bytes) -> None:
    """Write the whole file through a temporary one: never half-written."""
    from geoevents import safefile

    path.parent.mkdir(parents=True, exist_ok=True)
    safefile.replace(path, data)
