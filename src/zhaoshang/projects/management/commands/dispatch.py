"""`zhaoshang dispatch --district ADCODE [--start D --end D] [-o FILE.docx] [--format json]` (see docs/delivery.md)."""

from zhaoshang.projects.dispatch import DispatchCommand as Command  # noqa: F401
