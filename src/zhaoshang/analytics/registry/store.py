"""The national enterprise registry as one Parquet file, read with DuckDB (DESIGN.md: large tables).

Pure: no Django. A real registry (a commercial data vendor's export) is converted into this schema; the
synthetic one of ``registry_generate`` has the same columns, for demos, tests and benchmarks.

Schema (one row per firm; rows are grouped by county in the synthetic file, row groups of 256 Ki rows):

| column | type | meaning |
|---|---|---|
| uscc | string | 统一社会信用代码, 18 chars, GB 32100-2015 check digit valid (and the GB 11714 one inside) |
| name | string | registered name, e.g. 淄博瑞鑫石化有限公司 |
| adcode | string | county (区县) GB/T 2260 code, 6 digits |
| city | string | prefecture (地级) code of the county, 6 digits |
| province | string | province code, ``adcode[:2] + "0000"`` |
| industry | string | GB/T 4754-2017 class (小类), 4 digits |
| registered_capital | double | 注册资本, 万元 |
| insured_employees | int32 | 参保人数; 0 for shells (and often wrongly 0 in real registries) |
| founded | date32 | 成立日期 |
| status | string | 存续 / 在业 (active) / 注销 / 吊销 |
| listed, specialised, high_tech, top500 | bool | 上市, 专精特新, 高新技术企业, on a top-500 list |
| abnormal, dishonest | bool | 经营异常名录, 失信被执行人 |
| branches_24m, investments_24m | int32 | new branches / outward investments in the last 24 months |
| employee_growth | double | year-on-year change of insured employees (0.12 = +12 %) |
| lng, lat | double | WGS84 (the synthetic file: jittered around the county centre) |
| scope | string | 经营范围: 2–5 product keywords of the class, e.g. "机械臂、六轴机器人的生产与销售" |

``place_industry_matrix`` counts active firms (or sums their insured employees) by place and class with one
DuckDB ``GROUP BY`` and scatters the result into a scipy CSR matrix; ``firms_query`` selects candidate firms
by class codes or keywords in the scope/name.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import scipy.sparse

from zhaoshang.analytics.registry.synth import RegistryWords, firm_chunk, registry_counties, registry_model

__all__ = [
    "ACTIVE_STATUSES",
    "REGISTRY_SCHEMA",
    "PlaceIndustryMatrix",
    "firms_query",
    "place_industry_matrix",
    "registry_generate",
]

ACTIVE_STATUSES = ("存续", "在业")
ROW_GROUP = 1 << 18
Level = Literal["county", "city", "province"]
Value = Literal["firms", "employees"]

REGISTRY_SCHEMA = pa.schema(
    [
        ("uscc", pa.string()),
        ("name", pa.string()),
        ("adcode", pa.string()),
        ("city", pa.string()),
        ("province", pa.string()),
        ("industry", pa.string()),
        ("registered_capital", pa.float64()),
        ("insured_employees", pa.int32()),
        ("founded", pa.date32()),
        ("status", pa.string()),
        ("listed", pa.bool_()),
        ("specialised", pa.bool_()),
        ("high_tech", pa.bool_()),
        ("top500", pa.bool_()),
        ("abnormal", pa.bool_()),
        ("dishonest", pa.bool_()),
        ("branches_24m", pa.int32()),
        ("investments_24m", pa.int32()),
        ("employee_growth", pa.float64()),
        ("lng", pa.float64()),
        ("lat", pa.float64()),
        ("scope", pa.string()),
    ]
)


def registry_generate(
    path: str | os.PathLike[str],
    *,
    firms: int,
    seed: int,
    counties: list[str] | None = None,
    chunk_rows: int = 1_000_000,
) -> None:
    """Write a synthetic registry of ``firms`` firms to ``path`` (see ``synth`` for the model).

    Deterministic for a seed and a county list; written chunk by chunk (≈1 M firms in memory at a time) to
    a temporary file that replaces ``path`` at the end."""
    if not 0 < firms < 10**8:
        raise ValueError("firms must be between 1 and 10^8 - 1")
    rng = np.random.default_rng(seed)
    model = registry_model(firms, registry_counties(counties), rng)
    words = RegistryWords.build(model, rng)
    target = Path(path)
    temporary = target.with_name(target.name + ".part")
    first = 0
    with pq.ParquetWriter(temporary, REGISTRY_SCHEMA, compression="zstd") as writer:
        for start, stop in model.chunks(chunk_rows):
            columns = firm_chunk(model, words, start, stop, first, rng)
            table = pa.Table.from_pydict(columns, schema=REGISTRY_SCHEMA)
            writer.write_table(table, row_group_size=ROW_GROUP)
            first += table.num_rows
    os.replace(temporary, target)


@dataclass(frozen=True, eq=False)
class PlaceIndustryMatrix:
    """X: places × industries (sorted codes), CSR float64; ``value`` says what a cell holds."""

    places: list[str]
    industries: list[str]
    values: Any  # scipy.sparse.csr_matrix, float64
    level: Level = "county"
    value: Value = "firms"

    def row(self, place: str) -> Any:
        """Dense float64 vector of one place (zeros when the place has no firm)."""
        try:
            i = self.places.index(place)
        except ValueError:
            return np.zeros(len(self.industries))
        return np.asarray(self.values[i].toarray()).ravel()


def _connect() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(":memory:")


def _source(path: str | os.PathLike[str]) -> str:
    return "read_parquet(" + _quote(os.fspath(path)) + ")"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def place_industry_matrix(
    path: str | os.PathLike[str],
    *,
    level: Level = "county",
    value: Value = "firms",
    active_only: bool = True,
) -> PlaceIndustryMatrix:
    """Firm counts (or insured employees) by place and class, from one DuckDB GROUP BY over the Parquet.

    Places and industries are those with at least one (active) firm, in ascending code order."""
    column = {"county": "adcode", "city": "city", "province": "province"}[level]
    measure = {"firms": "count(*)", "employees": "sum(insured_employees)"}[value]
    where = f"WHERE status IN {ACTIVE_STATUSES!r}" if active_only else ""
    # Group on the strings, then cast only the group keys: numpy sorts integers far faster than strings.
    sql = f"""
        SELECT CAST({column} AS INTEGER) AS place, CAST(industry AS INTEGER) AS industry,
               CAST(n AS DOUBLE) AS n
        FROM (SELECT {column}, industry, {measure} AS n FROM {_source(path)} {where} GROUP BY ALL)
    """
    with _connect() as con:
        result = con.sql(sql).fetchnumpy()
    place_codes, place_idx = np.unique(np.asarray(result["place"], dtype=np.int64), return_inverse=True)
    industry_codes, industry_idx = np.unique(
        np.asarray(result["industry"], dtype=np.int64), return_inverse=True
    )
    values = scipy.sparse.csr_matrix(
        (np.asarray(result["n"], dtype=np.float64), (place_idx, industry_idx)),
        shape=(place_codes.size, industry_codes.size),
    )
    return PlaceIndustryMatrix(
        places=[f"{c:06d}" for c in place_codes],
        industries=[f"{c:04d}" for c in industry_codes],
        values=values,
        level=level,
        value=value,
    )


def firms_query(
    path: str | os.PathLike[str],
    *,
    codes: Sequence[str] | None,
    keywords: Sequence[str] | None,
    exclude_adcode: str | None,
    limit: int | None,
    active_only: bool = True,
    columns: Sequence[str] | None = None,
) -> pa.Table:
    """Candidate target firms: class in ``codes`` OR a keyword in the scope or the name (both None: all),
    outside ``exclude_adcode``, active only by default. A pyarrow Table with ``columns`` (default all)."""
    wanted = list(columns) if columns is not None else REGISTRY_SCHEMA.names
    unknown = [c for c in wanted if c not in REGISTRY_SCHEMA.names]
    if unknown:
        raise ValueError(f"unknown columns: {unknown}")
    params: list[Any] = []
    alternatives: list[str] = []
    if codes:
        alternatives.append("industry IN (" + ", ".join("?" for _ in codes) + ")")
        params.extend(codes)
    for word in keywords or ():
        alternatives.append("contains(scope, ?) OR contains(name, ?)")
        params.extend((word, word))
    conditions: list[str] = []
    if alternatives:
        conditions.append("(" + " OR ".join(alternatives) + ")")
    if exclude_adcode is not None:
        conditions.append("adcode <> ?")
        params.append(exclude_adcode)
    if active_only:
        conditions.append(f"status IN {ACTIVE_STATUSES!r}")
    sql = "SELECT " + ", ".join(f'"{c}"' for c in wanted) + f" FROM {_source(path)}"
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with _connect() as con:
        return con.sql(sql, params=params).to_arrow_table()


def place_firms(path: str | os.PathLike[str], adcode: str) -> list[tuple[str, str, str]]:
    """(uscc, class code, status) of every firm registered in one county, whatever its status."""
    sql = f"SELECT uscc, industry, status FROM {_source(path)} WHERE adcode = ?"
    with _connect() as con:
        return [(str(u), str(i), str(s)) for u, i, s in con.execute(sql, [adcode]).fetchall()]
