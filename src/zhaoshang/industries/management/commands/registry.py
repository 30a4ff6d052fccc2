import re
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console

from zhaoshang.analytics.registry.importer import ImportSummary, RegistryImportError, registry_import
from zhaoshang.analytics.registry.rules import FIELD_LABELS
from zhaoshang.analytics.registry.store import place_industry_matrix, registry_generate

# What DuckDB's memory_limit accepts: a number and a unit (decimal or binary).
MEMORY_SIZE = re.compile(r"\d+(\.\d+)?\s*([KMGT]i?B)", re.IGNORECASE)


def _mapping(text: str) -> tuple[str, str]:
    header, sep, target = text.rpartition("=")
    if not sep or not header or not target:
        raise CommandError(f"--map 须写成 列名=字段，如 --map 企业名称=name，而不是“{text}”")
    return header, target.strip()


class Command(BaseCommand):
    help = (
        "The national enterprise registry (Parquet): `generate` a synthetic one, `import` a vendor's or a "
        "market-regulation bureau's extract (csv, xlsx, parquet), or show `info` on the current one."
    )

    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["generate", "import", "info"])
        parser.add_argument(
            "input", nargs="?", help="import: the extract (.csv UTF-8 or GB18030, .xlsx, .parquet)"
        )
        parser.add_argument("-o", "--output", help="Parquet file (default: settings.NATIONAL_REGISTRY)")
        parser.add_argument("--firms", type=int, default=300_000, help="generate: number of firms")
        parser.add_argument("--seed", type=int, default=20240223)
        parser.add_argument(
            "--map", action="append", default=[], metavar="列名=字段",
            help="import: read this column as this registry field, e.g. --map 企业名称=name (repeatable)",
        )  # fmt: skip
        parser.add_argument("--coords", choices=["wgs84", "gcj02", "bd09"], default="wgs84",
                            help="import: coordinate system of 经度/纬度 (converted to WGS84)")  # fmt: skip
        parser.add_argument("--capital-unit", choices=["yuan", "wan"],
                            help="import: unit of bare numbers in 注册资本 (default: header, else 万元)")  # fmt: skip
        parser.add_argument("--dry-run", action="store_true", help="import: check and report, write nothing")
        parser.add_argument("--skip-bad-rows", action="store_true",
                            help="import: write the good rows even when some rows have errors")  # fmt: skip
        parser.add_argument("--errors", metavar="ERRORS.csv", help="import: every row error, as CSV")
        parser.add_argument("--memory-limit", metavar="SIZE",
                            help="import: most memory DuckDB may use before it spills to disk, e.g. 2GB "
                                 "(default: 80%% of the machine's)")  # fmt: skip

    def handle(self, *args, **options):
        path = Path(options["output"] or settings.NATIONAL_REGISTRY)
        if options["action"] == "generate":
            path.parent.mkdir(parents=True, exist_ok=True)
            start = time.perf_counter()
            registry_generate(path, firms=options["firms"], seed=options["seed"])
            self.stdout.write(
                f"已生成 {options['firms']:,} 家企业 → {path} ({time.perf_counter() - start:.1f} s)"
            )
            return
        if options["action"] == "import":
            return self._import(path, options)
        if not path.is_file():
            raise CommandError(f"没有全国企业库文件 {path}")
        matrix = place_industry_matrix(path)
        self.stdout.write(
            f"{path}: {int(matrix.values.sum()):,} 家在营企业, {len(matrix.places):,} 个区县, "
            f"{len(matrix.industries):,} 个行业小类"
        )

    def _import(self, path, options):
        if not options["input"]:
            raise CommandError("请给出要导入的文件：zhaoshang registry import 文件.csv [-o 输出.parquet]")
        overrides = dict(_mapping(m) for m in options["map"])
        limit = options["memory_limit"]
        if limit is not None and not MEMORY_SIZE.fullmatch(limit.strip()):
            raise CommandError(
                f"--memory-limit 须为数字加单位, 如 2GB 或 500MB: “{limit}” — "
                f"--memory-limit must be a number and a unit such as 2GB or 500MB: '{limit}'"
            )
        console = Console(file=self.stdout._out, highlight=False, soft_wrap=True)
        try:
            with console.status("导入全国企业库") as status:
                summary = registry_import(
                    options["input"], path, overrides=overrides, coords=options["coords"],
                    capital_unit=options["capital_unit"], dry_run=options["dry_run"],
                    skip_bad_rows=options["skip_bad_rows"], errors_path=options["errors"],
                    memory_limit=limit.strip() if limit else None, step=lambda text: status.update(text),
                )  # fmt: skip
        except RegistryImportError as error:
            raise CommandError(str(error)) from error
        self._report(summary, path, options)

    def _report(self, summary: ImportSummary, path, options):
        out = self.stdout.write
        source = f"（{summary.encoding.upper()}）" if summary.encoding else ""
        out(f"读取 {summary.rows_read:,} 行{source}")
        headers = summary.headers
        if headers.missing_optional:
            missing = "、".join(FIELD_LABELS[f] for f in headers.missing_optional)
            out(f"文件中没有这些列，取默认值（否/0/空）：{missing}")
        if headers.ignored:
            out(f"同义的列只读第一个，未读：{'、'.join(headers.ignored)}")
        if headers.unused:
            out(f"未使用的列：{'、'.join(headers.unused)}")
        if "registered_capital" in headers.columns:
            out(f"注册资本的纯数字按{'万元' if summary.capital_unit == 'wan' else '元'}计")
        if summary.classified:
            extra = (
                f"（其中 {summary.classified_bad_code:,} 家行业代码不可用）"
                if summary.classified_bad_code
                else ""
            )
            out(f"按经营范围归入行业小类：{summary.classified:,} 家{extra}")
        if summary.duplicates:
            out(f"统一社会信用代码重复：{summary.duplicates:,} 行，各保留首次出现的一行")
        if summary.unknown_statuses:
            unknown = "、".join(
                f"{k} {v:,}" for k, v in sorted(summary.unknown_statuses.items(), key=lambda kv: -kv[1])
            )
            out(f"未识别的登记状态（保留原文，按不在营计）：{unknown}")
        if summary.first_errors:
            shown = len(summary.first_errors)
            out(f"错误（前 {shown} 条）：" if summary.errors > shown else "错误：")
            for error in summary.first_errors:
                out(f"  第 {error.row} 行，{error.column}：{error.message}")
            if options["errors"]:
                out(f"全部错误和重复行见 {options['errors']}")
        if summary.bad_rows and not options["skip_bad_rows"]:
            raise CommandError(
                f"{summary.bad_rows:,} 行有错误（共 {summary.errors:,} 处），未写入任何数据"
                + ("（试运行）" if options["dry_run"] else f"，{path} 未改动")
                + "。改正后重新导入，或加 --skip-bad-rows 跳过这些行"
            )
        if summary.bad_rows:
            out(f"跳过有错误的行：{summary.bad_rows:,} 行")
        statuses = "、".join(f"{k} {v:,}" for k, v in summary.statuses.items())
        out(f"登记状态：{statuses}")
        verb = "可写入" if options["dry_run"] else "已写入"
        target = "（试运行，未写入）" if options["dry_run"] else f" → {path}"
        out(
            f"{verb} {summary.written:,} 家企业{target}：在营 {summary.active:,} 家，{summary.counties:,} 个区县，"
            f"{summary.classes:,} 个行业小类；用时 {summary.seconds:.1f} s"
        )
