"""Options for dependent selects (see `core.pickers.follow_parent`): the 环节 of one 产业链, within the user's scope."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_GET

from zhaoshang.chains.models import Node
from zhaoshang.core.search_select import BLANK


@login_required
@require_GET
def chain_nodes(request: Any) -> HttpResponse:
    """`?chain=<id>`: a blank option and the chain's nodes, in the chain's order; nothing for another
    district's chain (the same answer as for a chain that does not exist)."""
    try:
        chain_id = int(request.GET.get("chain") or 0)
    except ValueError:
        chain_id = 0
    nodes = (
        Node.objects.restrict(request.user, "view").filter(chain_id=chain_id)
        if chain_id
        else Node.objects.none()
    )
    options = format_html_join("", '<option value="{}">{}</option>', ((n.pk, str(n)) for n in nodes))
    return HttpResponse(format_html('<option value="">{}</option>{}', BLANK, options))
