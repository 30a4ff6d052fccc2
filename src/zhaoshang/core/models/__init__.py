from zhaoshang.core.models.access import Role, RoleAssignment, UserProfile
from zhaoshang.core.models.actions import ActionEntry
from zhaoshang.core.models.base import DistrictOwned, TimeStamped
from zhaoshang.core.models.calendar import CalendarAdjustment
from zhaoshang.core.models.jobs import Job
from zhaoshang.core.models.organisation import (
    City,
    Department,
    District,
    Park,
    Province,
    Team,
    TeamMembership,
    Town,
)

__all__ = [
    "ActionEntry",
    "CalendarAdjustment",
    "City",
    "Department",
    "District",
    "DistrictOwned",
    "Job",
    "Park",
    "Province",
    "Role",
    "RoleAssignment",
    "Team",
    "TeamMembership",
    "TimeStamped",
    "Town",
    "UserProfile",
]
