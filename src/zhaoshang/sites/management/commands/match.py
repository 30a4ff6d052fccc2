"""`zhaoshang match`: match demands to sites from files, without a database (schema: docs/match-schema.md)."""

from __future__ import annotations

import datetime
import io
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table
from shapely.geometry import shape

from zhaoshang.analytics.matching.assignment import BatchAssignment, assign_demands
from zhaoshang.analytics.matching.engine import (
    INFLUENCE,
    Demand,
    MatchError,
    MatchOptions,
    MatchResult,
    Site,
    SiteTable,
    match,
)
from zhaoshang.analytics.matching.model import NEED_FIELDS
from zhaoshang.geo.coords import WGS84, CoordError, CoordSystem, convert_many, geometry_area, parse_crs
from zhaoshang.standards.parsers import ParseError, parse_date, parse_decimal, parse_yes_no

SITE_NUMBERS = ("area_mu", "floor_area_m2", "land_area_m2", *NEED_FIELDS, "price")
SITE_FLAGS = ("chemical_park", "gas", "divisible")
SITE_TEXTS = ("land_use", "park", "name", "tenure")
DEMAND_NUMBERS = ("min_area", "max_area", *NEED_FIELDS, "max_price", "max_distance_km")
DEMAND_FIELDS = frozenset(
    DEMAND_NUMBERS
    + ("id", "kind", "land_use", "chemical", "gas", "lease_or_buy", "preferred_park", "location", "ready_by")
    + ("weights",)
)


class _Where:
    """Names the place of a bad value in both languages: 'sites features[3] (id=P-4)'."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en

    def error(self, field: str, zh: str, en: str) -> CommandError:
        where_field_zh = f"的字段 {field}" if field else ""
        where_field_en = f" field {field}" if field else ""
        return CommandError(f"{self.zh}{where_field_zh}：{zh} — {self.en}{where_field_en}: {en}")


def _read_json(path: Path, what_zh: str, what_en: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise CommandError(f"找不到{what_zh} {path} — {what_en} not found: {path}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(
            f"{what_zh} {path} 不是有效的 JSON：{error} — {what_en} {path} is not valid JSON"
        ) from None


def _parsed(where: _Where, field: str, value: Any, parse: Callable[[Any], Any]) -> Any:
    try:
        return parse(value)
    except ParseError as error:
        raise where.error(field, error.zh, error.en) from None


def _number(where: _Where, props: Mapping[str, Any], field: str, *, required: bool = False) -> float | None:
    value = props.get(field)
    if value is None or value == "":
        if required:
            raise where.error(field, "缺少此字段", "is missing")
        return None
    if isinstance(value, bool):
        raise where.error(field, f"{value} 不是数字", f"{value} is not a number")
    number = float(_parsed(where, field, value, parse_decimal))
    if not (math.isfinite(number) and number >= 0):
        raise where.error(field, f"须为不小于 0 的数字，而不是 {value}", f"must be a number ≥ 0, not {value}")
    return number


def _flag(where: _Where, props: Mapping[str, Any], field: str) -> bool:
    value = props.get(field)
    return False if value is None else bool(_parsed(where, field, value, parse_yes_no))


def _date(where: _Where, props: Mapping[str, Any], field: str) -> datetime.date | None:
    value = props.get(field)
    return None if value in (None, "") else _parsed(where, field, value, parse_date)


def _text(where: _Where, props: Mapping[str, Any], field: str) -> str:
    value = props.get(field)
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise where.error(field, "须为文字", "must be text")
    return str(value).strip()


def _texts(where: _Where, props: Mapping[str, Any], field: str) -> tuple[str, ...]:
    value = props.get(field)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise where.error(
            field, '须为文字列表，如 ["M2", "M3"]', 'must be a list of text such as ["M2", "M3"]'
        )
    return tuple(v.strip() for v in value)


def read_sites(path: Path) -> list[Site]:
    """Sites from a GeoJSON FeatureCollection (see docs/match-schema.md)."""
    data = _read_json(path, "场地文件", "sites file")
    top = _Where(f"场地文件 {path}", f"sites file {path}")
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise top.error("", "须为 GeoJSON FeatureCollection", "must be a GeoJSON FeatureCollection")
    system: CoordSystem = WGS84
    if data.get("crs") is not None:
        name = data["crs"].get("properties", {}).get("name") if isinstance(data["crs"], dict) else None
        try:
            system = parse_crs(name if isinstance(name, str) else "")
        except CoordError as error:
            raise top.error("crs", error.zh, error.en) from None
    rows: list[dict[str, Any]] = []
    centres: list[tuple[float, float]] = []
    for i, feature in enumerate(data["features"]):
        props = feature.get("properties") if isinstance(feature, dict) else None
        site_id = props.get("id") if isinstance(props, dict) else None
        label = f"features[{i}]" + (f"（id={site_id}）" if site_id is not None else "")
        where = _Where(
            f"场地文件 {label}", f"sites file features[{i}]" + (f" (id={site_id})" if site_id else "")
        )
        if not isinstance(props, dict):
            raise where.error("properties", "缺少 properties", "has no properties")
        if not isinstance(site_id, str | int) or isinstance(site_id, bool) or str(site_id).strip() == "":
            raise where.error("id", "缺少 id 或不是文字", "is missing or not text")
        try:
            geometry = shape(feature.get("geometry"))
            if geometry.is_empty:
                raise ValueError
        except (AttributeError, KeyError, TypeError, ValueError, shapely.errors.ShapelyError):
            raise where.error("geometry", "须为有效的点或面", "must be a valid Point or Polygon") from None
        row: dict[str, Any] = {"id": str(site_id).strip(), "kind": _text(where, props, "kind")}
        for field in SITE_NUMBERS:
            row[field] = _number(where, props, field)
        for field in SITE_FLAGS:
            row[field] = _flag(where, props, field)
        for field in SITE_TEXTS:
            row[field] = _text(where, props, field)
        row["tenure"] = row["tenure"] or "both"
        row["available_from"] = _date(where, props, "available_from")
        if (
            row["kind"] == "parcel"
            and row["area_mu"] is None
            and geometry.geom_type in ("Polygon", "MultiPolygon")
        ):
            try:
                row["area_mu"] = geometry_area(
                    geometry, system
                ).mu  # surveyed outline, measured in its GK zone
            except CoordError as error:
                raise where.error("geometry", error.zh, error.en) from None
        rows.append(row)
        centroid = geometry.centroid
        centres.append((float(centroid.x), float(centroid.y)))
    try:
        lng, lat = convert_many([c[0] for c in centres], [c[1] for c in centres], system, WGS84)
    except CoordError as error:
        raise top.error("geometry", error.zh, error.en) from None
    sites = []
    for i, row in enumerate(rows):
        try:
            sites.append(Site(location=(float(lng[i]), float(lat[i])), **row))
        except MatchError as error:
            where = _Where(
                f"场地文件 features[{i}]（id={row['id']}）", f"sites file features[{i}] (id={row['id']})"
            )
            raise where.error(error.field, error.zh, error.en) from None
    return sites


def read_demands(path: Path) -> list[Demand]:
    """Demands from a JSON list of objects (see docs/match-schema.md)."""
    data = _read_json(path, "需求文件", "demands file")
    if not isinstance(data, list):
        raise CommandError(f"需求文件 {path} 须为 JSON 数组 — demands file {path} must be a JSON list")
    demands = []
    for i, item in enumerate(data):
        demand_id = item.get("id") if isinstance(item, dict) else None
        suffix_zh = f"（id={demand_id}）" if demand_id is not None else ""
        suffix_en = f" (id={demand_id})" if demand_id is not None else ""
        where = _Where(f"需求文件 [{i}]{suffix_zh}", f"demands file [{i}]{suffix_en}")
        if not isinstance(item, dict):
            raise where.error("", "须为 JSON 对象", "must be a JSON object")
        unknown = sorted(set(item) - DEMAND_FIELDS)
        if unknown:
            raise where.error(unknown[0], "不是已知字段（拼写错误？）", "is not a known field (a typo?)")
        if (
            not isinstance(demand_id, str | int)
            or isinstance(demand_id, bool)
            or str(demand_id).strip() == ""
        ):
            raise where.error("id", "缺少 id 或不是文字", "is missing or not text")
        fields: dict[str, Any] = {"id": str(demand_id).strip(), "kind": _text(where, item, "kind")}
        for field in DEMAND_NUMBERS:
            required = field in ("min_area", "max_area")
            value = _number(where, item, field, required=required)
            if value is not None:
                fields[field] = value
        fields["chemical"] = _flag(where, item, "chemical")
        fields["gas"] = _flag(where, item, "gas")
        fields["land_use"] = _texts(where, item, "land_use")
        fields["preferred_park"] = _texts(where, item, "preferred_park")
        fields["lease_or_buy"] = _text(where, item, "lease_or_buy") or "either"
        fields["ready_by"] = _date(where, item, "ready_by")
        location = item.get("location")
        if location is not None:
            if not (
                isinstance(location, list)
                and len(location) == 2
                and all(isinstance(v, int | float) and not isinstance(v, bool) for v in location)
            ):
                raise where.error("location", "须为 [经度, 纬度]", "must be [lng, lat]")
            fields["location"] = (float(location[0]), float(location[1]))
        weights = item.get("weights")
        if weights is not None:
            if not isinstance(weights, dict):
                raise where.error(
                    "weights",
                    f'须为对象，如 {{"price": 40}}；准则：{", ".join(INFLUENCE)}',
                    "must be an object",
                )
            fields["weights"] = {
                str(k): _number(where, weights, str(k), required=True) or 0.0 for k in weights
            }
        try:
            demands.append(Demand(**fields))
        except MatchError as error:
            raise where.error(error.field, error.zh, error.en) from None
    seen: set[str] = set()
    for i, demand in enumerate(demands):
        if demand.id in seen:
            raise CommandError(
                f"需求文件 [{i}] 的 id {demand.id} 重复 — demands file [{i}]: duplicate id {demand.id}"
            )
        seen.add(demand.id)
    return demands


def _clean(value: Any) -> Any:
    """JSON-friendly: floats rounded to 4 decimals, NaN/inf as null."""
    if isinstance(value, float):
        return round(value, 4) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        return _clean(value.item())
    return value


def _report(results: list[MatchResult], batch: BatchAssignment | None) -> dict[str, Any]:
    report: dict[str, Any] = {
        "feasible": {r.demand_id: r.feasible for r in results},
        "candidates": {
            r.demand_id: [
                {"site": c.site_id, "score": c.score, "reasons": [asdict(x) for x in c.reasons]}
                for c in r.candidates
            ]
            for r in results
        },
        "near_misses": {
            r.demand_id: [
                {"site": n.site_id, "score": n.score, "failed": [asdict(x) for x in n.failed]}
                for n in r.near_misses
            ]
            for r in results
        },
    }
    if batch is not None:
        report.update(
            assignment=batch.assignment,
            assignment_scores=batch.scores,
            total_score=batch.total_score,
            greedy_assignment=batch.greedy_assignment,
            greedy_total_score=batch.greedy_total_score,
            optimal=batch.optimal,
            method=batch.method,
            upper_bound=batch.upper_bound,
        )
    cleaned: dict[str, Any] = _clean(report)
    return cleaned


def _tables(results: list[MatchResult], batch: BatchAssignment | None) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=160, force_terminal=False, color_system=None)
    for r in results:
        table = Table(title=f"需求 {r.demand_id}：{r.feasible} 个场地满足全部条件", show_lines=True)
        for column in ("排名", "场地", "得分"):
            table.add_column(column, no_wrap=True)
        table.add_column("理由", overflow="fold")
        for rank, c in enumerate(r.candidates, start=1):
            table.add_row(str(rank), c.site_id, f"{c.score:.1f}", "\n".join(x.zh for x in c.reasons))
        console.print(table)
        if r.near_misses:
            near = Table(title=f"需求 {r.demand_id}：差一点满足的场地", show_lines=True)
            for column in ("场地", "得分"):
                near.add_column(column, no_wrap=True)
            near.add_column("未满足的条件", overflow="fold")
            for n in r.near_misses:
                near.add_row(n.site_id, f"{n.score:.1f}", "\n".join(m.zh for m in n.failed))
            console.print(near)
    if batch is not None:
        table = Table(title="统筹分配与先到先得")
        for column in ("需求", "最优分配", "先到先得"):
            table.add_column(column)
        for demand_id, site_id in batch.assignment.items():
            table.add_row(demand_id, site_id or "—", batch.greedy_assignment[demand_id] or "—")
        console.print(table)
        proof = "已证明最优" if batch.optimal else f"未证明最优，上界 {batch.upper_bound:.2f}"
        console.print(
            f"总分：最优分配 {batch.total_score:.2f}（{proof}），先到先得 {batch.greedy_total_score:.2f}"
        )
    return buffer.getvalue()


class Command(BaseCommand):
    help = (
        "Match demands (JSON) against sites (GeoJSON): hard filters, weighted scores with reasons, near "
        "misses, and with --assign the optimal assignment of competing demands. No database needed."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sites", required=True, metavar="SITES.geojson")
        parser.add_argument("--demands", required=True, metavar="DEMANDS.json")
        parser.add_argument(
            "--top", type=int, default=5, help="candidates per demand (0 = every feasible site)"
        )
        parser.add_argument("--near", type=int, default=5, help="near misses per demand (0 = all)")
        parser.add_argument("--assign", action="store_true", help="assign the demands to sites, best total")
        parser.add_argument("--format", choices=("json", "table"), default="table")
        parser.add_argument(
            "--area-tolerance", type=float, default=0.0, help="0.05 accepts areas 5%% outside"
        )
        parser.add_argument("--scale", choices=("anchored", "candidates"), default="anchored")
        parser.add_argument(
            "--today", help="date for 'available' when a demand has no ready_by (default today)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["top"] < 0 or options["near"] < 0:
            raise CommandError("--top 与 --near 不能为负数 — --top and --near cannot be negative")
        if not 0 <= options["area_tolerance"] < 1:
            raise CommandError("--area-tolerance 须在 0 到 1 之间 — --area-tolerance must be in [0, 1)")
        try:
            today = parse_date(options["today"]) if options["today"] else datetime.date.today()
        except ParseError as error:
            raise CommandError(f"--today：{error.zh} — --today: {error.en}") from None
        sites = read_sites(Path(options["sites"]))
        demands = read_demands(Path(options["demands"]))
        try:
            table = SiteTable(sites)
        except MatchError as error:
            raise CommandError(f"场地文件：{error.zh} — sites file: {error.en}") from None
        match_options = MatchOptions(
            area_tolerance=options["area_tolerance"], scale=options["scale"], today=today
        )
        results = [
            match(table, demand, top=options["top"], near=options["near"], options=match_options)
            for demand in demands
        ]
        batch = assign_demands(table, demands, options=match_options) if options["assign"] else None
        if options["format"] == "json":
            self.stdout.write(json.dumps(_report(results, batch), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(_tables(results, batch), ending="")
