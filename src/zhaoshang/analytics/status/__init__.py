"""A project's status from facts (红黄牌): overdue approval steps, passed promises and silence, not what was typed."""
