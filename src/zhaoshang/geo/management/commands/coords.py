"""`zhaoshang coords`: convert points or a CSV file between coordinate systems, without a database."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhaoshang.geo.coords import CoordError, convert_many, parse_crs


def _fail(zh: str, en: str) -> CommandError:
    return CommandError(f"{zh} — {en}")


def _number(text: str, where_zh: str, where_en: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise _fail(f"{where_zh}“{text}”不是数字", f"{where_en} '{text}' is not a number") from None
    if not math.isfinite(value):
        raise _fail(f"{where_zh}“{text}”不是有限数字", f"{where_en} '{text}' is not a finite number")
    return value


class Command(BaseCommand):
    help = (
        "Convert coordinates between wgs84, cgcs2000, gcj02 (Amap/Tencent), bd09 (Baidu) and epsg:NNNN "
        "(e.g. epsg:4527, CGCS2000 3-degree GK zone 39). Points are LNG,LAT (or X,Y in metres); output has "
        "10 decimals. Negative values need `--` before the points."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("points", nargs="*", metavar="LNG,LAT", help="points to convert")
        parser.add_argument(
            "--from", dest="source", required=True, help="wgs84|cgcs2000|gcj02|bd09|epsg:NNNN"
        )
        parser.add_argument("--to", dest="target", required=True, help="wgs84|cgcs2000|gcj02|bd09|epsg:NNNN")
        parser.add_argument("--input", metavar="FILE.csv", help="convert every row of a CSV file")
        parser.add_argument("--lng-col", default="lng", help="longitude / x column of --input (default lng)")
        parser.add_argument("--lat-col", default="lat", help="latitude / y column of --input (default lat)")
        parser.add_argument("-o", "--output", metavar="FILE.csv", help="write the CSV here instead of stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            source, target = parse_crs(options["source"]), parse_crs(options["target"])
        except CoordError as error:
            raise _fail(error.zh, error.en) from None
        points: list[str] = options["points"]
        if options["input"] and points:
            raise _fail("请只给出点或 --input 文件之一", "Give either points or --input, not both")
        try:
            if options["input"]:
                text = self._convert_csv(Path(options["input"]), source, target, options)
                if options["output"]:
                    Path(options["output"]).write_text(text, encoding="utf-8")
                else:
                    self.stdout.write(text, ending="")
                return
            if not points:
                raise _fail(
                    "请给出要转换的点 LNG,LAT 或 --input 文件", "Give points LNG,LAT or --input FILE.csv"
                )
            xs, ys = [], []
            for i, point in enumerate(points, start=1):
                parts = point.split(",")
                if len(parts) != 2:
                    raise _fail(
                        f"第 {i} 个点“{point}”应写成 经度,纬度", f"Point {i} '{point}' must be LNG,LAT"
                    )
                xs.append(_number(parts[0], f"第 {i} 个点的经度", f"Point {i}'s longitude"))
                ys.append(_number(parts[1], f"第 {i} 个点的纬度", f"Point {i}'s latitude"))
            out_x, out_y = convert_many(xs, ys, source, target)
        except CoordError as error:
            raise _fail(error.zh, error.en) from None
        lines = [f"{x:.10f},{y:.10f}" for x, y in zip(out_x.tolist(), out_y.tolist(), strict=True)]
        text = "\n".join(lines) + "\n"
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

    def _convert_csv(self, path: Path, source: Any, target: Any, options: dict[str, Any]) -> str:
        try:
            # utf-8-sig: CSV saved by Excel starts with a byte-order mark.
            content = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise _fail(f"找不到文件 {path}", f"File not found: {path}") from None
        except UnicodeDecodeError:
            raise _fail(f"{path} 不是 UTF-8 编码的 CSV", f"{path} is not a UTF-8 CSV file") from None
        reader = csv.DictReader(io.StringIO(content, newline=""))
        columns = list(reader.fieldnames or [])
        lng_col, lat_col = options["lng_col"], options["lat_col"]
        for column in (lng_col, lat_col):
            if column not in columns:
                raise _fail(
                    f"{path} 没有列“{column}”（现有列：{', '.join(columns) or '无'}）",
                    f"{path} has no column '{column}' (columns: {', '.join(columns) or 'none'})",
                )
        rows = list(reader)
        xs, ys = [], []
        for line, row in enumerate(rows, start=2):  # line 1 is the header
            if None in row:
                raise _fail(
                    f"{path} 第 {line} 行的列数多于表头", f"{path} line {line} has more cells than the header"
                )
            xs.append(
                _number(
                    row[lng_col] or "", f"{path} 第 {line} 行 {lng_col} 列", f"{path} line {line} {lng_col}"
                )
            )
            ys.append(
                _number(
                    row[lat_col] or "", f"{path} 第 {line} 行 {lat_col} 列", f"{path} line {line} {lat_col}"
                )
            )
        try:
            out_x, out_y = convert_many(xs, ys, source, target)
        except CoordError as error:
            # convert_many counts points from 1; the file's line is that plus the header.
            raise _fail(f"{path}：{error.zh}", f"{path}: {error.en}") from None
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row, x, y in zip(rows, out_x.tolist(), out_y.tolist(), strict=True):
            writer.writerow({**row, lng_col: f"{x:.10f}", lat_col: f"{y:.10f}"})
        return buffer.getvalue()
