"""Writes on chains: node industry codes, revisions (new versions), whole-chain import from JSON."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.chains.models import Chain, Edge, Node, NodeIndustry
from zhaoshang.core.audit import acting_as
from zhaoshang.core.scope import ensure_allowed
from zhaoshang.core.validators import localised
from zhaoshang.standards import codes
from zhaoshang.standards.parsers import ParseError, parse_decimal


class ChainDataError(ValueError):
    """Chain data that cannot be taken (a bad code, an unknown node); nothing was written."""


def parse_industry_shares(text: str) -> list[tuple[str, float]]:
    """ "2511:0.6; 2614:0.4" or "2511、2614" (equal shares) → [(code, share)]; codes checked against GB/T 4754."""
    pairs: list[tuple[str, float | None]] = []
    for separator in (",", "\uff0c", "\u3001", "\uff1b", "\n"):  # , ， 、 ； and new lines
        text = text.replace(separator, ";")
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        code, _sep, share = part.replace("\uff1a", ":").partition(":")  # ： as well as :
        try:
            code = codes.validate_industry_code(code.strip(), level="class")
            value = float(parse_decimal(share)) if share.strip() else None
        except ParseError as error:
            raise ChainDataError(localised(error)) from error
        if value is not None and not 0 <= value <= 1:
            raise ChainDataError(_("占比须在 0 到 1 之间:%(part)s") % {"part": part})
        pairs.append((code, value))
    if len({c for c, _s in pairs}) != len(pairs):
        raise ChainDataError(_("行业代码重复"))
    missing = [c for c, s in pairs if s is None]
    given = sum(s for _c, s in pairs if s is not None)
    # Codes written without a share split what the others leave, equally.
    rest = max(0.0, 1.0 - given) / len(missing) if missing else 0.0
    return [(c, round(s if s is not None else rest, 6)) for c, s in pairs]


def format_industry_shares(node: Node) -> str:
    return "; ".join(f"{i.code}:{i.share:g}" for i in node.industries.all())


def node_industries_set(*, node: Node, pairs: list[tuple[str, float]]) -> None:
    """Replace a node's codes; unchanged rows keep their history quiet."""
    existing = {i.code: i for i in node.industries.all()}
    wanted = dict(pairs)
    for code, row in existing.items():
        if code not in wanted:
            row.delete()
    for code, share in wanted.items():
        row = existing.get(code)
        if row is None:
            NodeIndustry.objects.create(node=node, code=code, share=share)
        elif row.share != share:
            row.share = share
            row.save()


def chain_revise(*, chain: Chain, user: Any) -> Chain:
    """Start a new version of a chain: a copy of its nodes, codes and edges; the old version stays as it was."""
    with transaction.atomic(), acting_as(user, "web"):
        ensure_allowed(user, "change", chain)
        chain = Chain.objects.select_for_update().get(pk=chain.pk)
        if not chain.is_current:
            raise ChainDataError(_("只能修订当前版本。"))
        latest = Chain.objects.filter(district=chain.district, code=chain.code).order_by("-version").first()
        assert latest is not None
        chain.is_current = False
        chain.save(update_fields=["is_current", "updated"])
        nodes = list(chain.nodes.prefetch_related("industries"))
        edges = list(chain.edges.all())
        towns, parks = list(chain.towns.all()), list(chain.parks.all())
        old_pk = chain.pk
        chain.pk = None
        chain._state.adding = True
        chain.version = latest.version + 1
        chain.is_current = True
        chain.save()
        chain.towns.set(towns)
        chain.parks.set(parks)
        copies: dict[int, Node] = {}
        for node in nodes:
            industries = list(node.industries.all())
            old = node.pk
            node.pk = None
            node._state.adding = True
            node.chain = chain
            node.save()
            copies[old] = node
            for industry in industries:
                NodeIndustry.objects.create(node=node, code=industry.code, share=industry.share)
        for edge in edges:
            Edge.objects.create(
                chain=chain, source=copies[edge.source_id], target=copies[edge.target_id], weight=edge.weight
            )
        assert old_pk != chain.pk
        return chain
