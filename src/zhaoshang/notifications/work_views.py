"""我的工作: one page with everything the signed-in person must do (notifications.worklist reads it)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from zhaoshang.notifications.selectors import unread_count
from zhaoshang.notifications.worklist import worklist


@login_required
def my_work(request: Any) -> HttpResponse:
    work = worklist(request.user)
    return render(
        request,
        "notifications/my_work.html",
        {"work": work, "unread": unread_count(request.user)},
    )
