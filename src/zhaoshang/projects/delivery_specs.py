"""Generic-check specs of the delivery models (weekly tasks, blockers, dispatch reports)."""

from __future__ import annotations

from zhaoshang.core.testing import ModelSpec

SPECS: dict[str, ModelSpec] = {}
