"""The model behind the synthetic national enterprise registry (``registry.registry_generate``).

Pure: numpy and pyarrow. One ``numpy.random.Generator`` drives everything, in a fixed order, so a seed fixes
the registry.

**Where firms are.** Counties: every GB/T 2260 division of level "county" with coordinates, except those
named 市辖区 (≈2,850), or a chosen subset. Firms per county: multinomial over lognormal weights (σ 0.9; urban
districts ×1.5).

**What they do.** Every county draws 1–2 of the regional clusters below (70 % from three favourites of its
province, so that neighbours look alike) and 3–8 specialisation classes among the clusters' classes. A
county's propensity for class i is base_i × (f_i + 3·[i in its clusters] + 3·[same 大类 as a
specialisation] + 8·[same 中类] + 40·[a specialisation]), where base_i is lognormal around a per-section level
(wholesale and retail, business and technical services are common, public administration rare) and f_i is
0.25 for production (门类 A–D: where counties differ) and 1 for services (found everywhere). Firms per
county and class: multinomial with those propensities. Co-specialisation within clusters is what makes the
relatedness (proximity, density) computed from the registry meaningful.

Fixed districts: 临淄 (370305) specialises in refining and chemicals (2511, 2614, 2619, 2651–2653, 2661,
2669; boost 80) and has a few industrial-robot firms (3491), at ≤0.3 of the national and provincial share
(at least 2), so that its robotics chain is weak; 桓台 (370321) specialises in paper (2221–2231) and
fluorine/silicone/polyurethane chemicals (2614, 2651, 2669); a handful of known robotics counties (顺德,
昆山, 嘉定, 铁西, 余杭, 龙岗) specialise in 3491.

**Firms.** A size factor z (Student t, 8 d.f., shifted up in manufacturing and more in heavy industry)
drives insured employees exp(1.5 + 1.2 z) (0 for shells, whose share falls with z: 32 % base, 12 % in
manufacturing), registered capital exp(3.8 + z + 0.8 ε) 万元, age, expansion counts (Poisson) and the rare
tags (logistic in z). Abnormal and dishonest flags are more frequent among shells.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from zhaoshang.analytics.registry.words import (
    SUFFIXES,
    SYLLABLES,
    industry_word,
    join_strings,
    place_prefix,
    scope_texts,
    uscc_codes,
)
from zhaoshang.standards.divisions import divisions
from zhaoshang.standards.industries import industries

__all__ = ["Counties", "RegistryModel", "firm_chunk", "registry_counties", "registry_model"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

LINZI = "370305"
HUANTAI = "370321"
ROBOTICS = "3491"
ROBOTICS_COUNTIES = ("440606", "320583", "310114", "210106", "330110", "440307")
_FIXED: dict[str, tuple[tuple[str, ...], tuple[str, ...], float, float]] = {
    # adcode: (clusters, specialisation classes, boost, weight quantile)
    LINZI: (("petrochem",), ("2511", "2614", "2619", "2651", "2652", "2653", "2661", "2669"), 80.0, 0.97),
    HUANTAI: (("paper", "petrochem"), ("2221", "2222", "2223", "2231", "2614", "2651", "2669"), 60.0, 0.9),
}
# Regional clusters by GB/T 4754 大类 (2-digit division).
CLUSTERS: dict[str, tuple[str, ...]] = {
    "petrochem": ("25", "26", "28", "29", "07"),
    "pharma": ("26", "27", "14", "73"),
    "paper": ("22", "23", "20", "26"),
    "textile": ("17", "18", "19", "28", "51"),
    "food": ("13", "14", "15", "01", "03", "05"),
    "metallurgy": ("31", "32", "33", "08", "09"),
    "machinery": ("34", "35", "33", "38", "40"),
    "automotive": ("36", "37", "29", "38", "33"),
    "electronics": ("39", "38", "40", "65", "64"),
    "materials": ("30", "10", "47", "48", "50"),
    "furniture": ("20", "21", "24", "41"),
    "energy": ("06", "07", "08", "09", "44", "45"),
    "digital": ("63", "64", "65", "72", "73", "74"),
    "logistics": ("51", "52", "53", "54", "58", "59", "60"),
    "tourism": ("61", "62", "86", "87", "88", "89"),
    "agriculture": ("01", "02", "03", "04", "05", "13"),
}
_SECTION_LEVEL = {
    "A": 0.6, "B": 0.3, "C": 1.0, "D": 0.4, "E": 0.8, "F": 3.0, "G": 1.2, "H": 1.5, "I": 1.5, "J": 0.6,
    "K": 1.5, "L": 2.5, "M": 2.0, "N": 0.8, "O": 1.5, "P": 0.6, "Q": 0.4, "R": 0.8, "S": 0.03, "T": 0.01,
}  # fmt: skip
_PRODUCTION = ("A", "B", "C", "D")
_HEAVY = ("25", "26", "28", "31", "32", "36", "37", "44")
_TECH_SECTIONS = ("C", "I", "M")
SCOPE_VARIANTS = 6
REFERENCE_DAY = (np.datetime64("2025-01-01") - np.datetime64("1970-01-01")).astype(np.int64)
_SERIAL_STEP = 61_803_399  # coprime with 10: serial ↦ (serial · step + offset) mod 10⁸ is a bijection


@dataclass(frozen=True)
class Counties:
    codes: list[str]
    names: list[str]
    cities: list[str]
    provinces: list[str]
    prefixes: list[str]
    lng: FloatArray
    lat: FloatArray


def registry_counties(selected: Sequence[str] | None = None) -> Counties:
    """Counties of the registry in code order: all with coordinates (not 市辖区), or the selected ones."""
    table = divisions()
    if selected is None:
        rows = [d for d in table.values() if d.level == "county" and d.lng is not None and d.name != "市辖区"]
    else:
        rows = []
        for code in sorted(set(selected)):
            d = table.get(code)
            if d is None or d.level != "county" or d.lng is None or d.lat is None:
                raise ValueError(f"not a county with coordinates: {code}")
            rows.append(d)
    rows.sort(key=lambda d: d.code)
    cities = [d.parent or d.code[:4] + "00" for d in rows]
    provinces = [d.code[:2] + "0000" for d in rows]
    prefixes = []
    for d, city, province in zip(rows, cities, provinces, strict=True):
        city_row, province_row = table.get(city), table.get(province)
        prefixes.append(
            place_prefix(
                d.name, city_row.name if city_row else "", province_row.name if province_row else "", d.code
            )
        )
    return Counties(
        codes=[d.code for d in rows],
        names=[d.name for d in rows],
        cities=cities,
        provinces=provinces,
        prefixes=prefixes,
        lng=np.array([d.lng for d in rows], dtype=np.float64),
        lat=np.array([d.lat for d in rows], dtype=np.float64),
    )


@dataclass(frozen=True)
class RegistryModel:
    counties: Counties
    codes: list[str]  # the 1,381 classes, sorted
    sections: list[str]
    counts: IntArray  # (counties, classes): firms per county and class
    specialised: BoolArray  # (counties, classes): the county's specialisation classes

    def chunks(self, rows: int) -> Iterator[tuple[int, int]]:
        """Consecutive county ranges [start, stop) of at least ``rows`` firms (the last may hold fewer)."""
        per_county = self.counts.sum(axis=1)
        start, acc = 0, 0
        for i, n in enumerate(per_county):
            acc += int(n)
            if acc >= rows:
                yield start, i + 1
                start, acc = i + 1, 0
        if start < len(per_county):
            yield start, len(per_county)


def _sections(codes: Sequence[str]) -> list[str]:
    table = industries()
    out = []
    for code in codes:
        entry = table.get(code)
        while entry is not None and entry.parent is not None:
            entry = table.get(entry.parent)
        out.append(entry.code if entry is not None else "C")
    return out


def registry_model(firms: int, counties: Counties, rng: np.random.Generator) -> RegistryModel:
    """Firm counts per county and class (see the module docstring)."""
    codes = sorted(c.code for c in industries().values() if c.level == "class")
    sections = _sections(codes)
    n_c, n_p = len(counties.codes), len(codes)
    index = {code: j for j, code in enumerate(codes)}
    division = np.array([c[:2] for c in codes])
    group = np.array([c[:3] for c in codes])
    base = np.array([_SECTION_LEVEL.get(s, 1.0) for s in sections]) * rng.lognormal(0.0, 0.8, n_p)
    base /= base.sum()
    sqrt_base = np.sqrt(base)
    # Production is where counties differ; local services are everywhere (unless a cluster boosts them).
    floor = np.where(np.isin(np.array(sections), _PRODUCTION), 0.25, 1.0)

    weight = rng.lognormal(0.0, 0.9, n_c) * np.where([n.endswith("区") for n in counties.names], 1.5, 1.0)
    fixed_weight = {code: float(np.quantile(weight, q)) for code, (_, _, _, q) in _FIXED.items()}
    for i, code in enumerate(counties.codes):
        weight[i] = fixed_weight.get(code, weight[i])
    per_county = rng.multinomial(firms, weight / weight.sum())

    names = list(CLUSTERS)
    masks = {name: np.isin(division, CLUSTERS[name]) for name in names}
    favourites = {p: rng.choice(len(names), size=3, replace=False) for p in sorted(set(counties.provinces))}
    propensity = np.empty((n_c, n_p))
    specialised = np.zeros((n_c, n_p), dtype=bool)
    for i, code in enumerate(counties.codes):
        picks = int(rng.integers(1, 3))
        fav = favourites[counties.provinces[i]]
        chosen = [names[int(fav[rng.integers(3)]) if rng.random() < 0.7 else int(rng.integers(len(names)))]
                  for _ in range(picks)]  # fmt: skip
        boost = 40.0
        if code in _FIXED:
            clusters, fixed_codes, boost, _ = _FIXED[code]
            chosen = list(clusters)
            spec_idx = np.array([index[c] for c in fixed_codes])
        else:
            member = np.logical_or.reduce([masks[c] for c in chosen])
            pool = np.flatnonzero(member)
            k = min(int(rng.integers(3, 9)), pool.size)
            p = sqrt_base[pool] / sqrt_base[pool].sum()
            spec_idx = rng.choice(pool, size=k, replace=False, p=p)
            if code in ROBOTICS_COUNTIES:
                spec_idx = np.union1d(spec_idx, [index[ROBOTICS]])
        member = np.logical_or.reduce([masks[c] for c in chosen])
        specialised[i, spec_idx] = True
        same_division = np.isin(division, division[spec_idx])
        same_group = np.isin(group, group[spec_idx])
        propensity[i] = base * (
            floor + 3.0 * member + 3.0 * same_division + 8.0 * same_group + boost * specialised[i]
        )
    propensity /= propensity.sum(axis=1, keepdims=True)
    counts = rng.multinomial(per_county, propensity).astype(np.int64)
    _weaken_linzi_robotics(counts, counties, index)
    return RegistryModel(counties, codes, sections, counts, specialised)


def _weaken_linzi_robotics(counts: IntArray, counties: Counties, index: dict[str, int]) -> None:
    """临淄 keeps a few 3491 firms: ≤0.3 of the national and the provincial share, at least 2."""
    if LINZI not in counties.codes:
        return
    i, j = counties.codes.index(LINZI), index[ROBOTICS]
    others = np.ones(counts.shape[0], dtype=bool)
    others[i] = False
    province = np.array(counties.provinces) == counties.provinces[i]
    shares = [counts[rows, j].sum() / max(counts[rows].sum(), 1) for rows in (others, others & province)]
    target = max(2, math.floor(0.3 * counts[i].sum() * min(shares)))
    largest = int(np.argmax(counts[i]))
    counts[i, largest] -= target - counts[i, j]
    counts[i, j] = target


@dataclass(frozen=True)
class RegistryWords:
    """Per-county and per-class strings, drawn once and then taken by index for every firm."""

    prefixes: Any
    trade_words: Any
    scopes: Any
    syllables: Any
    suffixes: Any
    codes: Any
    adcodes: Any
    cities: Any
    provinces: Any
    regions: npt.NDArray[np.uint8]
    serial_offset: int

    @classmethod
    def build(cls, model: RegistryModel, rng: np.random.Generator) -> RegistryWords:
        c = model.counties
        return cls(
            prefixes=pa.array(c.prefixes, pa.string()),
            trade_words=pa.array([industry_word(code) for code in model.codes], pa.string()),
            scopes=pa.array(scope_texts(model.codes, SCOPE_VARIANTS, rng), pa.string()),
            syllables=pa.array(list(SYLLABLES), pa.string()),
            suffixes=pa.array(list(SUFFIXES), pa.string()),
            codes=pa.array(model.codes, pa.string()),
            adcodes=pa.array(c.codes, pa.string()),
            cities=pa.array(c.cities, pa.string()),
            provinces=pa.array(c.provinces, pa.string()),
            regions=np.frombuffer("".join(c.codes).encode("ascii"), dtype=np.uint8).reshape(-1, 6),
            serial_offset=int(rng.integers(10**8)),
        )


def _logistic(x: FloatArray) -> FloatArray:
    out: FloatArray = 1.0 / (1.0 + np.exp(-x))
    return out


def firm_chunk(
    model: RegistryModel, words: RegistryWords, start: int, stop: int, first: int, rng: np.random.Generator
) -> dict[str, Any]:
    """Columns (pyarrow arrays) of the firms of counties [start, stop); ``first``: the first firm's number."""
    block = model.counts[start:stop]
    n = int(block.sum())
    n_p = block.shape[1]
    flat = block.reshape(-1)
    cell = np.repeat(np.arange(flat.size, dtype=np.int64), flat)
    county = start + cell // n_p
    klass = cell % n_p
    sections = np.array(model.sections)[klass]
    manufacturing = sections == "C"
    heavy = np.isin(np.array([c[:2] for c in model.codes]), _HEAVY)[klass]
    spec = model.specialised[county, klass]

    z = rng.standard_t(8, n) + 0.3 * manufacturing + 0.3 * heavy + 0.25 * spec
    shell = rng.random(n) < np.clip(np.where(manufacturing, 0.12, 0.32) * np.exp(-0.5 * z), 0.0, 0.9)
    employees = np.where(shell, 0, np.maximum(1, np.rint(np.exp(np.minimum(1.5 + 1.2 * z, 12.5)))))
    capital = np.round(np.exp(np.clip(3.8 + z + 0.8 * rng.standard_normal(n), -2.3, 16.0)), 2)  # ≥ 0.1 万元
    growth = np.where(shell, 0.0, np.clip(rng.normal(0.03 + 0.04 * spec, 0.18), -0.9, 2.0))
    age = np.clip(rng.exponential(7.0, n) + 2.0 * np.clip(z, 0.0, None), 0.05, 45.0)
    founded = (REFERENCE_DAY - np.rint(age * 365.25)).astype(np.int32)
    status_draw = rng.random(n)
    status = np.searchsorted(np.array([0.80, 0.89, 0.97]), status_draw, side="right")  # 存续 在业 注销 吊销
    active = status < 2
    listed = rng.random(n) < _logistic(-12.3 + 1.5 * z)
    top500 = rng.random(n) < _logistic(-16.5 + 1.7 * z)
    specialised = (rng.random(n) < _logistic(-6.6 + 1.1 * z)) & manufacturing & ~shell
    tech = np.where(np.isin(sections, _TECH_SECTIONS), 1.0, 0.08)
    high_tech = rng.random(n) < tech * _logistic(-5.2 + 0.9 * z)
    abnormal = rng.random(n) < np.where(shell, 0.14, 0.04)
    dishonest = rng.random(n) < np.where(shell, 0.03, 0.008)
    branches = np.where(active, rng.poisson(np.clip(0.06 * np.exp(0.55 * z), 0.0, 50.0)), 0)
    investments = np.where(active, rng.poisson(np.clip(0.04 * np.exp(0.65 * z), 0.0, 50.0)), 0)
    lat = model.counties.lat[county] + rng.normal(0.0, 0.05, n)
    lng = model.counties.lng[county] + rng.normal(0.0, 0.05, n) / np.cos(np.radians(lat))

    syllable = rng.integers(0, len(words.syllables), size=(2, n))
    suffix = np.where(listed, 1, rng.choice(3, size=n, p=[0.86, 0.06, 0.08]))
    variant = rng.integers(0, SCOPE_VARIANTS, n)
    serial = ((first + np.arange(n, dtype=np.int64)) * _SERIAL_STEP + words.serial_offset) % 10**8
    county_idx = pa.array(county)
    name = join_strings(
        words.prefixes.take(county_idx),
        words.syllables.take(pa.array(syllable[0])),
        words.syllables.take(pa.array(syllable[1])),
        words.trade_words.take(pa.array(klass)),
        words.suffixes.take(pa.array(suffix)),
    )
    return {
        "uscc": uscc_codes(words.regions[county], serial),
        "name": name,
        "adcode": words.adcodes.take(county_idx),
        "city": words.cities.take(county_idx),
        "province": words.provinces.take(county_idx),
        "industry": words.codes.take(pa.array(klass)),
        "registered_capital": pa.array(capital, pa.float64()),
        "insured_employees": pa.array(employees.astype(np.int32), pa.int32()),
        "founded": pa.array(founded, pa.int32()).cast(pa.date32()),
        "status": pa.array(["存续", "在业", "注销", "吊销"], pa.string()).take(pa.array(status)),
        "listed": pa.array(listed),
        "specialised": pa.array(specialised),
        "high_tech": pa.array(high_tech),
        "top500": pa.array(top500),
        "abnormal": pa.array(abnormal),
        "dishonest": pa.array(dishonest),
        "branches_24m": pa.array(branches.astype(np.int32), pa.int32()),
        "investments_24m": pa.array(investments.astype(np.int32), pa.int32()),
        "employee_growth": pa.array(growth, pa.float64()),
        "lng": pa.array(lng, pa.float64()),
        "lat": pa.array(lat, pa.float64()),
        "scope": words.scopes.take(pa.array(klass * SCOPE_VARIANTS + variant)),
    }
