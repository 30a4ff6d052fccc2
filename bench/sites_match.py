"""One demand against 100,000 sites: the matching engine against the same filters and score as one SQL query.

    .venv/bin/python bench/sites_match.py [--sites 100000] [--runs 30]
                                          [--dsn postgresql://postgres@127.0.0.1:5432/postgres]

The sites are bench/matching.py's synthetic ones (seeded, around Linzi). The script creates its own database
``zs_bench_sites`` on the server of --dsn (never the test suite's databases), loads the sites into a plain table
with COPY, and times in the same run:

* engine: ``match`` over a SiteTable built once (filters, anchored scores, top 5 with reasons, 5 near misses);
* engine from the database: SELECT the demand's kind, build the SiteTable, match (what one request costs when
  nothing is cached);
* SQL: the same hard filters and the same anchored weighted score (haversine distance included) as one query,
  ORDER BY score DESC LIMIT 5, with a btree index on (kind, area). It gives no reasons and no near misses.

It checks that the SQL query and the engine rank the same top 5 with the same scores, then drops the database.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

from zhaoshang.analytics.matching.engine import MatchOptions, SiteTable, match
from zhaoshang.analytics.matching.model import TENURES, Site

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location("bench_matching", HERE / "matching.py")
assert _spec is not None and _spec.loader is not None
bench_matching = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_matching)

DATABASE = "zs_bench_sites"
COLUMNS = (
    "id text primary key, kind text not null, lng double precision, lat double precision, area double precision, "
    "divisible boolean, land_use text, chemical boolean, gas boolean, tenure smallint, park text, "
    "available_from date, price double precision, power_kva double precision, water_tpd double precision, "
    "steam_tph double precision, emission_quota double precision, clear_height_m double precision, "
    "floor_load_kn double precision, crane_t double precision"
)
NAMES = [c.split()[0] for c in COLUMNS.split(", ")]

# The bench demand of bench/matching.py: parcel, 30–80 亩, M2/M3, 1,000 kVA, ≤ 35 万元/亩, buy, within 25 km of
# (118.30, 36.83), preferred park 临淄经济开发区, ready by 2025-06-30.
SQL = """
WITH survivors AS (
    SELECT id, area, price, power_kva, park,
           2 * 6371.0088 * asin(sqrt(
               power(sin(radians(lat - %(lat)s) / 2), 2)
               + cos(radians(%(lat)s)) * cos(radians(lat)) * power(sin(radians(lng - %(lng)s) / 2), 2)
           )) AS km
    FROM site
    WHERE kind = 'parcel'
      AND (upper(land_use) LIKE 'M2%%' OR upper(land_use) LIKE 'M3%%')
      AND area >= %(min_area)s AND area <= %(max_area)s
      AND (tenure & 2) = 2
      AND power_kva >= %(power)s
      AND (available_from IS NULL OR available_from <= %(ready)s)
      AND price <= %(max_price)s
)
SELECT id, 100 * (
      0.30 * greatest(0, least(1, 1 - abs(area - %(ideal)s) / %(width)s))
    + 0.25 * greatest(0, least(1, (%(max_price)s - price) / (%(max_price)s / 2.0)))
    + 0.25 * greatest(0, least(1, 1 - km / %(reach)s))
    + 0.10 * greatest(0, least(1, (power_kva - %(power)s) / %(power)s))
    + 0.10 * (park = %(park)s)::int
) AS score
FROM survivors
WHERE km <= %(reach)s
ORDER BY score DESC, id
LIMIT 5
"""


def _row(site: Site) -> tuple[Any, ...]:
    area = site.area_m2
    if site.kind == "parcel" and area is not None:
        area = area / (10000 / 15)
    return (
        site.id, site.kind, site.location[0], site.location[1], area, site.divisible, site.land_use,
        site.chemical_park, site.gas, TENURES[site.tenure], site.park, site.available_from, site.price,
        site.power_kva, site.water_tpd, site.steam_tph, site.emission_quota, site.clear_height_m,
        site.floor_load_kn, site.crane_t,
    )  # fmt: skip


def _site(row: tuple[Any, ...]) -> Site:
    values = dict(zip(NAMES, row, strict=True))
    tenure = {v: k for k, v in TENURES.items()}[values["tenure"]]
    return Site(
        id=values["id"], kind=values["kind"], location=(values["lng"], values["lat"]), area_mu=values["area"],
        land_use=values["land_use"], chemical_park=values["chemical"], gas=values["gas"], tenure=tenure,
        park=values["park"], available_from=values["available_from"], price=values["price"],
        power_kva=values["power_kva"], water_tpd=values["water_tpd"], steam_tph=values["steam_tph"],
        emission_quota=values["emission_quota"],
    )  # fmt: skip


def _median(func: Any, runs: int) -> tuple[float, Any]:
    timings, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    sites = bench_matching.synthetic_sites(args.sites)
    demand = bench_matching.Demand(
        id="bench", kind="parcel", min_area=30, max_area=80, land_use=("M2", "M3"), power_kva=1000,
        max_price=35, lease_or_buy="buy", location=(118.30, 36.83), max_distance_km=25,
        preferred_park=("临淄经济开发区",), ready_by=bench_matching.datetime.date(2025, 6, 30),
    )  # fmt: skip
    options = MatchOptions(today=bench_matching.TODAY)
    start = time.perf_counter()
    table = SiteTable(sites)
    build = time.perf_counter() - start
    engine, result = _median(lambda: match(table, demand, top=5, near=5, options=options), args.runs)

    with psycopg.connect(args.dsn, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    dsn = args.dsn.rsplit("/", 1)[0] + f"/{DATABASE}"
    try:
        with psycopg.connect(dsn, autocommit=True) as db:
            db.execute(f"CREATE TABLE site ({COLUMNS})")
            start = time.perf_counter()
            with db.cursor().copy(f"COPY site ({', '.join(NAMES)}) FROM STDIN") as copy:
                for site in sites:
                    copy.write_row(_row(site))
            db.execute("CREATE INDEX site_kind_area ON site (kind, area)")
            db.execute("ANALYZE site")
            load = time.perf_counter() - start
            params = {
                "lng": 118.30, "lat": 36.83, "min_area": 30, "max_area": 80, "ideal": 55.0, "width": 50.0,
                "power": 1000.0, "ready": bench_matching.datetime.date(2025, 6, 30), "max_price": 35.0,
                "reach": 25.0, "park": "临淄经济开发区",
            }  # fmt: skip
            version = db.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
            db.execute(SQL, params).fetchall()  # warm the cache and the plan
            sql, rows = _median(lambda: db.execute(SQL, params).fetchall(), args.runs)

            def from_database() -> Any:
                selected = db.execute(f"SELECT {', '.join(NAMES)} FROM site WHERE kind = 'parcel'").fetchall()
                return match(SiteTable(_site(r) for r in selected), demand, top=5, near=5, options=options)

            loaded, again = _median(from_database, max(3, args.runs // 5))
    finally:
        with psycopg.connect(args.dsn, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")

    top = [(c.site_id, c.score) for c in result.candidates]
    assert [r[0] for r in rows] == [s for s, _ in top], (rows, top)
    assert all(abs(float(r[1]) - s) < 1e-6 for r, (_, s) in zip(rows, top, strict=True))
    assert [c.site_id for c in again.candidates] == [s for s, _ in top]
    out = io.StringIO()
    out.write(f"sites: {args.sites:,}; feasible for the demand: {result.feasible:,}; PostgreSQL {version}\n")
    out.write(f"SiteTable build (once): {build * 1000:.0f} ms; COPY + index + ANALYZE: {load:.2f} s\n")
    out.write(f"engine (table in memory), median of {args.runs}: {engine * 1000:.2f} ms\n")
    out.write(f"SQL query (filters + score, top 5), median of {args.runs}: {sql * 1000:.2f} ms\n")
    out.write(f"engine loading the parcels from PostgreSQL each time, median: {loaded * 1000:.0f} ms\n")
    out.write(f"ratio SQL / engine: {sql / engine:.1f} x; same top 5 and scores: yes\n")
    sys.stdout.write(out.getvalue())


if __name__ == "__main__":
    main()
