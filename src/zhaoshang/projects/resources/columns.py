"""The ledger's own columns: claims read from dates, tier and list wordings, the holding stage."""

from __future__ import annotations

from typing import Any

from zhaoshang.core.widgets import (
    LookupWidget,
)
from zhaoshang.projects.models import (
    Project,
)
from zhaoshang.standards import parsers

HOLD_STAGE = "negotiation"  # where a new project waits while the ledger's claimed stage is reviewed


class CurrentChainWidget(LookupWidget):
    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get_queryset(value, row, *args, **kwargs).filter(is_current=True)


# Columns read into stage claims, not fields: a ledger's dates are what it says happened, to be verified.
CLAIM_COLUMNS = {"started_claim": "started", "completed_claim": "completed", "production_claim": "production"}
NATURE_ALIASES = {
    "技改": Project.Nature.RETROFIT,
    "技术改造项目": Project.Nature.RETROFIT,
    "新建项目": Project.Nature.NEW,
}
IMPLEMENTATION_ALIASES = {
    "实施": Project.ImplementationClass.IMPLEMENTING,
    "实施项目": Project.ImplementationClass.IMPLEMENTING,
    "准备": Project.ImplementationClass.PREPARING,
    "准备项目": Project.ImplementationClass.PREPARING,
    "前期": Project.ImplementationClass.PREPARING,
}


def _approx(value: Any) -> bool:
    return isinstance(value, str) and parsers.is_approximate_amount(value)
