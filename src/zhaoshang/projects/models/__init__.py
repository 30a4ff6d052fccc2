"""The projects app's models: the project library, and the delivery records that follow a signed project."""

from zhaoshang.projects.models.delivery import (
    ApprovalStepTemplate,
    Blocker,
    DispatchReport,
    ProjectStep,
    WeeklyTask,
)
from zhaoshang.projects.models.fagai import InvestmentCompletion, ListLevel, ProjectListing, YearClass
from zhaoshang.projects.models.library import FundsEntry, Origin, Project, ProjectOutput, StageMove
from zhaoshang.projects.models.status import STATUS_THRESHOLD_FIELDS, StatusThresholds

__all__ = [
    "ApprovalStepTemplate",
    "Blocker",
    "DispatchReport",
    "FundsEntry",
    "InvestmentCompletion",
    "ListLevel",
    "Origin",
    "Project",
    "ProjectListing",
    "ProjectOutput",
    "ProjectStep",
    "STATUS_THRESHOLD_FIELDS",
    "StageMove",
    "StatusThresholds",
    "WeeklyTask",
    "YearClass",
]
