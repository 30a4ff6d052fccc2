"""The demo's national registry (synthetic), Linzi's gaps against it, and Linzi's own firms placed on its chains."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from zhaoshang.chains.models import Chain
from zhaoshang.core.audit import acting_as
from zhaoshang.core.demo import demo_step
from zhaoshang.core.models import District
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.enterprises.services import enterprises_classify
from zhaoshang.targeting.gaps import chain_gaps_refresh
from zhaoshang.targeting.targets import _fill_from_registry

DEMO_REGISTRY_FIRMS = 1_000_000


@demo_step(96, "全国企业库(演示)与临淄企业")
def registry(state: dict[str, Any]) -> None:
    """A synthetic national registry when none is configured, and Linzi's own firms from it."""
    path = settings.NATIONAL_REGISTRY
    if not path.is_file():
        # deferred: numpy, PyArrow and DuckDB load only when the demo registry is generated
        from zhaoshang.analytics.registry.store import registry_generate

        path.parent.mkdir(parents=True, exist_ok=True)
        registry_generate(path, firms=DEMO_REGISTRY_FIRMS, seed=20240223)
    _local_firms(state["users"]["linzi_admin"])


@demo_step(98, "短板分析(含投产/达产项目)")
def gaps(state: dict[str, Any]) -> None:
    """Linzi's gaps, once its projects are on their nodes (the project library is step 97)."""
    user = state["users"]["linzi_admin"]
    for chain in Chain.objects.filter(district__adcode="370305", is_current=True):
        chain_gaps_refresh(chain=chain, user=user)


def _local_firms(user: Any) -> None:
    """Linzi's own firms on its chains, copied from the registry (with that source noted), then placed."""
    import duckdb  # deferred: only the demo's load reads the registry here

    linzi = District.objects.get(adcode="370305")
    codes = sorted(
        set(
            Chain.objects.filter(district=linzi, is_current=True).values_list(
                "nodes__industries__code", flat=True
            )
        )
        - {None}
    )
    source = str(settings.NATIONAL_REGISTRY).replace("'", "''")
    with duckdb.connect() as con:
        frame = con.execute(
            f"SELECT * FROM read_parquet('{source}') WHERE adcode = '370305' AND status IN ('存续', '在业') "
            "AND industry IN (SELECT unnest(?)) ORDER BY insured_employees DESC, uscc LIMIT 400",
            [codes],
        ).fetch_df()
    with acting_as(user, "demo"):
        for record in frame.to_dict("records"):
            firm = Enterprise(district=linzi, uscc=record["uscc"])
            _fill_from_registry(firm, record)
            firm.save()
        enterprises_classify(enterprises=Enterprise.objects.filter(district=linzi), user=user, channel="demo")
