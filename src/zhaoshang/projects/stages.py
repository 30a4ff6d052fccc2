"""Project stages and statuses: the default ladder of DOMAIN.md §8, configurable per district.

A district may rename or drop stages through `district.settings["project_stages"]` (a list of [code, label]);
the codes below are the ones assessment counts on, so a district's list must keep them in this order.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

DEFAULT_STAGES: list[tuple[str, object]] = [
    ("reserve", _("储备")),
    ("lead", _("线索")),
    ("negotiation", _("洽谈")),
    ("signed", _("签约")),
    ("registered", _("注册")),
    ("land", _("供地")),
    ("started", _("开工")),
    ("completed", _("竣工")),
    ("production", _("投产")),
    ("capacity", _("达产")),
]
STAGE_CODES = [code for code, _label in DEFAULT_STAGES]
# Stages that count in assessment: moving into them needs evidence and a reviewer's verification.
VERIFIED_STAGES = {"signed", "registered", "land", "started", "completed", "production", "capacity"}
EVIDENCE_HINTS = {
    "signed": _("签约合同或协议"),
    "registered": _("营业执照"),
    "land": _("土地出让合同或不动产权证"),
    "started": _("施工许可证及开工照片"),
    "completed": _("竣工验收备案"),
    "production": _("投产证明及照片"),
    "capacity": _("达产产值、税收证明"),
}


def stages_for(district: object) -> list[tuple[str, object]]:
    custom = (getattr(district, "settings", None) or {}).get("project_stages")
    if not custom:
        return DEFAULT_STAGES
    labels = dict(DEFAULT_STAGES)
    return [(code, label or labels.get(code, code)) for code, label in custom if code in labels]


def stage_index(code: str) -> int:
    return STAGE_CODES.index(code)
