"""`zhaoshang escalate [--district ADCODE] [--date D] [--format json]`: run daily (see docs/delivery.md)."""

from zhaoshang.projects.blockers import EscalateCommand as Command  # noqa: F401
