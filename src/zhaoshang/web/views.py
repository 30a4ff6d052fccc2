from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from zhaoshang.chains.selectors import chain_health
from zhaoshang.core.doors import lockout_message, token_expired, token_expires, token_revoke
from zhaoshang.core.models import Job
from zhaoshang.core.scope import has_city_rights, user_scope
from zhaoshang.core.selectors import district_overview
from zhaoshang.enterprises.selectors import targets_due
from zhaoshang.notifications.worklist import worklist_counts
from zhaoshang.projects.selectors import project_overview


@login_required
def home(request: Any) -> HttpResponse:
    """One home, shaped by role: the city sees every district side by side, a district sees itself."""
    user = request.user
    districts = list(district_overview(user))
    profile = getattr(user, "profile", None)
    context = {
        "is_city": has_city_rights(user, "view"),
        "districts": districts,
        "active_districts": [d for d in districts if d.towns or d.parks or d.departments],
        "profile": profile,
        "jobs": Job.objects.filter(user=user)[:5],
        "targets_due": list(targets_due(user)[:10]),
        "chain_health": chain_health(user),
        "projects": project_overview(user),
        "can_change": not user_scope(user, "change").empty,
        "today": timezone.localdate(),
        "work": worklist_counts(user),  # 我的工作: the counts, each linking to its section
    }
    return render(request, "web/home.html", context)


LOCKED_STATUS = 429


def lockout(request: Any, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """What a locked-out sign-in gets (AXES_LOCKOUT_CALLABLE): a page in the user's language, or for the API a
    JSON body with a `detail` as its other errors have."""
    message = lockout_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=LOCKED_STATUS)
    return render(request, "registration/lockout.html", {"message": message}, status=LOCKED_STATUS)


@login_required
@require_http_methods(["GET", "POST"])
def account_token(request: Any) -> HttpResponse:
    """The signed-in user's API token: when it was issued and expires; revoke it here."""
    if request.method == "POST":
        if token_revoke(user=request.user):
            messages.success(request, _("API 令牌已作废。"))
        return redirect("account_token")
    token = Token.objects.filter(user=request.user).first()
    context = {
        "token": token,
        "expires": token_expires(token) if token else None,
        "expired": token_expired(token) if token else False,
        "ttl_hours": settings.TOKEN_TTL_HOURS,
    }
    return render(request, "web/account_token.html", context)
