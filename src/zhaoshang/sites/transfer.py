"""Sites as GeoJSON and ESRI Shapefiles, through the same rows, checks and all-or-nothing run as xlsx/csv.

Each feature becomes one row of the site spreadsheet: its properties are matched to the columns by their
Chinese header, by the header without its unit ("土地面积" for "土地面积(亩)", as short .dbf field names have
it) or by the field's English name ("area_mu"); the geometry goes into 范围(GeoJSON) and the file's CRS (a
GeoJSON "crs" member, a Shapefile's .prj, or the one chosen on upload) into 坐标系. The report numbers rows
by feature (1 = the first feature).
"""

from __future__ import annotations

import json
from typing import Any

import tablib
from django.utils.translation import gettext as _

from zhaoshang.core.importing import ImportReport, RowIssue, import_run
from zhaoshang.core.models import District
from zhaoshang.core.validators import localised
from zhaoshang.geo.crs import CoordError, parse_crs
from zhaoshang.sites.models import Site
from zhaoshang.sites.resources import CRS_COLUMN, GEOMETRY_COLUMN, SiteResource
from zhaoshang.sites.shapefile import ShapefileError, read_shapefile_zip

DISTRICT_COLUMN = "区县代码"
EXTRA_ALIASES = {
    "id": "编号",
    "bh": "编号",
    "dkbh": "编号",
    "mc": "名称",
    "dkmc": "名称",
    "mj": "土地面积(亩)",
}


def _aliases(resource: SiteResource) -> dict[str, str]:
    names: dict[str, str] = {}
    for name, resource_field in resource.fields.items():
        column = str(resource_field.column_name)
        for alias in (column, name, resource_field.attribute or "", column.split("(")[0]):
            if alias:
                names.setdefault(alias.strip().lower(), column)
        # A .dbf field name is at most 10 bytes: 5 Chinese characters in GBK.
        short = column.encode("gbk", "ignore")[:10].decode("gbk", "ignore")
        names.setdefault(short.lower(), column)
    for alias, column in EXTRA_ALIASES.items():
        names.setdefault(alias, column)
    return names


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return value


def _default_district(user: Any, district: str | None) -> str:
    if district:
        return str(district)
    profile_district = getattr(getattr(user, "profile", None), "district", None)
    if profile_district is not None:
        return str(profile_district.adcode)
    allowed = list(District.objects.restrict(user, "add", Site).values_list("adcode", flat=True)[:2])
    return allowed[0] if len(allowed) == 1 else ""


def _features(content: bytes) -> tuple[list[tuple[Any, dict[str, Any]]], str | None]:
    """(geometry, properties) pairs and the file's CRS; ValueError with a message for people."""
    if content[:2] == b"PK":
        shapefile = read_shapefile_zip(content)
        return shapefile.features, shapefile.crs
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(_("无法读取 GeoJSON:%(e)s") % {"e": error}) from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise ValueError(_("文件须为 GeoJSON FeatureCollection"))
    crs = None
    if isinstance(data.get("crs"), dict):
        crs = (data["crs"].get("properties") or {}).get("name")
    features = []
    for feature in data["features"]:
        feature = feature if isinstance(feature, dict) else {}
        properties = feature.get("properties")
        features.append((feature.get("geometry"), properties if isinstance(properties, dict) else {}))
    return features, crs


def sites_geo_import(
    *,
    content: bytes,
    user: Any,
    dry_run: bool,
    district: str | None = None,
    crs: str | None = None,
    channel: str = "import",
) -> ImportReport:
    """Import a GeoJSON file or a zipped Shapefile of sites: every feature or none."""
    report = ImportReport()
    try:
        features, file_crs = _features(content)
        system = parse_crs(file_crs or crs or "wgs84")
    except ShapefileError as error:
        report.issues.append(RowIssue(1, _("文件"), localised(error)))
        return report
    except CoordError as error:
        report.issues.append(RowIssue(1, CRS_COLUMN, localised(error)))
        return report
    except ValueError as error:
        report.issues.append(RowIssue(1, _("文件"), str(error)))
        return report
    if not features:
        report.issues.append(RowIssue(1, _("文件"), _("文件中没有要素")))
        return report
    resource = SiteResource(user=user)
    aliases = _aliases(resource)
    headers = [str(h) for h in resource.get_export_headers()]
    adcode = _default_district(user, district)
    dataset = tablib.Dataset(headers=headers)
    for geometry, properties in features:
        row: dict[str, Any] = dict.fromkeys(headers)
        for key, value in properties.items():
            column = aliases.get(str(key).strip().lower())
            if column is not None and column not in (GEOMETRY_COLUMN, CRS_COLUMN) and value not in (None, ""):
                row[column] = _cell(value)
        row[DISTRICT_COLUMN] = row[DISTRICT_COLUMN] or adcode
        row[CRS_COLUMN] = system.key
        row[GEOMETRY_COLUMN] = geometry
        if row["原始坐标系"] is not None and system.key != "wgs84":
            row["原始坐标系"] = None
        dataset.append([row[h] for h in headers])
    report = import_run(resource=resource, dataset=dataset, user=user, dry_run=dry_run, channel=channel)
    for issue in report.issues:
        issue.row = max(issue.row - 1, 1)  # feature numbers, not spreadsheet rows
    return report


def sites_geojson(queryset: Any) -> dict[str, Any]:
    """The sites as a GeoJSON FeatureCollection (WGS84) whose properties are the spreadsheet's columns."""
    resource = SiteResource(user=None)
    headers = [str(h) for h in resource.get_export_headers()]
    features = []
    for site in queryset.select_related("district", "town", "park", "data_owner").order_by(
        "district", "code"
    ):
        values = dict(zip(headers, resource.export_resource(site), strict=True))
        values.pop(GEOMETRY_COLUMN, None)
        properties = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}
        properties = {k: (str(v) if hasattr(v, "as_tuple") else v) for k, v in properties.items()}
        features.append({"type": "Feature", "geometry": site.geometry, "properties": properties})
    return {"type": "FeatureCollection", "features": features}
