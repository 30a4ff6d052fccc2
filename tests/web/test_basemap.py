"""Maps know their basemap: 天地图 from its key (and the CSP lets in exactly its origin), an intranet tile server,
or, with none, the county boundaries the project ships and a note saying why there are no roads."""

from __future__ import annotations

import json
import re
from typing import Any

from django.test import override_settings

from zhaoshang.web import boundaries
from zhaoshang.web.context import map_config
from zhaoshang.web.csp import policy

TIANDITU = "https://t{s}.tianditu.gov.cn/vec_w/wmts?LAYER=vec&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=k"
LABELS = "https://t{s}.tianditu.gov.cn/cva_w/wmts?LAYER=cva&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=k"


def _images(header: str) -> str:
    return re.search(r"img-src ([^;]*)", header).group(1)


def test_the_csp_lets_in_the_tianditu_origin_only_when_configured() -> None:
    with override_settings(MAP_TILES="", MAP_TILES_LABELS=""):
        assert _images(policy()) == "'self' data: blob:"
    with override_settings(MAP_TILES=TIANDITU, MAP_TILES_LABELS=LABELS):
        assert _images(policy()) == "'self' data: blob: https://*.tianditu.gov.cn"


def test_the_tianditu_key_gives_the_vector_map_and_its_labels(monkeypatch: Any) -> None:
    import importlib

    import zhaoshang.settings as project_settings

    monkeypatch.setenv("ZHAOSHANG_TIANDITU_KEY", "abc123")
    monkeypatch.delenv("ZHAOSHANG_MAP_TILES", raising=False)
    try:
        fresh = importlib.reload(project_settings)
        assert "vec_w" in fresh.MAP_TILES and fresh.MAP_TILES.endswith("tk=abc123")
        assert "cva_w" in fresh.MAP_TILES_LABELS and fresh.MAP_TILES_SUBDOMAINS == "01234567"
    finally:
        monkeypatch.delenv("ZHAOSHANG_TIANDITU_KEY")
        importlib.reload(project_settings)


def test_without_a_basemap_the_page_says_why_and_points_at_the_boundaries(client_for: Any) -> None:
    with override_settings(MAP_TILES="", MAP_TILES_LABELS=""):
        page = client_for("linzi_admin").get("/sites/map/")
        assert page.status_code == 200
        config = json.loads(re.search(r'id="map-config"[^>]*>(.*?)</script>', page.content.decode()).group(1))
        assert config["url"] == "" and config["boundaries"] == "/map/boundaries/"
        assert "未配置底图" in config["note"]
    with override_settings(MAP_TILES=TIANDITU, MAP_TILES_LABELS=LABELS):
        assert map_config()["boundaries"] == "" and map_config()["note"] == ""


def test_boundaries_are_those_of_the_users_districts(org: Any, client_for: Any) -> None:
    assert list(boundaries.BOUNDARIES.glob("*.geojson")), "make assets copies the boundaries"
    data = client_for("linzi_admin").get("/map/boundaries/").json()
    names = [f["properties"]["name"] for f in data["features"]]
    assert names == ["临淄区"]
    ring = data["features"][0]["geometry"]["coordinates"][0]
    # The polygon lies around Linzi's centre (118.31, 36.83), not somewhere else in Shandong.
    lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
    assert min(lngs) < 118.31 < max(lngs) and min(lats) < 36.83 < max(lats)
    city = {
        f["properties"]["name"] for f in client_for("city_admin").get("/map/boundaries/").json()["features"]
    }
    assert {"临淄区", "桓台县"} <= city
