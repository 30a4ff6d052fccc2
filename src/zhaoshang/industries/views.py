"""The GB/T 4754-2017 classification: browse by section → division → group → class, or search by code or name."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from zhaoshang.standards.industries import ancestors, industries, industry, search

LEVEL_ORDER = ("section", "division", "group", "class")


def _children(code: str | None) -> list[Any]:
    return (
        [i for i in industries().values() if i.parent == code]
        if code
        else [i for i in industries().values() if i.level == "section"]
    )


@login_required
def industry_browser(request: Any) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    code = request.GET.get("code", "").strip()
    current = industry(code) if code else None
    context = {
        "query": query,
        "current": current,
        "trail": ancestors(current.code) if current else [],
        "results": search(query, limit=100) if query else _children(current.code if current else None),
    }
    template = "industries/_results.html" if request.headers.get("HX-Request") else "industries/browser.html"
    return render(request, template, context)


class IndustryQuerySerializer(serializers.Serializer):
    # Left out rather than empty: an empty value is a 400 (the schema's minLength 1), not "everything".
    q = serializers.CharField(required=False, default="", label=_("代码或名称"))
    code = serializers.CharField(required=False, default="", label=_("代码"))
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=50, label=_("条数"))


class IndustryCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=LEVEL_ORDER)
    parent = serializers.CharField(allow_null=True)


@extend_schema(parameters=[IndustryQuerySerializer], responses=IndustryCodeSerializer(many=True))
@api_view(["GET"])
def industry_api(request: Request) -> Response:
    """`/api/industries/?q=机器人` or `?code=3491`: the national classification (public, for every signed-in user)."""
    params = IndustryQuerySerializer(data=request.query_params)
    params.is_valid(raise_exception=True)  # a bad limit is a 400, not a server error
    code = params.validated_data["code"]
    if code:
        found = industry(code)
        rows = [found] if found else []
    else:
        rows = search(params.validated_data["q"], limit=params.validated_data["limit"])
    return Response([{"code": r.code, "name": r.name, "level": r.level, "parent": r.parent} for r in rows])
