"""The global search's pages: the grouped results page, and the header's dropdown (the same, through HTMX)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhaoshang.web.search import DROPDOWN_LIMIT, PAGE_LIMIT, clean_text, global_search


@login_required
@require_GET
def search(request: Any) -> HttpResponse:
    """`/search/?q=…`: every group with its matches; an HTMX request gets the short dropdown instead."""
    # The header's box is named `search` (a list page's own filter box is `q`); the results page's is `q`.
    text = clean_text(request.GET.get("q") or request.GET.get("search"))
    dropdown = request.headers.get("HX-Request") == "true"
    groups = global_search(request.user, text, limit=DROPDOWN_LIMIT if dropdown else PAGE_LIMIT)
    context = {
        "q": text,
        "groups": groups,
        "found": sum(len(g.hits) for g in groups),
        "limit": DROPDOWN_LIMIT if dropdown else PAGE_LIMIT,
    }
    template = "web/_search_dropdown.html" if dropdown else "web/search.html"
    return render(request, template, context)
