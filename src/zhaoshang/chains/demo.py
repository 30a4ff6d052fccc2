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


def _node(
    code: str, name: str, segment: str, industries: dict[str, float], keywords: list[str]
) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "segment": segment,
        "weight": 1.0,
        "industries": industries,
        "keywords": keywords,
        "leader_firms": [],
    }


# Huantai's own chains (demo data, not an official map): fluorosilicone materials around 东岳 and polyurethane.
HUANTAI_BUNDLE: dict[str, Any] = {
    "source": "demo data: Huantai chains, compiled for the zhaoshang demo; not an official map",
    "groups": [
        {
            "name": "新材料产业链群",
            "kind": "chemical",
            "strategy": "做大做强",
            "order": 1,
            "chains": [
                {
                    "code": "fluorosilicone",
                    "name": "氟硅新材料产业链",
                    "lead": True,
                    "description": "以萤石、有机硅单体为基础，向含氟聚合物、硅橡胶和锂电材料延伸的氟硅新材料产业链。",
                    "research_institution": "示例:某氟硅材料研究院",
                    "lead_department": "工信",
                    "nodes": [
                        _node("fluorite", "萤石与氢氟酸", "up", {"2613": 1.0}, ["萤石", "氢氟酸", "无水氟化氢"]),
                        _node("silicon-monomer", "有机硅单体", "up", {"2614": 1.0}, ["有机硅单体", "甲基氯硅烷"]),
                        _node("fluoropolymer", "含氟聚合物", "mid", {"2651": 1.0}, ["PTFE", "PVDF", "含氟树脂"]),
                        _node("silicone-rubber", "硅橡胶与硅油", "mid", {"2652": 1.0}, ["硅橡胶", "硅油", "密封胶"]),
                        _node("lithium-salt", "锂电含氟材料", "down", {"2669": 1.0}, ["六氟磷酸锂", "电解液"]),
                        _node("fluoro-fine", "含氟精细化学品", "down", {"2661": 1.0}, ["含氟精细化学品", "制冷剂"]),
                    ],
                    "edges": [
                        ["fluorite", "fluoropolymer", 0.7], ["fluorite", "lithium-salt", 0.4],
                        ["fluorite", "fluoro-fine", 0.5], ["silicon-monomer", "silicone-rubber", 0.8],
                    ],
                },
                {
                    "code": "polyurethane",
                    "name": "聚氨酯产业链",
                    "lead": False,
                    "description": "从聚醚多元醇到弹性体、胶黏剂和涂料的聚氨酯产业链。",
                    "research_institution": "",
                    "lead_department": "发改",
                    "nodes": [
                        _node("polyether", "聚醚多元醇", "up", {"2614": 1.0}, ["聚醚多元醇", "环氧丙烷"]),
                        _node("tpu", "TPU与弹性体", "mid", {"2651": 1.0}, ["TPU", "聚氨酯弹性体"]),
                        _node("adhesive", "聚氨酯胶黏剂", "down", {"2669": 1.0}, ["胶黏剂", "聚氨酯胶"]),
                        _node("coating", "聚氨酯涂料", "down", {"2641": 1.0}, ["聚氨酯涂料", "防水涂料"]),
                    ],
                    "edges": [["polyether", "tpu", 0.6], ["polyether", "adhesive", 0.4], ["polyether", "coating", 0.3]],
                },
            ],
        }
    ],
}  # fmt: skip


@demo_step(95, "桓台氟硅、聚氨酯产业链")
def huantai_chains(state: dict[str, Any]) -> None:
    huantai = state["huantai"]["towns"]["索镇街道"].district
    bundle_import(
        bundle=HUANTAI_BUNDLE, district=huantai, user=state["users"]["huantai_admin"], channel="demo"
    )
