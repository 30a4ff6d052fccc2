"""``zhaoshang export progress-table --month 2026-11 [--district ADCODE | --city ADCODE] -o 表.xlsx``."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from zhaoshang.core.models import City, District
from zhaoshang.projects.outputs.progress_table import (
    ALL_LEVELS,
    CITY_LEVELS,
    Selection,
    progress_table,
    workbook,
)


def progress_table_export(user: Any, options: dict[str, Any]) -> str:
    """The monthly 重大项目推进情况表 (xlsx, A4 landscape), as the web page's download makes it."""
    output = Path(options["output"])
    if output.suffix.lower() != ".xlsx":
        raise ValueError(f"推进情况表只输出 .xlsx: {output}")
    current = datetime.date.today().replace(day=1)
    try:
        month = datetime.date.fromisoformat((options.get("month") or current.strftime("%Y-%m")) + "-01")
    except ValueError:
        raise ValueError(f"月份应为 YYYY-MM: {options.get('month')}") from None
    if month > current:
        raise ValueError(f"{month:%Y-%m} 尚未开始,没有推进情况表")
    districts = District.objects.restrict(user, "export")
    if not districts.exists():
        raise ValueError(f"用户 {user.username} 没有导出权限")
    district = city = None
    if options.get("district"):
        district = districts.filter(adcode=options["district"]).first()
        if district is None:
            raise ValueError(f"区县 {options['district']} 不存在或不在权限范围内")
    elif options.get("city"):
        city = City.objects.filter(adcode=options["city"], pk__in=districts.values("city")).first()
        if city is None:
            raise ValueError(f"城市 {options['city']} 不存在或不在权限范围内")
    levels = ALL_LEVELS if options.get("lists") == "all" else CITY_LEVELS
    selection = Selection(month=month, district=district, city=city, levels=tuple(levels))
    table = progress_table(user, selection)
    output.write_bytes(workbook(table, selection))
    return f"已导出 {selection.title}({table.total.count} 个项目)到 {output}"
