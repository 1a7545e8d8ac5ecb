"""Messages and hints for table-level problems, computed once per distinct value."""

from __future__ import annotations

from functools import cache

import polars as pl

from geoevents.codebook import Codebook, Field


def for_rule(code: str, f: Field | None, values: pl.Series, codebook: Codebook, frame):
    """A message and a hint for each distinct failing value of one field.

    Returns a DataFrame ``failure_case, _message, _hint``.
    """
    name = f.name if f else "value"
    rows = []
    distinct = values.unique(maintain_order=True).to_list()
    for i, value in enumerate(distinct):
        message, hint = _one(code, f, name, value, codebook, frame)
        rows.append((value, message, hint))
        if i + 1 == MAX_FUZZY and len(distinct) > MAX_FUZZY:
            break
    # past the first MAX_FUZZY distinct values, a hint that costs nothing: a file
    # of a million wrong codes is a wrong file, not a million typos to look up
    rest = _many(code, f, name, len(distinct))
    rows += [(value, _message(code, f, name, value), rest) for value in distinct[len(rows):]]
    return pl.DataFrame(
        rows, schema={"failure_case": values.dtype, "_message": pl.String, "_hint": pl.String},
        orient="row",
    )


def _message(code, f, name, value) -> str:
    """The message of ``_one``, without its hint (cheap for any number of values)."""
    return {
        "missing-field": f"{name} is required",
        "duplicate-id": f"{name} {value!r} is defined more than once",
        "pattern": f"{value!r} does not match the {f.pattern if f else ''} pattern",
        "country-code": f"{value!r} is not an ISO 3166-1 alpha-3 code",
        "subdivision-code": f"{value!r} is not an ISO 3166-2 subdivision code",
        "language-code": f"{value!r} is not an ISO 639-1 language code",
        "vocabulary": f"{value!r} is not in the {name} vocabulary",
        "range": f"{value} is out of range",
        "too-long": f"{name} is {len(str(value))} characters long (at most "
                    f"{f.max_length if f else ''})",
    }.get(code, f"{name}: {value!r} breaks {code}")


def _many(code, f, name, count: int) -> str:
    return (f"one of {count} distinct values of {name} that break {code}: so many usually "
            "means a wrong column or file; the first ones have their own hints")


def _one(code, f, name, value, codebook, frame):
    return _message(code, f, name, value), _hint(code, f, name, value, codebook, frame)


def _hint(code, f, name, value, codebook, frame):
    if code == "missing-field":
        return f"fill in {name}: {f.description}" if f else None
    if code == "duplicate-id":
        return _where(frame, name, value)
    if code == "pattern":
        return _pattern_hint(f, value)
    if code == "country-code":
        return country_hint(value)
    if code == "subdivision-code":
        return subdivision_hint(value)
    if code == "language-code":
        return language_hint(value)
    if code == "vocabulary":
        return vocabulary_hint(str(value), tuple(codebook.vocabulary(f)))
    if code == "range":
        return _range_hint(name, f)
    if code == "too-long":
        translated = {g.translates for t in codebook.tables.values() for g in t.fields}
        if f.translates or f.name in translated:  # a passage of a source, or its translation
            return ("cite the shortest passage that states the fact; split long passages into "
                    "several citations")
        return f"shorten it to at most {f.max_length} characters"
    return None


def _range_hint(name: str, f: Field) -> str:
    if f.minimum is not None and f.maximum is not None:
        return f"{name} lies between {f.minimum} and {f.maximum}"
    if f.minimum is not None:
        return f"{name} is at least {f.minimum}"
    return f"{name} is at most {f.maximum}"


def _where(frame: pl.DataFrame, name: str, value) -> str:
    rows = frame.filter(pl.col(name).eq_missing(value)).select("_file", "_line").rows()
    places = ", ".join(f"{file}:{line}" for file, line in rows[:5])
    return f"defined at {places}; IDs are unique across all files: rename or merge"


def _pattern_hint(f: Field, value) -> str:
    if f.pattern == "slug":
        import re

        slug = re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")
        return f"IDs are lowercase words joined by hyphens, like {slug!r}"
    return {
        "sha256": "64 lowercase hex digits: run sha256sum on the file",
        "wikidata": "a Wikidata item, like Q7747; leave empty unless certain",
        "orcid": "16 digits in groups of four, like 0000-0002-1825-0097",
        "url": "a full http(s) address",
    }.get(f.pattern, f"must match {f.pattern}")


def _allowed(allowed) -> str:
    return f"allowed: {', '.join(allowed[:20])}{' ...' if len(allowed) > 20 else ''}"


def vocabulary_hints(values: list[str], allowed: list[str]) -> dict[str, str]:
    """A hint for each distinct value not in a vocabulary: "did you mean" the value
    it differs from only in case or by a slip of the keyboard, else the allowed ones."""
    meant = did_you_mean(values, allowed)
    return {v: meant.get(v) or _allowed(allowed) for v in values}


@cache
def vocabulary_hint(value: str, allowed: tuple[str, ...]) -> str:
    return vocabulary_hints([value], list(allowed))[value]


def _slips(length: int) -> int:
    """Edits a value of ``length`` characters may be away from the one meant: none
    for one or two characters (any other value is one edit away), one up to 7,
    then one more for every four characters, three at most."""
    return 0 if length < 3 else max(1, min(3, length // 4))


def did_you_mean(values: list[str], allowed: list[str]) -> dict[str, str]:
    """"did you mean 'X'?" for each value (the first MAX_FUZZY distinct ones) that is
    a value of ``allowed`` but for case (``threaten``: ``THREATEN``) or a few edits
    away from one (``militray``: ``military``; edits counted without case, a swap of
    two letters is one, as many as ``_slips`` allows for the longer of the two);
    the two nearest when two are as near. Values with none that near are left out."""
    import numpy as np
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    head = list(dict.fromkeys(values))[:MAX_FUZZY]
    if not head or not allowed:
        return {}
    folded = [a.casefold() for a in allowed]
    lengths = np.array([len(a) for a in allowed])
    far = np.iinfo(np.uint8).max
    out = {}
    for start in range(0, len(head), 20):  # 20 rows of distances at a time bound the memory
        chunk = head[start:start + 20]
        # past three edits nothing is near: the cutoff lets rapidfuzz stop early
        distances = process.cdist([v.casefold() for v in chunk], folded, scorer=OSA.distance,
                                  score_cutoff=3, dtype=np.uint8, workers=1)
        # edits allowed for each pair, by the longer of the two (CC-BY-4: CC-BY-4.0)
        longer = np.maximum.outer(np.array([len(v) for v in chunk]), lengths)
        slips = np.where(longer < 3, 0, np.clip(longer // 4, 1, 3))
        distances = np.where(distances <= slips, distances, far)
        for value, row in zip(chunk, distances):
            best = int(row.min())
            if best == far:
                continue
            nearest_ones = [allowed[i] for i in np.flatnonzero(row == best)]
            if len(nearest_ones) > 2:  # many as near: none stands out
                continue
            out[value] = f"did you mean {' or '.join(map(repr, nearest_ones))}?"
    return out


#: Distinct values that get a fuzzy "did you mean" at most. Thousands of undefined
#: IDs mean that a table was not read, not thousands of typos, and matching each
#: against a million IDs would take minutes.
MAX_FUZZY = 50


# Common slips that fuzzy matching gets wrong or cannot know.
COUNTRY_SLIPS = {"UK": "GBR", "EN": "GBR", "ENG": "GBR", "USSR": "SUN", "DPRK": "PRK",
                 "ROK": "KOR", "NK": "PRK", "SK": "KOR"}


@cache
def country_hint(value: str) -> str:
    import pycountry

    text = str(value).strip()
    if text.upper() in COUNTRY_SLIPS:
        return f"use {COUNTRY_SLIPS[text.upper()]}"
    country = pycountry.countries.get(alpha_2=text.upper()) if len(text) == 2 else None
    if country is None and len(text) == 3:
        country = pycountry.countries.get(alpha_3=text.upper())
    if country is None and len(text) == 3:  # a slip of the keyboard: PKR, GRB, CNH
        meant = code_slip(text.upper(), [c.alpha_3 for c in pycountry.countries])
        if meant:
            return meant
    if country is None:
        try:
            country = pycountry.countries.search_fuzzy(text)[0]
        except LookupError:
            country = None
    if country is None:
        return "use an ISO 3166-1 alpha-3 code, like RUS, PRK, USA"
    return f"use {country.alpha_3} ({country.name})"


def code_slip(code: str, codes: list[str]) -> str | None:
    """"did you mean" for a code with two letters swapped (PKR: PRK), else as
    ``did_you_mean``: among short codes one other letter is one edit from many codes
    (PKR: PER, UKR), but a swap keeps the letters typed and is rarely ambiguous."""
    swaps = {code[:i] + code[i + 1] + code[i] + code[i + 2:] for i in range(len(code) - 1)}
    swapped = [c for c in codes if c in swaps and c != code]
    if 0 < len(swapped) <= 2:
        return f"did you mean {' or '.join(map(repr, swapped))}?"
    return did_you_mean([code], codes).get(code)


@cache
def subdivision_hint(value: str) -> str:
    import pycountry

    text = str(value).strip().upper()
    found = pycountry.subdivisions.get(code=text)
    if found:
        return f"use {found.code}"
    prefix = text.split("-")[0]
    if len(prefix) == 3 and pycountry.countries.get(alpha_3=prefix):
        prefix = pycountry.countries.get(alpha_3=prefix).alpha_2
    codes = sorted(s.code for s in pycountry.subdivisions.get(country_code=prefix) or [])
    if codes:
        return code_slip(f"{prefix}-{text.split('-', 1)[-1]}", codes) or _allowed(codes)
    return "use an ISO 3166-2 code, like RU-PRI"


@cache
def language_hint(value: str) -> str:
    import pycountry

    text = str(value).strip()
    lang = pycountry.languages.get(alpha_3=text.lower()) if len(text) == 3 else None
    if lang is None:
        try:
            lang = pycountry.languages.lookup(text)
        except LookupError:
            lang = None
    if lang is not None and hasattr(lang, "alpha_2"):
        return f"use {lang.alpha_2} ({lang.name})"
    return "use an ISO 639-1 code, like zh, vi, en"


def reference_hints(values: list[str], target: pl.DataFrame, ref_field: str,
                    table) -> dict[str, str]:
    """A hint for each ID (the first MAX_FUZZY distinct ones) not defined in ``table``.

    Conservative, because a curator who accepts a suggested ID that names another
    thing validates silently with wrong data: "did you mean" only the ID the value
    is but for case or a slip of the keyboard (``did_you_mean``), or but for its
    separators (``us_nsc``: ``us-nsc``). Otherwise the hint says that no ID is close,
    names the file that defines them and, where the table is small enough to look
    through, the IDs whose name or country matches the value, as candidates to check.
    """
    ids = target.get_column(ref_field).drop_nulls().unique(maintain_order=True).to_list()
    head = list(dict.fromkeys(values))[:MAX_FUZZY]
    # a value of one or two characters is a slip away from any short ID (us: usa, uk)
    meant = did_you_mean([v for v in head if len(v) > 2], ids)
    # the IDs that are a value but for separators (vectorized: a million IDs)
    bare = pl.Series(ids, dtype=pl.String).str.to_lowercase().str.replace_all(r"[\W_]+", "")
    hit = bare.is_in(pl.Series([_bare(v) for v in head], dtype=pl.String).implode())
    by_key: dict[str, list[str]] = {}
    for key, i in zip(bare.filter(hit), pl.Series(ids, dtype=pl.String).filter(hit)):
        by_key.setdefault(key, []).append(i)
    where = f"the IDs are defined in {_files_of(target, table)}"
    small = target.height <= MAX_LOOKED_THROUGH
    records = _named_records(target, ref_field, table) if small and head else []
    hints = {}
    for value in head:
        same = by_key.get(_bare(value), [])
        if value in meant:
            hints[value] = meant[value]
        elif 0 < len(same) <= 2:
            hints[value] = f"did you mean {' or '.join(map(repr, same))}?"
        else:
            found = _candidates(value, records)
            text = f"no ID of {table.name} is close to {value!r}"
            if found:
                shown = ", ".join(repr(c) for c in found[:MAX_CANDIDATES])
                more = f" and {len(found) - MAX_CANDIDATES} more" if len(found) > MAX_CANDIDATES else ""
                text += f"; candidates to check (their name or country matches): {shown}{more}"
            hints[value] = f"{text}; {where}"
    more = (f"one of {len(values)} IDs not defined in {table.name}: so many usually means a "
            f"file of {table.name} was not read; fix the problems reported for it first")
    return hints | {v: more for v in values if v not in hints}


def _files_of(target: pl.DataFrame, table) -> str:
    files = (target.get_column("_file").unique(maintain_order=True).to_list()
             if "_file" in target.columns else [])
    if not files:
        return table.location or f"annotations/{table.name}.*"
    return ", ".join(files[:3]) + (" ..." if len(files) > 3 else "")


#: Rows of a referenced table looked through for names and countries at most (a
#: hint, not a search engine: past this the hint names the file only).
MAX_LOOKED_THROUGH = 20_000
MAX_CANDIDATES = 5


def _bare(text: str) -> str:
    """``text`` without case and separators: ``US_NSC`` and ``us-nsc`` are one."""
    import re

    return re.sub(r"[\W_]+", "", str(text).lower())


def _words(text: str) -> list[str]:
    import re

    return [w for w in re.split(r"[\W_]+", str(text).casefold()) if w]


def _named_records(target: pl.DataFrame, ref_field: str, table) -> list[tuple]:
    """``(id, words of each name, country)`` for each record of the referenced table."""
    names = [c for c in target.columns
             if any(f.localized and (c == f.name or c.startswith(f"{f.name}_"))
                    for f in table.fields)]
    country = next((f.name for f in table.fields if f.vocabulary == "iso3166-1-alpha3"
                    and f.name in target.columns), None)
    out = []
    for row in target.select(ref_field, *names, *([country] if country else [])).iter_rows():
        texts = [row[0], *(t for t in row[1:1 + len(names)] if t)]
        out.append((row[0], [_words(t) for t in texts], row[-1] if country else None))
    return out


def _country_of(value: str) -> str | None:
    """The alpha-3 code a value stands for as a country (``us``, ``united-states``, ``prk``)."""
    import pycountry

    text = " ".join(_words(value))
    if text.upper() in COUNTRY_SLIPS:
        return COUNTRY_SLIPS[text.upper()]
    try:
        return pycountry.countries.lookup(text).alpha_3
    except LookupError:
        return None


def _matches(word: str, words: list[str]) -> bool:
    """``word`` is one of ``words`` or the initials of a run of them (``nsc``:
    national security council)."""
    if word in words:
        return True
    initials = "".join(w[0] for w in words)
    return len(word) > 1 and word in initials


def _candidates(value: str, records: list[tuple]) -> list[str]:
    """IDs with a name that is the value (``united-states``: United States), then those
    of the country the value names, then those whose ID or a name holds every word
    of the value."""
    words = _words(value)
    country = _country_of(value)
    same, of_country, named = [], [], []
    for record_id, texts, record_country in records:
        if words and any(t == words for t in texts):
            same.append(record_id)
        elif country and record_country == country:
            of_country.append(record_id)
        elif words and any(all(_matches(w, t) for w in words) for t in texts):
            named.append(record_id)
    return same + of_country + named
