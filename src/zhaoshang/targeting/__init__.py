"""Gaps and targets (找准定位 · 锁定目标): where a district's chains are weak, measured with its own firms
against the national registry, and which industries, cities and enterprises to attract to each weak node.

Above both ``chains`` and ``enterprises``: it reads the chain maps and the district's firms, and fills the
target-enterprise library. No models of its own (the gap snapshots belong to the chain).
"""
