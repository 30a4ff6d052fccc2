"""The `match` command on GeoJSON sites and JSON demands (no database)."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from zhaoshang.geo.coords import convert, haversine_km

SITES: dict[str, Any] = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [118.312, 36.821]},
            "properties": {
                "id": "P-1",
                "kind": "parcel",
                "area_mu": 50,
                "land_use": "M3",
                "chemical_park": True,
                "power_kva": 4000,
                "price": 24,
                "park": "齐鲁化学工业区",
            },
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [118.35, 36.85]},
            "properties": {
                "id": "P-2",
                "kind": "parcel",
                "area_mu": 45,
                "land_use": "M3",
                "chemical_park": True,
                "power_kva": 1500,
                "price": 22,
                "park": "齐鲁化学工业区",
            },
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [118.28, 36.80]},
            "properties": {
                "id": "P-3",
                "kind": "parcel",
                "area_mu": 58,
                "land_use": "M2",
                "chemical_park": False,
                "power_kva": 3000,
                "price": 28,
                "park": "临淄经济开发区",
            },
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [118.30, 36.83]},
            "properties": {
                "id": "B-1",
                "kind": "building",
                "floor_area_m2": 12000,
                "land_use": "M1",
                "chemical_park": False,
                "power_kva": 2000,
                "price": 15,
                "divisible": True,
                "clear_height_m": 9,
                "tenure": "lease",
                "available_from": "2024年12月",
            },
        },
    ],
}
DEMANDS: list[dict[str, Any]] = [
    {
        "id": "D-plant",
        "kind": "parcel",
        "min_area": 40,
        "max_area": 60,
        "land_use": ["M2", "M3"],
        "chemical": False,
        "power_kva": 1000,
        "max_price": 30,
        "location": [118.31, 36.82],
        "weights": {"area": 1},
    },
    {
        "id": "D-chem",
        "kind": "parcel",
        "min_area": 40,
        "max_area": 60,
        "land_use": ["M3"],
        "chemical": True,
        "power_kva": 2000,
        "max_price": 30,
        "location": [118.31, 36.82],
        "preferred_park": "齐鲁化学工业区",
    },
    {
        "id": "D-ws1",
        "kind": "building",
        "min_area": 5000,
        "max_area": 7000,
        "land_use": ["M"],
        "power_kva": 500,
    },
    {
        "id": "D-ws2",
        "kind": "building",
        "min_area": 4000,
        "max_area": 6000,
        "land_use": ["M"],
        "power_kva": 500,
    },
    {
        "id": "D-ws3",
        "kind": "building",
        "min_area": 4000,
        "max_area": 6000,
        "land_use": ["M"],
        "power_kva": 500,
    },
]


def write(tmp_path: Path, sites: Any = None, demands: Any = None) -> tuple[Path, Path]:
    site_file, demand_file = tmp_path / "sites.geojson", tmp_path / "demands.json"
    site_file.write_text(json.dumps(SITES if sites is None else sites, ensure_ascii=False), "utf-8")
    demand_file.write_text(json.dumps(DEMANDS if demands is None else demands, ensure_ascii=False), "utf-8")
    return site_file, demand_file


def run(site_file: Path, demand_file: Path, *args: str) -> str:
    out = io.StringIO()
    call_command(
        "match",
        "--sites",
        str(site_file),
        "--demands",
        str(demand_file),
        "--today",
        "2025-01-01",
        *args,
        stdout=out,
    )
    return out.getvalue()


def run_json(tmp_path: Path, *args: str, sites: Any = None, demands: Any = None) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(run(*write(tmp_path, sites, demands), "--format", "json", *args))
    return result


def test_candidates_reasons_and_near_misses(tmp_path: Path) -> None:
    report = run_json(tmp_path)
    assert set(report) == {"feasible", "candidates", "near_misses"}
    assert [c["site"] for c in report["candidates"]["D-chem"]] == ["P-1"]
    assert report["feasible"] == {"D-plant": 3, "D-chem": 1, "D-ws1": 1, "D-ws2": 1, "D-ws3": 1}
    best = report["candidates"]["D-chem"][0]
    assert 0 < best["score"] <= 100
    assert [r["criterion"] for r in best["reasons"]] == ["area", "price", "distance", "power", "park"]
    assert all(r["zh"] for r in best["reasons"])
    assert sum(r["points"] for r in best["reasons"]) == pytest.approx(best["score"], abs=1e-3)
    assert [n["site"] for n in report["near_misses"]["D-chem"]] == ["P-2", "P-3"]  # 1 failure, then 2
    assert [m["constraint"] for m in report["near_misses"]["D-chem"][1]["failed"]] == ["chemical", "land_use"]
    near = report["near_misses"]["D-chem"][0]
    assert near["failed"] == [
        {
            "constraint": "power",
            "need": 2000.0,
            "have": 1500.0,
            "short": 500.0,
            "unit": "kVA",
            "zh": "电力余量 1,500 kVA，比需要的 2,000 少 500 kVA",
        }
    ]


def test_top_zero_returns_every_feasible_site(tmp_path: Path) -> None:
    report = run_json(tmp_path, "--top", "0")
    assert len(report["candidates"]["D-plant"]) == report["feasible"]["D-plant"] == 3
    assert len(run_json(tmp_path, "--top", "1")["candidates"]["D-plant"]) == 1
    scores = [c["score"] for c in report["candidates"]["D-plant"]]
    assert scores == sorted(scores, reverse=True)


def test_assign(tmp_path: Path) -> None:
    report = run_json(tmp_path, "--assign")
    assert report["assignment"]["D-chem"] == "P-1"
    assert report["assignment"]["D-plant"] == "P-2"  # greedy gives it P-1 and leaves D-chem without a site
    assert report["greedy_assignment"]["D-plant"] == "P-1" and report["greedy_assignment"]["D-chem"] is None
    assert report["total_score"] > report["greedy_total_score"]
    assert report["optimal"] is True
    # The 12,000 m² divisible hall takes two of the three workshops (5,000 + 4,000 or 4,000 + 4,000), not all.
    in_hall = [d for d in ("D-ws1", "D-ws2", "D-ws3") if report["assignment"][d] == "B-1"]
    assert len(in_hall) == 2
    assert sum(v for v in report["assignment_scores"].values() if v is not None) == pytest.approx(
        report["total_score"], abs=1e-3
    )


def test_table_format(tmp_path: Path) -> None:
    text = run(*write(tmp_path), "--assign")
    assert "需求 D-chem" in text and "P-1" in text and "差一点满足" in text and "先到先得" in text
    assert "已证明最优" in text


def test_projected_crs_is_converted_to_wgs84(tmp_path: Path) -> None:
    projected = copy.deepcopy(SITES)
    projected["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4527"}}
    for feature in projected["features"]:
        lng, lat = feature["geometry"]["coordinates"]
        feature["geometry"]["coordinates"] = list(convert(lng, lat, "wgs84", "epsg:4527"))
    plain = run_json(tmp_path)
    converted = run_json(tmp_path, sites=projected)
    for demand_id, ranked in plain["candidates"].items():
        again = converted["candidates"][demand_id]
        assert [c["site"] for c in again] == [c["site"] for c in ranked]
        assert [c["score"] for c in again] == pytest.approx([c["score"] for c in ranked], abs=1e-3)
    distance = next(
        r for r in converted["candidates"]["D-chem"][0]["reasons"] if r["criterion"] == "distance"
    )
    assert distance["value"] == pytest.approx(haversine_km(118.312, 36.821, 118.31, 36.82), abs=1e-3)


def test_parcel_area_from_its_polygon(tmp_path: Path) -> None:
    sites = copy.deepcopy(SITES)
    p1 = sites["features"][0]
    del p1["properties"]["area_mu"]
    # About 50 亩 (33,333 m²): 182.57 m square, in zone 39 coordinates.
    x, y = convert(118.312, 36.821, "wgs84", "epsg:4527")
    half = 182.574 / 2
    ring = [
        [x - half, y - half],
        [x + half, y - half],
        [x + half, y + half],
        [x - half, y + half],
        [x - half, y - half],
    ]
    ring = [list(convert(px, py, "epsg:4527", "wgs84")) for px, py in ring]
    p1["geometry"] = {"type": "Polygon", "coordinates": [ring]}
    report = run_json(tmp_path, sites=sites)
    area = next(r for r in report["candidates"]["D-chem"][0]["reasons"] if r["criterion"] == "area")
    assert area["value"] == pytest.approx(50, abs=0.01)


def feature(i: int) -> dict[str, Any]:
    copied: dict[str, Any] = copy.deepcopy(SITES["features"][i])
    return copied


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s.pop("features"), "FeatureCollection"),
        (lambda s: s["features"][1]["properties"].pop("id"), "features[1] field id"),
        (lambda s: s["features"][1]["properties"].update(kind="house"), "features[1] (id=P-2) field kind"),
        (
            lambda s: s["features"][1]["properties"].update(power_kva=-5),
            "features[1] (id=P-2) field power_kva",
        ),
        (lambda s: s["features"][1]["properties"].update(power_kva="lots"), "field power_kva"),
        (lambda s: s["features"][1]["properties"].update(chemical_park="maybe"), "field chemical_park"),
        (lambda s: s["features"][1]["properties"].update(available_from="soon"), "field available_from"),
        (lambda s: s["features"][1]["properties"].pop("area_mu"), "features[1] (id=P-2) field area_mu"),
        (lambda s: s["features"][2].update(geometry=None), "features[2] (id=P-3) field geometry"),
        (lambda s: s["features"][2].update(geometry={"type": "Point", "coordinates": [500, 36]}), "geometry"),
        (lambda s: s.update(crs={"type": "name", "properties": {"name": "EPSG:2436"}}), "field crs"),
        (lambda s: s["features"].append(feature(0)), "Duplicate site id P-1"),
    ],
)
def test_site_schema_errors(tmp_path: Path, change: Any, expected: str) -> None:
    sites = copy.deepcopy(SITES)
    change(sites)
    with pytest.raises(CommandError) as caught:
        run(*write(tmp_path, sites=sites))
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d[1].pop("min_area"), "[1] (id=D-chem) field min_area: is missing"),
        (lambda d: d[1].update(min_area=70), "field min_area"),
        (lambda d: d[2].update(kind="office"), "[2] (id=D-ws1) field kind"),
        (lambda d: d[0].update(location=[118.3]), "[0] (id=D-plant) field location"),
        (lambda d: d[0].update(land_use=[1]), "field land_use"),
        (lambda d: d[0].update(power_kw=100), "[0] (id=D-plant) field power_kw: is not a known field"),
        (lambda d: d[0].update(weights={"beauty": 3}), "field weights"),
        (lambda d: d[0].update(ready_by="next year"), "field ready_by"),
        (lambda d: d[0].update(lease_or_buy="rent"), "field lease_or_buy"),
        (lambda d: d.append(dict(d[0])), "duplicate id D-plant"),
        (lambda d: d.append("D-9"), "[5]: must be a JSON object"),
    ],
)
def test_demand_schema_errors(tmp_path: Path, change: Any, expected: str) -> None:
    demands = copy.deepcopy(DEMANDS)
    change(demands)
    with pytest.raises(CommandError) as caught:
        run(*write(tmp_path, demands=demands))
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_file_errors(tmp_path: Path) -> None:
    site_file, demand_file = write(tmp_path)
    with pytest.raises(CommandError, match="not found"):
        run(tmp_path / "missing.geojson", demand_file)
    demand_file.write_text("{not json", "utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        run(site_file, demand_file)
    demand_file.write_text('{"id": "D"}', "utf-8")
    with pytest.raises(CommandError, match="must be a JSON list"):
        run(site_file, demand_file)
    write(tmp_path)
    with pytest.raises(CommandError, match="negative"):
        run(site_file, demand_file, "--top", "-1")
    with pytest.raises(CommandError, match="--today"):
        run(site_file, demand_file, "--today", "someday")
