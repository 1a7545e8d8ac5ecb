"""Safe YAML reading that remembers where every value stands.

Annotation files are composed (by libyaml, through PyYAML) into a node graph
and converted by hand instead of being constructed: no tag can build an object,
aliases are refused (a node met twice is an alias, so an alias bomb is never
expanded), duplicate keys are reported with both lines, and every record keeps
the line of each of its keys.
Scalars stay strings (``2019-04-25`` is not turned into a date, ``007`` keeps its
zeros); the checks cast them with the codebook's types.

Nesting and size are bounded before anything is composed: libyaml's composer
recurses once per level (it crashes the interpreter some 30,000 levels down) and
so does the conversion here, and every node costs some 500 bytes of memory, so
``compose`` first walks the parser's event stream (no recursion, nothing kept)
and refuses a document nested deeper than ``MAX_DEPTH`` or holding more than
``MAX_NODES`` values; the walk stops where the limit is passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

CORE = "tag:yaml.org,2002:"
PLAIN_TAGS = {CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
NULL = CORE + "null"

#: deepest nesting of lists and mappings accepted (an event with nested citations: 4)
MAX_DEPTH = 20
#: most values (scalars, lists, mappings) in one document: an event with its actors
#: and citations takes about 53, so some 9,000 events (about 15 MB)
MAX_NODES = 500_000


@dataclass
class Record:
    """One YAML mapping: its values, its line and the line of each key (1-based)."""

    values: dict
    line: int
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class YamlIssue:
    rule: str
    line: int
    message: str
    field: str | None = None
    value: str | None = None


class YamlRefused(Exception):
    def __init__(self, issue: YamlIssue):
        super().__init__(issue.message)
        self.issue = issue


def too_deep(text: str, limit: int = MAX_DEPTH, nodes: int = MAX_NODES) -> YamlIssue | None:
    """A ``yaml-too-deep`` issue if lists and mappings nest deeper than ``limit``, a
    ``file-too-large`` one if the document holds more than ``nodes`` values.

    The parser's events come one at a time from libyaml's state machine (no
    recursion); the walk stops at the first level too deep or value too many. A
    syntax error is left for ``compose`` to report.
    """
    opening = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    closing = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    values = (yaml.ScalarEvent, yaml.AliasEvent)
    depth = count = 0
    try:
        for event in yaml.parse(text, Loader=LOADER):
            if isinstance(event, opening):
                depth += 1
                count += 1
                if depth > limit:
                    return YamlIssue("yaml-too-deep", event.start_mark.line + 1,
                                     f"lists and mappings nest more than {limit} levels deep here")
            elif isinstance(event, closing):
                depth -= 1
            elif isinstance(event, values):
                count += 1
            if count > nodes:
                return YamlIssue("file-too-large", event.start_mark.line + 1,
                                 f"the file holds more than {nodes:,} YAML values (this one "
                                 "is the first too many)")
    except yaml.YAMLError:
        return None
    return None


def compose(text: str):
    """The node graph of one YAML document, or a YamlIssue (nesting bounded first)."""
    deep = too_deep(text)
    if deep:
        return None, deep
    try:
        return yaml.compose(text, Loader=LOADER), None
    except yaml.MarkedYAMLError as exc:
        line, message = syntax_error(text, exc)
        return None, YamlIssue("yaml-syntax", line or 1, message)
    except yaml.YAMLError as exc:
        return None, YamlIssue("yaml-syntax", 1, f"YAML syntax error: {exc}")


# --- syntax errors: where the broken construct starts ------------------------

#: what the parser was reading when it failed, for the constructs whose start is
#: the line to fix: the opening quote, bracket or brace (the parser notices that
#: it is not closed only lines later, often at the end of the file)
_OPENED = {
    "while scanning a quoted scalar": "the quoted value",
    "while parsing a flow sequence": "the list opened with '['",
    "while parsing a flow mapping": "the mapping opened with '{'",
    "while scanning a simple key": "the key",
}
_CLOSER = {"the list opened with '['": "]", "the mapping opened with '{'": "}"}


def syntax_error(text: str, exc: yaml.MarkedYAMLError) -> tuple[int | None, str]:
    """The line where the construct the parser could not finish starts, and a
    message saying what is not closed and where the parser noticed it.

    A quote, ``[`` or ``{`` left open is reported where it opens (libyaml's
    context mark), not where the parser gave up. A quote left open in a block
    (``summary: "Kim met``) may instead run on to the next quote of the file
    and end there in a parser error: then the quoted value that spans lines and
    ends where the parser stopped is the one reported.
    """
    problem = str(exc.problem or exc).strip()
    noticed = exc.problem_mark.line + 1 if exc.problem_mark else None
    context = exc.context or ""
    runaway = _runaway_quote(text, noticed) if noticed is not None else None
    if runaway is None and noticed is not None:
        opened = _open_flow(text)  # libyaml's mark is where it wanted a node, not the '['
        if opened is not None and context in ("while parsing a flow node", *_FLOW):
            start, char = opened
            what = _FLOW_NAMES[char]
            return start, (f"YAML syntax error: {what} on line {start} is not closed with "
                           f"'{_CLOSER[what]}' (or lacks a ','); {_noticed(noticed, problem)}")
    what = _OPENED.get(context)
    if runaway is not None and context in _FLOW:
        what = None  # a quote left open inside the '{' or '[' ran on: the quote is the cause
    if what and exc.context_mark is not None:
        start = exc.context_mark.line + 1
        if what == "the quoted value":
            what = f"the value quoted with {_char_at(text, exc.context_mark) or 'a quote'}"
        closer = _CLOSER.get(what)
        unclosed = (f"{what} on line {start} is not closed"
                    + (f" with '{closer}' (or lacks a ',')" if closer else "")
                    if what != "the key" else f"the key on line {start} has no ':'")
        return start, f"YAML syntax error: {unclosed}; {_noticed(noticed, problem)}"
    quoted = _runaway_quote(text, noticed) if noticed else None
    if quoted is not None:
        start, quote = quoted
        inside = "''" if quote == "'" else '\\"'
        return start, (f"YAML syntax error: the value quoted with {quote} on line {start} runs "
                       f"on to line {noticed}, where the parser stops ({problem}): close the "
                       f"quote on line {start}, and write {inside} for a {quote} inside the value")
    where = ""
    if exc.context_mark is not None and context:
        where = (f" ({context.removeprefix('while ')} that starts on line "
                 f"{exc.context_mark.line + 1})")
    return noticed, f"YAML syntax error: {problem}{where}"


def _noticed(line: int | None, problem: str) -> str:
    if "end of stream" in problem:
        return f"the parser reached the end of the file (line {line}) without finding its end"
    return f"the parser noticed at line {line}: {problem}"


def _char_at(text: str, mark) -> str | None:
    lines = text.split("\n")
    if mark.line < len(lines) and mark.column < len(lines[mark.line]):
        char = lines[mark.line][mark.column]
        return char if char in "'\"" else None
    return None


_FLOW = ("while parsing a flow sequence", "while parsing a flow mapping")
_FLOW_NAMES = {"[": "the list opened with '['", "{": "the mapping opened with '{'"}


def _open_flow(text: str) -> tuple[int, str] | None:
    """The innermost '[' or '{' still open where the scanner stops (line, character)."""
    stack: list[tuple[int, str]] = []
    try:
        for token in yaml.scan(text, Loader=LOADER):
            if isinstance(token, (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken)):
                char = "[" if isinstance(token, yaml.FlowSequenceStartToken) else "{"
                stack.append((token.start_mark.line + 1, char))
            elif isinstance(token, (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)) \
                    and stack:
                stack.pop()
    except yaml.YAMLError:
        pass
    return stack[-1] if stack else None


def _runaway_quote(text: str, line: int) -> tuple[int, str] | None:
    """The quoted scalar that starts before ``line`` and ends on it, if any: a
    quote left open that the next quote of the file closed."""
    last = None
    try:
        for token in yaml.scan(text, Loader=LOADER):
            if token.start_mark.line + 1 > line:
                break
            if (isinstance(token, yaml.ScalarToken) and token.style in ("'", '"')
                    and token.start_mark.line + 1 < line == token.end_mark.line + 1):
                last = (token.start_mark.line + 1, token.style)
    except yaml.YAMLError:
        pass
    return last


def readable_prefix(text: str, line: int):
    """The node graph of the records of a top-level list before the one holding
    ``line`` (where a syntax error starts), and the line where that one starts; or
    None, None. What the file says up to the broken record is still read."""
    starts = []
    depth = 0
    try:
        for event in yaml.parse(text, Loader=LOADER):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if depth == 0 and not isinstance(event, yaml.SequenceStartEvent):
                    return None, None  # not a list of records
                depth += 1
                if depth == 2:
                    starts.append(event.start_mark.line + 1)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif depth == 1 and isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
                starts.append(event.start_mark.line + 1)
    except yaml.YAMLError:
        pass
    before = [s for s in starts if s <= line]
    if len(before) < 2:  # the first record is broken: nothing before it
        return None, None
    cut = before[-1]
    prefix = "".join(text.splitlines(keepends=True)[:cut - 1])
    if _prefix_lines(prefix) != cut - 1:  # line breaks libyaml does not count as such
        return None, None
    try:
        return yaml.compose(prefix, Loader=LOADER), cut
    except yaml.YAMLError:
        return None, None


def _prefix_lines(prefix: str) -> int:
    return prefix.count("\n") + (bool(prefix) and not prefix.endswith("\n"))


def to_records(node) -> tuple[list[Record], list[YamlIssue]]:
    """Convert a top-level sequence of mappings into Records; never raises."""
    issues: list[YamlIssue] = []
    if node is None:
        return [], issues
    if not isinstance(node, SequenceNode):
        line = node.start_mark.line + 1
        msg = "the file must be a list of records (each starting with '- ')"
        return [], [YamlIssue("yaml-shape", line, msg)]
    records = []
    seen: set[int] = set()
    for item in node.value:
        try:
            value = _convert(item, seen)
        except YamlRefused as exc:
            issues.append(exc.issue)
            continue
        if not isinstance(value, Record):
            line = item.start_mark.line + 1
            issues.append(YamlIssue("yaml-shape", line, "each list item must be a record (key: value)"))
            continue
        records.append(value)
    return records, issues


def to_record(node) -> tuple[list[Record], list[YamlIssue]]:
    """Convert a top-level mapping (a file of one record) into a Record; never raises."""
    if node is None:
        return [], []
    if not isinstance(node, MappingNode):
        line = node.start_mark.line + 1
        return [], [YamlIssue("yaml-shape", line, "the file must be one record of 'key: value' "
                              "lines, not a list")]
    try:
        return [_convert(node, set())], []
    except YamlRefused as exc:
        return [], [exc.issue]


def _convert(node, seen: set[int]):
    line = node.start_mark.line + 1
    if id(node) in seen:  # the composer shares one node between an anchor and its aliases
        raise YamlRefused(
            YamlIssue("yaml-alias", line, "anchors and aliases (&name, *name) are not allowed")
        )
    seen.add(id(node))
    if isinstance(node, ScalarNode):
        if node.tag not in PLAIN_TAGS:
            raise YamlRefused(YamlIssue("yaml-tag", line, f"tag {node.tag!r} is not allowed"))
        return None if node.tag == NULL else node.value
    if isinstance(node, SequenceNode):
        if node.tag != CORE + "seq":
            raise YamlRefused(YamlIssue("yaml-tag", line, f"tag {node.tag!r} is not allowed"))
        return [_convert(item, seen) for item in node.value]
    if isinstance(node, MappingNode):
        if node.tag != CORE + "map":
            raise YamlRefused(YamlIssue("yaml-tag", line, f"tag {node.tag!r} is not allowed"))
        return _mapping(node, line, seen)
    raise YamlRefused(YamlIssue("yaml-shape", line, "unsupported YAML node"))


def _mapping(node: MappingNode, line: int, seen: set[int]) -> Record:
    record = Record({}, line)
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        if not isinstance(key_node, ScalarNode) or key_node.tag == NULL:
            raise YamlRefused(YamlIssue("yaml-shape", key_line, "keys must be plain names"))
        # through _convert like any value: a tag on a key is refused, and an anchor
        # on a key is seen, so a value that aliases it is refused too
        key = str(_convert(key_node, seen))
        if key in record.values:
            raise YamlRefused(
                YamlIssue(
                    "yaml-duplicate-key",
                    key_line,
                    f"key {key!r} appears twice in one record (first on line {record.lines[key]})",
                    field=key,
                )
            )
        record.values[key] = _convert(value_node, seen)
        record.lines[key] = key_line
    return record


def load_plain(text: str):
    """Plain Python data of a codebook file (raises yaml.YAMLError, or RecursionError
    never: the caller checks ``too_deep`` first)."""
    return yaml.load(text, Loader=LOADER)


def line_of(node, path: tuple) -> int | None:
    """The 1-based line of the value at ``path`` (mapping keys and list indices) in
    a composed document: of the key itself for a mapping entry, of the deepest node
    found if the path goes further than the document."""
    line = node.start_mark.line + 1 if node is not None else None
    for step in path:
        if isinstance(node, MappingNode):
            pair = next(((k, v) for k, v in node.value if _is_key(k, step)), None)
            if pair is None:
                return line
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            return line
    return line



def _is_key(node, key) -> bool:
    """The key node stands for ``key`` (``yes:`` for True, ``1:`` for 1)."""
    if not isinstance(node, ScalarNode):
        return False
    if isinstance(key, str):
        return node.value == key
    try:
        return yaml.SafeLoader("").construct_object(node) == key
    except yaml.YAMLError:
        return False
