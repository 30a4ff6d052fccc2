"""Enterprise actions beyond the generic pages: hand corrections, classification, placements."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View

from zhaoshang.chains.models import Node
from zhaoshang.core.scope import get_allowed
from zhaoshang.enterprises.models import TRACKED_FIELDS, Enterprise
from zhaoshang.enterprises.services import (
    EnterpriseError,
    enterprise_override_clear,
    enterprise_override_set,
    enterprises_classify,
    placement_set,
)
from zhaoshang.standards.parsers import parse_yes_no


class EnterpriseActionView(LoginRequiredMixin, View):
    def enterprise(self, pk: int) -> Enterprise:
        return get_allowed(Enterprise.objects, self.request.user, "change", pk=pk)


class OverrideView(EnterpriseActionView):
    def post(self, request: Any, pk: int, field: str) -> HttpResponse:
        enterprise = self.enterprise(pk)
        if field not in TRACKED_FIELDS:
            return redirect("enterprise_detail", pk=pk)
        if request.POST.get("clear"):
            enterprise_override_clear(enterprise=enterprise, field=field, user=request.user)
            messages.success(request, _("已撤销修正。"))
            return redirect("enterprise_detail", pk=pk)
        model_field = Enterprise._meta.get_field(field)
        raw = request.POST.get("value", "").strip()
        try:
            if field == "tags":
                value: Any = [t.strip() for t in raw.replace(",", "\u3001").split("\u3001") if t.strip()]
            elif field == "listed":
                value = parse_yes_no(raw)
            else:
                value = model_field.to_python(raw) if raw else (None if model_field.null else "")
            enterprise_override_set(
                enterprise=enterprise,
                field=field,
                value=value,
                user=request.user,
                reason=request.POST.get("reason", ""),
            )
        except (ValidationError, EnterpriseError, ValueError) as error:
            text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            messages.error(request, _("未保存:%(e)s") % {"e": text})
        else:
            messages.success(request, _("已修正“%(f)s”,以后导入不会覆盖。") % {"f": model_field.verbose_name})
        return redirect("enterprise_detail", pk=pk)


class ClassifyView(EnterpriseActionView):
    def post(self, request: Any, pk: int) -> HttpResponse:
        enterprise = self.enterprise(pk)
        placed = enterprises_classify(
            enterprises=Enterprise.objects.filter(pk=enterprise.pk), user=request.user
        )
        messages.success(request, _("已重新归链,新增 %(n)s 个环节。") % {"n": placed})
        return redirect("enterprise_detail", pk=pk)


class PlacementView(EnterpriseActionView):
    def post(self, request: Any, pk: int, node: int) -> HttpResponse:
        enterprise = self.enterprise(pk)
        chain_node = get_object_or_404(Node.objects.restrict(request.user, "view"), pk=node)
        on = request.POST.get("on") == "1"
        try:
            placement_set(
                enterprise=enterprise,
                node=chain_node,
                user=request.user,
                on=on,
                reason=request.POST.get("reason", ""),
            )
        except EnterpriseError as error:
            messages.error(request, str(error))
        return redirect("enterprise_detail", pk=pk)
