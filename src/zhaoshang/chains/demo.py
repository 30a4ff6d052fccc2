"""Linzi's "456" chain groups in the demo, loaded through the same JSON import people use."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from zhaoshang.chains.models import Chain
from zhaoshang.chains.transfer import bundle_import
from zhaoshang.core.demo import demo_step

DATA = Path(__file__).parent / "data" / "linzi_456.json"


@demo_step(95, "临淄“456”产业链群")
def chains(state: dict[str, Any]) -> None:
    users = state["users"]
    linzi = state["linzi"]["towns"]["辛店街道"].district
    bundle_import(
        bundle=json.loads(DATA.read_text(encoding="utf-8")),
        district=linzi,
        user=users["linzi_admin"],
        channel="demo",
    )
    robotics = Chain.objects.filter(district=linzi, name__startswith="机器人", is_current=True).first()
    if robotics is not None:
        robotics.chief = users["linzi_chief"]
        robotics.leading_cadre = "区委常委(示例)"
        robotics.save()
