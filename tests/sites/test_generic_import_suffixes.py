"""GeoJSON and zipped Shapefiles go through the generic import page and command like chain bundles do."""

from __future__ import annotations

import io
import json
from typing import Any

from django.urls import reverse

from zhaoshang.core.models import Job
from zhaoshang.sites.models import Site


def test_geojson_through_the_generic_import_page(org: Any, client_for: Any) -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [118.31, 36.82]},
                "properties": {"code": "GJ-001", "name": "通用导入地块", "kind": "parcel", "area_mu": 52},
            }
        ],
        "district": "370305",
    }
    upload = io.BytesIO(json.dumps(collection, ensure_ascii=False).encode())
    upload.name = "sites.geojson"
    client = client_for("linzi_admin")
    page = client.get(reverse("site_import")).content.decode()
    assert ".geojson" in page and ".zip" in page
    response = client.post(reverse("site_import"), {"file": upload})
    assert response.status_code == 302
    preview = Job.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert preview.status == "succeeded" and preview.result["ok"], preview.result
    assert not Site.objects.filter(name="通用导入地块").exists()  # a preview writes nothing
    client.post(reverse("import_confirm", args=[preview.pk]))
    site = Site.objects.get(name="通用导入地块")
    assert site.district.adcode == "370305" and site.geometry["type"] == "Point"
