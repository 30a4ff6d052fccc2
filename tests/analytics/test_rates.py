"""Assessment rates: hand-computed cases with their drill-down keys, edge cases, properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang.analytics.rates.engine import (
    RATE_NAMES,
    STAGES,
    FundsInPlace,
    Period,
    ProjectFacts,
    RateDefinitions,
    add_months,
    attainment_rate,
    completion_rate,
    contribution_rate,
    funds_arrived,
    funds_in_place_rate,
    investment_completion_rate,
    landing_rate,
    overdue_by_group,
    overdue_projects,
    signing_rate,
    start_rate,
)
from zhaoshang.analytics.rates.groups import rates_by_group, rates_by_groups

D = dt.date
YEAR = Period(D(2024, 1, 1), D(2024, 12, 31))
END = YEAR.end


def ledger() -> list[ProjectFacts]:
    """Seven projects; the comments give what each one contributes to the 2024 figures."""
    return [
        # negotiated and signed in 2024, started 7 months after signing; funds partly after the year
        ProjectFacts(
            "A",
            "started",
            {"negotiation": D(2024, 2, 1), "signed": D(2024, 3, 1), "started": D(2024, 10, 1)},
            {"chain": "robot", "town": "t1"},
            signed_amount=10_000,
            funds=[FundsInPlace(D(2024, 4, 1), 3_000, "outside_province"), (D(2025, 2, 1), 2_000, "local")],
            promised_start_date=D(2024, 9, 1),
        ),
        # negotiated in 2024, not signed
        ProjectFacts("B", "negotiation", {"negotiation": D(2024, 5, 1)}, {"chain": "robot"}),
        # negotiated in 2023, signed in 2024, late: promised to start by 30 June
        ProjectFacts(
            "C",
            "signed",
            {"negotiation": D(2023, 11, 1), "signed": D(2024, 1, 15)},
            {"chain": "chem"},
            signed_amount=5_000,
            promised_start_date=D(2024, 6, 30),
        ),
        # signing recorded without a negotiation date: negotiation counts as reached on the signing date
        ProjectFacts(
            "D",
            "signed",
            {"signed": D(2024, 6, 1)},
            {"chain": "chem"},
            signed_amount=2_000,
            funds=[(D(2024, 7, 1), 500, "outside_city")],
        ),
        # negotiated in 2024, then dropped
        ProjectFacts("E", "negotiation", {"negotiation": D(2024, 7, 1)}, {"chain": "robot"}, terminated=True),
        # signed 2022, registered and land within 12 months, started after them; in production since April 2024
        ProjectFacts(
            "F",
            "production",
            {
                "signed": D(2022, 1, 10),
                "registered": D(2022, 3, 1),
                "land": D(2022, 5, 1),
                "started": D(2023, 6, 1),
                "completed": D(2024, 3, 1),
                "production": D(2024, 4, 1),
            },
            {"chain": "chem"},
            signed_amount=20_000,
            funds=[(D(2022, 6, 1), 20_000, "local"), (D(2024, 2, 1), 4_000, "outside_province")],
            designed_output=12_000,
            designed_tax=1_200,
            actual_output={2024: 6_000},
            actual_tax={2024: 450},
        ),
        # signed 2023, terminated without landing; its promise is past but a terminated project is not "late"
        ProjectFacts(
            "G",
            "signed",
            {"signed": D(2023, 1, 31)},
            {"chain": "robot"},
            signed_amount=8_000,
            promised_start_date=D(2023, 6, 1),
            terminated=True,
        ),
    ]


def test_stage_ladder_mirrors_projects_app() -> None:
    from zhaoshang.projects.stages import STAGE_CODES

    assert list(STAGES) == STAGE_CODES


def test_reached_fills_skipped_stages_from_later_ones() -> None:
    facts = {f.key: f for f in ledger()}
    assert facts["D"].reached("negotiation") == D(2024, 6, 1)
    assert facts["F"].reached("lead") == D(2022, 1, 10)
    assert facts["B"].reached("signed") is None
    with pytest.raises(ValueError, match="未知阶段"):
        ProjectFacts("X", "dreaming")


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert add_months(D(2024, 12, 15), 1) == D(2025, 1, 15)
    assert add_months(D(2024, 3, 31), -1) == D(2024, 2, 29)
    assert add_months(D(2024, 3, 1), 12) == D(2025, 3, 1)


def test_signing_rate() -> None:
    r = signing_rate(ledger(), YEAR)
    # C negotiated in 2023; E (terminated) is a negotiation that failed; B's six months of talks are over.
    assert (r.numerator, r.denominator, r.value) == (1, 3, pytest.approx(1 / 3))
    assert r.members_denominator == ["A", "B", "E"]
    assert r.members_numerator == ["A"]
    # D was registered straight at 签约: set aside, never a successful negotiation.
    assert r.set_aside("direct") == ("D",) and r.set_aside("pending") == ()
    assert "签约率" in r.explain and "33.3%" in r.explain and "直接签约" in r.explain


def test_signing_rate_sets_aside_talks_still_open() -> None:
    """Projects still in talks within their window are neither successes nor failures (Huantai's 21)."""
    talks = [ProjectFacts(f"T{i}", "negotiation", {"negotiation": D(2024, 10, 1)}) for i in range(3)]
    r = signing_rate(talks, YEAR)
    assert (r.denominator, r.value, r.set_aside("pending")) == (0, None, ("T0", "T1", "T2"))
    r = signing_rate(talks, YEAR, RateDefinitions(negotiation_months=2))
    assert (r.numerator, r.denominator, r.value) == (0, 3, 0.0)
    # A negotiation typed in after the signing is no record of talks.
    late = ProjectFacts("L", "signed", {"negotiation": D(2024, 9, 1), "signed": D(2024, 3, 1)})
    assert signing_rate([late], YEAR).set_aside("direct") == ("L",)


def test_a_capital_increase_adds_money_never_a_project() -> None:
    base = ledger()
    increase = ProjectFacts(
        "A+",
        "signed",
        {"negotiation": D(2024, 4, 1), "signed": D(2024, 5, 1)},
        {"chain": "robot"},
        signed_amount=4_000,
        funds=[(D(2024, 6, 1), 1_000, "local")],
        promised_start_date=D(2024, 6, 1),
        increase_of="A",
    )
    with_it = [*base, increase]
    for rate in (signing_rate, lambda f, p: start_rate(f, p.end), lambda f, p: landing_rate(f, p.end)):
        assert rate(with_it, YEAR) == rate(base, YEAR)
    before, after = funds_in_place_rate(base, END), funds_in_place_rate(with_it, END)
    assert after.denominator == before.denominator + 4_000 and after.numerator == before.numerator + 1_000
    assert overdue_projects(with_it, END) == overdue_projects(base, END)


def test_landing_rate_default_started_within_12_months() -> None:
    # Only F and G have had 12 months since signing by the end of 2024; F started after 17 months.
    r = landing_rate(ledger(), END)
    assert (r.members_numerator, r.members_denominator, r.value) == ([], ["F", "G"], 0.0)


def test_landing_rate_variants() -> None:
    facts = ledger()
    r = landing_rate(facts, END, RateDefinitions(landing_by="registered_land"))
    assert (r.members_numerator, r.members_denominator, r.value) == (["F"], ["F", "G"], 0.5)
    r = landing_rate(facts, END, RateDefinitions(landing_by="either", exclude_terminated=True))
    assert (r.members_numerator, r.members_denominator, r.value) == (["F"], ["F"], 1.0)
    # An 8-month window: A (started after 7 months) and C (window ended 15 Sep) enter; D's ends in 2025.
    r = landing_rate(facts, END, RateDefinitions(landing_months=8))
    assert (r.members_numerator, r.members_denominator, r.value) == (["A"], ["A", "C", "F", "G"], 0.25)
    # Only the windows that ended in 2024: with 8 months A's and C's (G's ended in September 2023).
    r = landing_rate(facts, END, RateDefinitions(landing_months=8), window_ended_in=YEAR)
    assert r.members_denominator == ["A", "C"]
    assert "8 个月" in r.explain


def test_attainment_rate() -> None:
    facts = ledger()
    r = attainment_rate(facts, [2024])
    # F produced from April; the ledger's 2024 output (6,000) is an annual figure against 12,000 a year.
    assert (r.numerator, r.denominator, r.value) == (6_000, 12_000, 0.5)
    assert (r.members_numerator, r.members_denominator) == (["F"], ["F"])
    assert "达效率" in r.explain
    prorated = attainment_rate(facts, [2024], RateDefinitions(prorate_production_year=True))
    assert prorated.value == pytest.approx(2 / 3)  # committed 12,000 × 9/12
    assert attainment_rate(facts, [2024, 2025]).value == pytest.approx(6_000 / 24_000)
    assert attainment_rate(facts, [2024], RateDefinitions(contribution_by="tax")).value == 0.375
    assert attainment_rate(facts, [2023]).value is None  # nobody produced yet


def test_contribution_rate_is_a_share_of_the_districts_growth() -> None:
    grow = [
        ProjectFacts("P", "production", {"production": D(2022, 1, 1)}, actual_output={2023: 100, 2024: 400}),
        ProjectFacts("Q", "production", {"production": D(2022, 1, 1)}, actual_output={2023: 500, 2024: 600}),
        ProjectFacts("R", "production", {"production": D(2024, 1, 1)}, actual_output={2024: 600}),
    ]
    district = {2023: 20_000.0, 2024: 24_000.0}  # 全区规上工业总产值 as entered: grew by 4,000
    r = contribution_rate(grow, [2024], whole=district)
    assert (r.numerator, r.denominator, r.value) == (1_000, 4_000, 0.25)
    part = contribution_rate(grow[:1], [2024], whole=district)
    assert (part.numerator, part.denominator, part.value) == (300, 4_000, 0.075)
    assert part.members_numerator == ["P"] and part.members_denominator == []  # the whole is no project list
    assert "全区规上工业总产值增量" in part.explain
    # No whole entered, or not for the year before: "—" with the reason, never the projects' own growth.
    for whole in (None, {2024: 24_000.0}):
        missing = contribution_rate(grow, [2024], whole=whole)
        assert missing.value is None and missing.missing == "未录入全区规上工业总产值"
    taxed = contribution_rate(grow, [2024], RateDefinitions(contribution_by="tax"), whole=None)
    assert taxed.missing == "未录入全区规上工业税收"
    shrunk = contribution_rate(grow, [2024], whole={2023: 24_000.0, 2024: 20_000.0})
    assert shrunk.value is None and shrunk.missing == "全区规上工业总产值没有增长"


def test_funds_in_place_rate() -> None:
    facts = ledger()
    r = funds_in_place_rate(facts, END)
    assert (r.numerator, r.denominator) == (3_000 + 500 + 24_000, 10_000 + 5_000 + 2_000 + 20_000 + 8_000)
    assert r.members_numerator == ["A", "D", "F"]
    assert r.members_denominator == ["A", "C", "D", "F", "G"]
    outside = funds_in_place_rate(facts, END, RateDefinitions(funds_origins=frozenset({"outside_province"})))
    assert outside.numerator == 7_000 and outside.members_numerator == ["A", "F"]
    assert funds_in_place_rate(facts, END, RateDefinitions(exclude_terminated=True)).denominator == 37_000
    r = funds_in_place_rate(facts, END, signed_in=YEAR)
    assert (r.numerator, r.denominator, r.members_denominator) == (3_500, 17_000, ["A", "C", "D"])


def test_start_and_completion_rates() -> None:
    facts = ledger()
    s, c = start_rate(facts, END), completion_rate(facts, END)
    assert (s.members_numerator, s.value) == (["A", "F"], 0.4)
    assert (c.members_numerator, c.value) == (["F"], 0.2)
    assert s.members_denominator == c.members_denominator == ["A", "C", "D", "F", "G"]
    assert start_rate(facts, END, RateDefinitions(exclude_terminated=True)).value == 0.5
    assert completion_rate(facts, D(2024, 2, 1)).value == 0  # F completed in March
    assert "开工率" in s.explain and "建成率" in c.explain


def test_no_denominator_gives_none() -> None:
    empty: list[ProjectFacts] = []
    for rate in (
        signing_rate(empty, YEAR),
        landing_rate(empty, END),
        attainment_rate(empty, [2024]),
        funds_in_place_rate(empty, END),
        start_rate(empty, END),
        completion_rate(empty, END),
    ):
        assert rate.value is None and rate.denominator == 0 and rate.members_denominator == []
        assert "分母为 0" in rate.explain
    assert contribution_rate(empty, [2024]).value is None


def test_funds_arrived_and_overdue() -> None:
    facts = ledger()
    assert funds_arrived(facts, YEAR) == (7_500, ["A", "D", "F"])
    assert funds_arrived(facts, YEAR, {"outside_province"}) == (7_000, ["A", "F"])
    assert overdue_projects(facts, END) == ["C"]  # G is terminated, A started
    assert overdue_projects(facts, D(2024, 9, 15)) == ["A", "C"]
    assert overdue_by_group(facts, "chain", END) == {"chem": ["C"], "robot": []}


def test_rates_by_group() -> None:
    groups = rates_by_group(ledger(), "chain", YEAR)
    assert list(groups) == ["chem", "robot"]
    assert set(groups["chem"]) == set(RATE_NAMES)
    assert groups["robot"]["signing"].members_denominator == ["A", "B", "E"]
    assert groups["robot"]["signing"].value == pytest.approx(1 / 3)
    assert groups["chem"]["signing"].members_numerator == [] and groups["chem"]["signing"].value is None
    assert groups["chem"]["signing"].set_aside("direct") == ("D",)
    assert groups["chem"]["attainment"].value == 0.5  # years default to the period's
    assert groups["robot"]["start"].members_denominator == ["A", "G"]
    by_period = rates_by_group(ledger(), "chain", YEAR, RateDefinitions(cohort="period"))
    assert by_period["robot"]["funds_in_place"].members_denominator == ["A"]
    assert by_period["robot"]["landing"].members_denominator == ["G"]  # its window ended 31 Jan 2024
    # Projects without the key are left out.
    assert list(rates_by_group(ledger(), "town", YEAR)) == ["t1"]


# --- properties -------------------------------------------------------------------------------------------

days = st.integers(min_value=0, max_value=1500)


@st.composite
def facts_lists(draw: st.DrawFn) -> list[ProjectFacts]:
    result = []
    for i in range(draw(st.integers(min_value=0, max_value=12))):
        top = draw(st.integers(min_value=0, max_value=len(STAGES) - 1))
        recorded = draw(st.lists(st.sampled_from(STAGES[: top + 1]), unique=True))
        base = D(2022, 1, 1)
        dates = {code: base + dt.timedelta(days=draw(days)) for code in recorded}
        if draw(st.booleans()):  # monotone ladder dates, as a careful ledger keeps them
            dates = dict(zip(sorted(dates, key=STAGES.index), sorted(dates.values()), strict=True))
        funds = [(base + dt.timedelta(days=draw(days)), draw(st.floats(0, 1e5)), "local") for _ in range(2)]
        result.append(
            ProjectFacts(
                f"p{i}",
                STAGES[top],
                dates,
                {"chain": draw(st.sampled_from(["a", "b", "c"]))},
                signed_amount=draw(st.floats(0, 1e5)),
                funds=funds,
                designed_output=draw(st.floats(0, 1e5)),
                actual_output={2023: draw(st.floats(0, 1e5)), 2024: draw(st.floats(0, 1e5))},
                promised_start_date=base + dt.timedelta(days=draw(days)),
                terminated=draw(st.booleans()),
            )
        )
    return result


definitions = st.builds(
    RateDefinitions,
    landing_months=st.integers(0, 36),
    landing_by=st.sampled_from(["started", "registered_land", "either"]),
    exclude_terminated=st.booleans(),
    cohort=st.sampled_from(["cumulative", "period"]),
)


@settings(max_examples=150, deadline=None)
@given(facts_lists(), definitions, st.integers(0, 1000), st.integers(0, 800))
def test_count_rates_in_unit_interval_and_drill_down_consistent(
    facts: list[ProjectFacts], defs: RateDefinitions, start: int, length: int
) -> None:
    period = Period(
        D(2022, 1, 1) + dt.timedelta(days=start), D(2022, 1, 1) + dt.timedelta(days=start + length)
    )
    whole = {
        "signing": signing_rate(facts, period),
        "landing": landing_rate(facts, period.end, defs),
        "start": start_rate(facts, period.end, defs),
        "completion": completion_rate(facts, period.end, defs),
    }
    for r in whole.values():
        assert set(r.members_numerator) <= set(r.members_denominator)
        assert (r.numerator, r.denominator) == (len(r.members_numerator), len(r.members_denominator))
        assert (r.value is None) == (r.denominator == 0)
        assert r.value is None or 0 <= r.value <= 1
    for r in (funds_in_place_rate(facts, period.end, defs), attainment_rate(facts, [2023, 2024], defs)):
        assert set(r.members_numerator) <= set(r.members_denominator)
        assert r.value is None or r.value >= 0
    # The groups partition the projects, so the count rates' cohorts add up to the whole's.
    groups = rates_by_group(
        facts, "chain", period, RateDefinitions(**{**defs.__dict__, "cohort": "cumulative"})
    )
    for name, r in whole.items():
        parts = [g[name] for g in groups.values()]
        assert sum(p.denominator for p in parts) == r.denominator
        assert sorted(k for p in parts for k in p.members_numerator) == sorted(r.members_numerator)


@given(
    st.dictionaries(
        st.sampled_from(STAGES),
        st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2027, 12, 31)),
        max_size=len(STAGES),
    )
)
def test_reached_is_the_own_date_else_the_earliest_later_one(stage_dates: dict[str, dt.date]) -> None:
    facts = ProjectFacts(key="p", stage="capacity", stage_dates=stage_dates)
    for i, stage in enumerate(STAGES):
        later = [day for code, day in stage_dates.items() if STAGES.index(code) > i]
        expected = stage_dates.get(stage, min(later) if later else None)
        assert facts.reached(stage) == expected


def fresh(f: ProjectFacts) -> ProjectFacts:
    return ProjectFacts(**{k: v for k, v in f.__dict__.items() if not k.startswith("_")})


@settings(max_examples=150, deadline=None)
@given(facts_lists(), definitions, st.integers(0, 1000), st.integers(0, 800), st.booleans())
def test_grouped_rates_equal_the_rate_functions_on_each_group(
    facts: list[ProjectFacts], defs: RateDefinitions, start: int, length: int, by_tax: bool
) -> None:
    """The dashboard's one-pass grouping gives exactly (same floats, members, explanations) what each rate
    function gives on the group's projects."""
    defs = RateDefinitions(**{**defs.__dict__, "contribution_by": "tax" if by_tax else "output"})
    period = Period(
        D(2022, 1, 1) + dt.timedelta(days=start), D(2022, 1, 1) + dt.timedelta(days=start + length)
    )
    facts = [
        ProjectFacts(**{**f.__dict__, "groups": {**f.groups, "all": "x"}}) if i % 3 else f
        for i, f in enumerate(facts)
    ]
    in_period = period if defs.cohort == "period" else None
    years = range(period.start.year, period.end.year + 1)
    grouped = rates_by_groups(facts, ("chain", "all"), period, defs)
    assert set(grouped) == {"chain", "all"}
    # Each project's shares are remembered on its facts: asked again, or for another period, the same answers.
    other = Period(period.start, period.end + dt.timedelta(days=40))
    assert rates_by_groups(facts, ("chain",), other, defs) == rates_by_groups(
        list(map(fresh, facts)), ("chain",), other, defs
    )
    assert rates_by_groups(facts, ("chain", "all"), period, defs) == grouped
    for key, table in grouped.items():
        members = {
            g: [f for f in facts if f.groups.get(key) == g] for g in {f.groups.get(key) for f in facts}
        }
        assert list(table) == sorted(g for g in members if g is not None)
        for group, rates in table.items():
            mine = members[group]
            assert rates == {
                "signing": signing_rate(mine, period, defs),
                "landing": landing_rate(mine, period.end, defs, window_ended_in=in_period),
                "attainment": attainment_rate(mine, years, defs),
                "contribution": contribution_rate(mine, years, defs),  # no whole entered: "—"
                "funds_in_place": funds_in_place_rate(mine, period.end, defs, signed_in=in_period),
                "start": start_rate(mine, period.end, defs, signed_in=in_period),
                "completion": completion_rate(mine, period.end, defs, signed_in=in_period),
                "investment_completion": investment_completion_rate(mine, period.end, defs),
            }
        assert rates_by_group(facts, key, period, defs) == table


def test_a_group_whose_projects_did_not_change_is_not_added_up_again() -> None:
    """Kept facts replace only the projects that changed: the other groups' rates are reused, the changed
    group's are new and equal to a computation from scratch."""
    facts = ledger()
    first = rates_by_groups(facts, ("chain",), YEAR)["chain"]
    assert len(first) >= 2
    changed_group = facts[0].groups["chain"]
    edited = ProjectFacts(
        **{
            **fresh(facts[0]).__dict__,
            "funds": (*facts[0].funds, (D(2024, 6, 1), 777.0, "outside_province")),
        }
    )
    again = rates_by_groups([edited, *facts[1:]], ("chain",), YEAR)["chain"]
    scratch = rates_by_groups([fresh(f) for f in (edited, *facts[1:])], ("chain",), YEAR)["chain"]
    assert again == scratch
    for group, rates in again.items():
        # 贡献率 is a share of the whole's growth: worked out again whenever any project changes.
        reused = all(rates[name] is first[group][name] for name in rates if name != "contribution")
        assert reused == (group != changed_group), group
    assert again[changed_group]["funds_in_place"] != first[changed_group]["funds_in_place"]
