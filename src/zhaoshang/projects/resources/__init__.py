"""Project ledgers as counties keep them in Excel: the project's own row (`project`), the columns that are not its
fields (`ledger`: lists, classes, dated claims; `columns`: their wordings), funds and output (`money`)."""

from zhaoshang.projects.resources.columns import HOLD_STAGE
from zhaoshang.projects.resources.money import FundsEntryResource, ProjectOutputResource
from zhaoshang.projects.resources.project import ProjectResource
from zhaoshang.projects.services import LEDGER_EVIDENCE, dated_claims

__all__ = [
    "HOLD_STAGE",
    "LEDGER_EVIDENCE",
    "FundsEntryResource",
    "ProjectOutputResource",
    "ProjectResource",
    "dated_claims",
]
