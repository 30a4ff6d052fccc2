"""Delivery after signing: approval steps, weekly tasks, blockers and half-monthly dispatch.

A unit of the ``projects`` app (same app label, so no table moved); see docs/architecture.md."""
