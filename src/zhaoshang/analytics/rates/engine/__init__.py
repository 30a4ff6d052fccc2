"""Assessment rates (DOMAIN.md §9) over plain project records, each figure able to drill down to its projects.

Pure: no Django. Amounts in 万元. Every function returns a `Rate`: numerator, denominator, value (None when
the denominator is 0), the keys of the projects in the numerator and in the denominator (in input order), and a
one-line Chinese explanation that a dashboard can show beside the figure.

**When a stage was reached.** ``ProjectFacts.stage_dates`` maps a stage code to the first date it was reached.
A stage without a date of its own counts as reached on the earliest date of any later recorded stage (a ladder
is monotone: a project that started has been signed, even if nobody typed the signing date). A stage counts only
with a date: the stages that count in assessment are verified and dated (DOMAIN.md §8); ``stage`` (the current
stage) is not used to infer dates.

**Definitions** (words in `definitions.DEFINITIONS`; parameters in `RateDefinitions`, defaults of DOMAIN.md §9,
each configurable per district):

- signing rate 签约率: cohort of the projects whose negotiation was *recorded* in the period (its own date,
  never inferred from a later stage, and not after the signing: a record typed in after the fact is no
  negotiation) and is decided by the period's end — signed, terminated, or in talks for ``negotiation_months``
  (6) or more; numerator = those signed by the period's end. Projects registered straight at 签约 are set
  aside as "direct" and those still in talks within their window as "pending" (`Rate.aside`): neither is a
  success nor a failure. Always in [0, 1].
- landing rate 落地率: cohort of the signed projects whose landing window (``landing_months`` = 12 after
  signing) has passed by ``as_of``; numerator = those that landed within their window. "Landed" is reaching
  started (default), or registered + land supplied (the later of the two dates), or whichever comes first.
- attainment rate 达效率: over the projects that reached production, Σ actual output (or tax) / Σ committed
  output (or tax) for the same years; committed = designed annual output, for the production year too (the
  ledger's actuals are annual figures), or pro-rated by months with ``prorate_production_year``. May exceed 1.
- contribution rate 贡献率 (Chinese statistics): a part's share of the growth of the whole, Δ(part) / Δ(whole)
  from the year before the first year to the last year. The part is the projects' actual output (or tax);
  the whole is the district's 规上工业总产值 (or 税收) as entered by year (``whole``; `rates_by_groups`:
  ``wholes`` per district, a chain's whole is its district's). None, with `Rate.missing` saying why, when the
  whole was not entered for those years ("未录入全区规上工业总产值") or did not grow: never the projects' own sum.
- funds-in-place rate 到位率 = Σ funds in place by ``as_of`` / Σ signed amount of the signed projects; may
  exceed 1 (capital increases arrive as funds).
- start rate 开工率 = signed projects that reached started / signed projects; completion rate 建成率 = … that
  reached completed / signed projects; both in [0, 1].

**A project counts once.** A capital increase (增资, ``increase_of`` set) adds its money (signed amount, funds,
committed and actual output) and never counts as a project: it is in no counted cohort (signing, landing,
start, completion).

**Terminated projects.** A termination is dated (``terminated_on``; undated: terminated all along) and takes
effect on that day: a period that ended before it sees the project as it was (in talks, signed, late). By
default (``exclude_terminated=False``) a terminated project stays in every cohort it entered: a signing that
never lands lowers the landing, start and completion rates, which is the point of honest signing numbers
(DOMAIN.md §10). With ``exclude_terminated=True`` a project terminated by the period's end (``as_of``; for
达效率 the last year's end) leaves the post-signing rates (landing, attainment, funds, start, completion,
investment completion). The signing rate always keeps them: talks dropped by the period's end are a
negotiation that did not sign; dropped later, they were still pending then. 超时限未开工 leaves out the projects
terminated by ``as_of``.

`groups.rates_by_group` buckets the records by one group key (chain team, town, park, district, city) in
one pass and computes every rate per bucket; ``cohort="cumulative"`` (default) takes every project signed by the
period's end for the post-signing rates, ``cohort="period"`` only those signed in the period (landing: whose
window ended in the period).
"""

from __future__ import annotations

from zhaoshang.analytics.rates.engine.facts import (
    DEFAULT_DEFINITIONS,
    RATE_LABELS,
    RATE_NAMES,
    STAGES,
    FundsInPlace,
    Period,
    ProjectFacts,
    Rate,
    RateDefinitions,
    add_months,
)
from zhaoshang.analytics.rates.engine.investment import investment_completion_rate
from zhaoshang.analytics.rates.engine.overdue import overdue_by_group, overdue_projects
from zhaoshang.analytics.rates.engine.rates import (
    attainment_rate,
    completion_rate,
    contribution_rate,
    funds_arrived,
    funds_in_place_rate,
    landing_rate,
    signing_rate,
    start_rate,
)
from zhaoshang.analytics.rates.engine.shares import negotiated_on
from zhaoshang.analytics.rates.engine.totals import ASIDE_LABELS

__all__ = [
    "ASIDE_LABELS",
    "DEFAULT_DEFINITIONS",
    "FundsInPlace",
    "Period",
    "ProjectFacts",
    "RATE_LABELS",
    "RATE_NAMES",
    "Rate",
    "RateDefinitions",
    "STAGES",
    "add_months",
    "attainment_rate",
    "completion_rate",
    "contribution_rate",
    "funds_arrived",
    "funds_in_place_rate",
    "investment_completion_rate",
    "landing_rate",
    "negotiated_on",
    "overdue_by_group",
    "overdue_projects",
    "signing_rate",
    "start_rate",
]
