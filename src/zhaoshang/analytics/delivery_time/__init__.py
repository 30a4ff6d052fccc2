"""Approval time as it happened: working days per step, department and project against the limits (the −30 %)."""
