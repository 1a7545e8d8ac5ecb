"""The world outline the explorer's map draws: Natural Earth's 1:110m land.

``world-110m.txt`` is one SVG path (equirectangular: x = longitude + 180,
y = 90 - latitude, in tenths of a degree), made once by ``python -m
geoevents.pages.world land-110m.json`` from the TopoJSON of Natural Earth's
1:110m land polygons (version 4.1.0) as the world-atlas package (ISC licence)
redistributes it. Natural Earth is in the public domain
(https://www.naturalearthdata.com/about/terms-of-use/).
"""

from __future__ import annotations

import itertools
import json
import sys
from functools import cache
from pathlib import Path

OUTLINE = Path(__file__).with_name("world-110m.txt")
CREDIT = "Land outline: Natural Earth 1:110m (public domain), via world-atlas"
#: tenths of a degree a simplified line may stray from the original
TOLERANCE = 3


@cache
def outline() -> str:
    """The land as one SVG path in a 3600 x 1800 box."""
    return OUTLINE.read_text("ascii").strip()


def from_topojson(doc: dict) -> str:
    """The land polygons of a TopoJSON topology as one relative SVG path."""
    sx, sy = doc["transform"]["scale"]
    tx, ty = doc["transform"]["translate"]
    arcs = []
    for arc in doc["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            lon, lat = x * sx + tx, y * sy + ty
            points.append((round((lon + 180) * 10), round((90 - lat) * 10)))
        arcs.append(points)
    parts = []
    for geometry in doc["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            for ring in polygon:
                parts.append(_ring(_join(arcs, ring)))
    return "".join(p for p in parts if p)


def _join(arcs: list, ring: list[int]) -> list[tuple[int, int]]:
    points: list[tuple[int, int]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _ring(points: list[tuple[int, int]]) -> str:
    """A ring as a relative path; one that crosses the antimeridian is drawn
    unbroken past the edge, and again a world's width to the left of it."""
    points = _simplify(_unwrapped(points))
    if len(points) < 4:
        return ""
    x0, y0 = points[0]
    moves = "".join(f"l{bx - ax} {by - ay}"
                    for (ax, ay), (bx, by) in itertools.pairwise(points)) + "z"
    out = f"M{x0} {y0}{moves}"
    if max(x for x, _ in points) > 3600:
        out += f"M{x0 - 3600} {y0}{moves}"
    if min(x for x, _ in points) < 0:
        out += f"M{x0 + 3600} {y0}{moves}"
    return out


def _unwrapped(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longitudes made continuous: a step of more than half the world is a crossing."""
    out, shift = [], 0
    for i, (x, y) in enumerate(points):
        if i and abs(x + shift - out[-1][0]) > 1800:
            shift += 3600 if x + shift < out[-1][0] else -3600
        out.append((x + shift, y))
    return out


def _simplify(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Douglas-Peucker, keeping the ends."""
    if len(points) < 3:
        return points
    (ax, ay), (bx, by) = points[0], points[-1]
    length = ((bx - ax) ** 2 + (by - ay) ** 2) ** 0.5
    far, at = 0.0, 0
    for i, (px, py) in enumerate(points[1:-1], 1):
        if length:
            d = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
        else:
            d = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
        if d > far:
            far, at = d, i
    if far <= TOLERANCE:
        return [points[0], points[-1]]
    return _simplify(points[: at + 1])[:-1] + _simplify(points[at:])


if __name__ == "__main__":
    OUTLINE.write_text(from_topojson(json.loads(Path(sys.argv[1]).read_text())) + "\n", "ascii")
