"""Official outputs of the projects app: files in the shape officials circulate (the 推进情况表)."""
