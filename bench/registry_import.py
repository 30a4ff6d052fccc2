"""`registry import` speed on a messy vendor-style CSV made from the synthetic registry.

    .venv/bin/python bench/registry_import.py [--firms 1000000] [--folder /tmp/registry-import-bench]
        [--coords gcj02] [--keep]

The synthetic registry (``registry_generate``) is written out with Chinese headers and the mess of real
extracts: section letters (C3491), class codes that lost their leading zero, empty codes (classified from
the scope), capital as "500万元人民币" or "1.2亿元", dates as 2020年1月5日 or 2020/1/5, status wordings such as
存续（在营、开业、在册）, 开业, 已注销, 吊销，未注销 and 迁出, booleans as 是/否 or 1/0, a lower-case check letter,
a few wrong check characters and a few repeated firms. Then the import runs with ``--skip-bad-rows`` and
the script checks the counts against the registry it came from and prints rows per second and peak memory.

Baseline, in the same process on the same CSV: the hand conversion the deployment guide used to give (DuckDB
``read_csv`` with every column as text, straight to Parquet with the schema's names, no checks, no
normalisation, no classification); the ratio import / baseline is the price of the checks.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import duckdb

from zhaoshang.analytics.registry.importer import registry_import
from zhaoshang.analytics.registry.store import place_industry_matrix, registry_generate

MESSY_SQL = """
COPY (
  SELECT
    CASE WHEN i % 997 = 0 THEN left(uscc, 17) || CASE WHEN right(uscc, 1) = '0' THEN '1' ELSE '0' END
         WHEN i % 50 = 0 THEN lower(uscc) ELSE uscc END AS 统一社会信用代码,
    name AS 企业名称,
    CASE WHEN i % 40 = 0 THEN adcode || '.0' ELSE adcode END AS 所属区县代码,
    CASE WHEN i % 50 = 1 THEN '' WHEN i % 3 = 0 THEN s.section || industry
         WHEN i % 7 = 0 THEN ltrim(industry, '0') ELSE industry END AS 国标行业代码,
    CASE WHEN i % 3 = 0 THEN printf('%.2f万元人民币', registered_capital)
         WHEN i % 11 = 0 THEN printf('%.4f亿元', registered_capital / 10000)
         ELSE CAST(round(registered_capital, 2) AS VARCHAR) END AS "注册资本(万元)",
    insured_employees AS 参保人数,
    CASE WHEN i % 4 = 0 THEN strftime(founded, '%Y年%-m月%-d日') WHEN i % 4 = 1 THEN strftime(founded, '%Y/%-m/%-d')
         ELSE CAST(founded AS VARCHAR) END AS 成立日期,
    CASE WHEN i % 5000 = 0 THEN '迁出'
         WHEN status = '存续' AND i % 5 = 0 THEN '存续（在营、开业、在册）'
         WHEN status = '在业' AND i % 2 = 0 THEN '开业'
         WHEN status = '注销' THEN '已注销' WHEN status = '吊销' THEN '吊销，未注销' ELSE status END AS 登记状态,
    CASE WHEN listed THEN '是' ELSE '否' END AS 上市,
    CASE WHEN specialised THEN '1' ELSE '0' END AS 专精特新,
    CASE WHEN high_tech THEN 'Y' ELSE 'N' END AS 高新技术企业,
    top500 AS 五百强, abnormal AS 经营异常, dishonest AS 失信被执行人,
    branches_24m AS 近24月分支, investments_24m AS 近24月投资, employee_growth AS 参保增长,
    round(lng, 6) AS 经度, round(lat, 6) AS 纬度, scope AS 经营范围
  FROM (SELECT row_number() OVER () AS i, * FROM read_parquet(?)) r
  LEFT JOIN sections s ON s.code = r.industry
  UNION ALL
  SELECT uscc, name, adcode, industry, registered_capital::VARCHAR, insured_employees, founded::VARCHAR, status,
         '否', '0', 'N', false, false, false, 0, 0, 0.0, lng, lat, scope
  FROM read_parquet(?) USING SAMPLE 500 ROWS (reservoir, 7)
) TO '{target}' (HEADER, DELIMITER ',')
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/registry-import-bench"))
    parser.add_argument("--coords", default="gcj02", choices=["wgs84", "gcj02", "bd09"])
    parser.add_argument("--keep", action="store_true", help="reuse the CSV of an earlier run")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    synthetic, messy = args.folder / "synthetic.parquet", args.folder / "messy.csv"
    output = args.folder / "imported.parquet"
    if not (args.keep and messy.exists()):
        registry_generate(synthetic, firms=args.firms, seed=20240223)
        from zhaoshang.standards.industries import ancestors, industries

        con = duckdb.connect()
        pairs = [(c, ancestors(c)[0].code) for c, e in industries().items() if e.level == "class"]
        con.execute("CREATE TABLE sections (code VARCHAR, section VARCHAR)")
        con.executemany("INSERT INTO sections VALUES (?, ?)", pairs)
        con.execute(MESSY_SQL.format(target=messy), [str(synthetic), str(synthetic)])
    size = messy.stat().st_size / 2**20
    plain = args.folder / "plain.parquet"
    start = time.perf_counter()
    duckdb.sql(
        f"COPY (SELECT * FROM read_csv('{messy}', header = true, all_varchar = true)) "
        f"TO '{plain}' (FORMAT parquet, COMPRESSION zstd)"
    )
    baseline = time.perf_counter() - start
    plain.unlink()
    start = time.perf_counter()
    summary = registry_import(
        messy, output, coords=args.coords, skip_bad_rows=True, errors_path=args.folder / "errors.csv",
        step=lambda text: print(f"  {time.perf_counter() - start:6.1f} s  {text}"),
    )  # fmt: skip
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    matrix = place_industry_matrix(output)
    print(
        f"{summary.rows_read:,} rows ({size:,.0f} MB CSV) in {seconds:.1f} s = {summary.rows_read / seconds:,.0f} "
        f"rows/s; peak RSS {peak:.2f} GB\n"
        f"written {summary.written:,}, bad rows skipped {summary.bad_rows:,}, duplicates {summary.duplicates:,}, "
        f"classified by scope {summary.classified:,}; statuses {summary.statuses}; unknown "
        f"{summary.unknown_statuses}\nactive {summary.active:,} = matrix {int(matrix.values.sum()):,}; "
        f"counties {summary.counties:,}; classes {summary.classes:,}\n"
        f"baseline (plain DuckDB CSV → Parquet, no checks): {baseline:.1f} s; import / baseline = "
        f"{seconds / baseline:.1f}"
    )


if __name__ == "__main__":
    main()
