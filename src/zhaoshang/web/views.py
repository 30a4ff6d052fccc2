from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zhaoshang.chains.selectors import chain_health
from zhaoshang.core.models import Job
from zhaoshang.core.scope import user_scope
from zhaoshang.core.selectors import district_overview
from zhaoshang.enterprises.selectors import targets_due
from zhaoshang.projects.selectors import project_overview


@login_required
def home(request: Any) -> HttpResponse:
    """One home, shaped by role: the city sees every district side by side, a district sees itself."""
    user = request.user
    districts = list(district_overview(user))
    profile = getattr(user, "profile", None)
    context = {
        "is_city": user_scope(user, "view").all_districts,
        "districts": districts,
        "active_districts": [d for d in districts if d.towns or d.parks or d.departments],
        "profile": profile,
        "jobs": Job.objects.filter(user=user)[:5],
        "targets_due": list(targets_due(user)[:10]),
        "chain_health": chain_health(user),
        "projects": project_overview(user),
        "can_change": not user_scope(user, "change").empty,
        "today": timezone.localdate(),
    }
    return render(request, "web/home.html", context)
