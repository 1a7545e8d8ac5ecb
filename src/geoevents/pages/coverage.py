"""What a source reports that no citation records: coverage, passage by passage.

Only characters that are not white space count, and none that the source's
``not_source`` passages cover (page chrome: menus, widgets, reader comments).
A passage is a line of the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Passage:
    start: int
    end: int
    counted: int
    uncovered: int

    @property
    def uncovered_share(self) -> float:
        return self.uncovered / self.counted if self.counted else 0.0


@dataclass
class Coverage:
    counted: int
    covered: int
    excluded: int
    passages: list[Passage] = field(default_factory=list)

    @property
    def uncovered(self) -> int:
        return self.counted - self.covered

    @property
    def uncovered_share(self) -> float:
        return self.uncovered / self.counted if self.counted else 0.0


def coverage(text: str, cited: list[tuple[int, int]],
             excluded: list[tuple[int, int]] = ()) -> Coverage:
    """Coverage of ``text`` by the ``cited`` spans (code points, end exclusive),
    leaving out the ``excluded`` spans; every passage with a character no
    citation covers is listed."""
    state = bytearray(len(text))  # 0 counted, 1 covered, 2 excluded
    for start, end in cited:
        state[start:end] = b"\x01" * (end - start)
    for start, end in excluded:
        state[start:end] = b"\x02" * (end - start)
    total = Coverage(0, 0, 0)
    at = 0
    for line in text.splitlines(keepends=True):
        passage = Passage(at, at + len(line.rstrip("\r\n")), 0, 0)
        for i in range(passage.start, passage.end):
            if text[i].isspace():
                continue
            if state[i] == 2:
                total.excluded += 1
                continue
            passage.counted += 1
            passage.uncovered += state[i] == 0
        total.counted += passage.counted
        total.covered += passage.counted - passage.uncovered
        if passage.uncovered:
            total.passages.append(passage)
        at += len(line)
    return total
