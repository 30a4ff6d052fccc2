"""The district's own records merged into its row of the national matrix, by USCC."""

from __future__ import annotations

import numpy as np
import scipy.sparse
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang.analytics.registry.merge import merged_place_row, with_place_row
from zhaoshang.analytics.registry.store import ACTIVE_STATUSES, PlaceIndustryMatrix

CLASSES = ["2614", "3311", "3963"]


def test_the_districts_record_wins_and_new_firms_are_added() -> None:
    registry = [
        ("A", "2614", "存续"),  # reclassified by the district
        ("B", "2614", "注销"),  # closed in the registry, operating by the district's record
        ("C", "3311", "在业"),  # only in the registry
        ("G", "3963", "在业"),  # closed by the district
    ]
    local = [
        ("A", "3311", True),
        ("B", "", True),  # no class of its own: keeps the registry's
        ("D", "2614", True),  # missing from the registry
        ("E", "3963", False),  # closed, only local: not counted
        ("F", "9999", True),  # a class the nation has no firm in
        ("G", "3963", False),
        ("", "2614", True),  # without a USCC it cannot be matched: ignored
    ]
    row, report = merged_place_row(registry, local, CLASSES)
    assert row.tolist() == [2.0, 2.0, 0.0]  # 2614: B, D; 3311: A, C
    assert (report.registry_active, report.local, report.counted) == (3, 6, 4)
    assert (report.reclassified, report.status_changed, report.added) == (1, 2, 1)
    assert report.unclassified == ["F"]
    assert "改行业 1 家" in report.explain() and "1 家没有可用的行业代码" in report.explain()


firms = st.lists(
    st.tuples(
        st.text("ABCDEFGH", min_size=1, max_size=2),
        st.sampled_from(CLASSES),
        st.sampled_from(["存续", "在业", "注销", "吊销"]),
    ),
    unique_by=lambda f: f[0],
    max_size=30,
)


@settings(max_examples=100, deadline=None)
@given(
    firms,
    st.lists(
        st.tuples(st.text("ABCDEFGHIJ", min_size=1, max_size=2), st.sampled_from(CLASSES), st.booleans()),
        unique_by=lambda f: f[0],
        max_size=30,
    ),
)
def test_a_merged_row_counts_each_active_firm_once(registry: list, local: list) -> None:
    row, report = merged_place_row(registry, local, CLASSES)
    # Without local records the row is the registry's own count of active firms per class.
    alone, _ = merged_place_row(registry, [], CLASSES)
    assert alone.tolist() == [
        sum(1 for _u, c, s in registry if c == k and s in ACTIVE_STATUSES) for k in CLASSES
    ]
    # With them: every USCC once, the local record's class and status first.
    merged = {u: (c, s in ACTIVE_STATUSES) for u, c, s in registry}
    merged.update({u: (c, a) for u, c, a in local})
    expected = [sum(1 for c, a in merged.values() if a and c == k) for k in CLASSES]
    assert row.tolist() == expected and report.counted == sum(expected)


def test_replacing_a_row_leaves_the_others() -> None:
    values = scipy.sparse.csr_matrix(np.array([[1.0, 0, 2], [0, 3, 0], [4, 0, 0]]))
    matrix = PlaceIndustryMatrix(["370305", "370321", "370400"], CLASSES, values)
    replaced = with_place_row(matrix, "370321", np.array([5.0, 0, 1]))
    assert replaced.values.toarray().tolist() == [[1, 0, 2], [5, 0, 1], [4, 0, 0]]
    assert matrix.values.toarray()[1].tolist() == [0, 3, 0]  # the original is untouched
    inserted = with_place_row(matrix, "370310", np.array([0.0, 7, 0]))
    assert inserted.places == ["370305", "370310", "370321", "370400"]
    assert inserted.values.toarray()[1].tolist() == [0, 7, 0] and inserted.values.shape == (4, 3)
