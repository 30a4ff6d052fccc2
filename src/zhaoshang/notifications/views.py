"""The inbox (unread count, mark read), the person's preferences, and the administrators' channel pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from zhaoshang.core.models import District
from zhaoshang.core.scope import get_allowed, user_scope
from zhaoshang.notifications import selectors, services
from zhaoshang.notifications.forms import ChannelConfigForm, PreferenceForm
from zhaoshang.notifications.models import ChannelConfig, Rule
from zhaoshang.notifications.worklist import worklist_counts


class InboxView(LoginRequiredMixin, View):
    """消息提醒: the person's notifications, newest first, unread ones marked."""

    def get(self, request: Any) -> HttpResponse:
        unread_only = request.GET.get("unread") == "1"
        page = Paginator(selectors.inbox(request.user, unread_only=unread_only), 50).get_page(
            request.GET.get("page")
        )
        return render(
            request,
            "notifications/inbox.html",
            {
                "page": page,
                "unread_only": unread_only,
                "unread": selectors.unread_count(request.user),
                "work": worklist_counts(request.user),  # 我的工作's counts in the header
            },
        )


class MarkReadView(LoginRequiredMixin, View):
    """POST: mark one notification (``pk``) or all of them read; then go to the notification's page."""

    def post(self, request: Any, pk: int | None = None) -> HttpResponse:
        services.notification_mark_read(user=request.user, pk=pk)
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return HttpResponseRedirect(target)
        return redirect("notifications_inbox")


class PreferenceView(LoginRequiredMixin, View):
    def get(self, request: Any) -> HttpResponse:
        preference = selectors.preference_of(request.user)
        form = PreferenceForm(
            initial={"email": preference.email, "digest": preference.digest, "muted": preference.muted}
        )
        return render(request, "notifications/preferences.html", {"form": form})

    def post(self, request: Any) -> HttpResponse:
        form = PreferenceForm(request.POST)
        if not form.is_valid():
            return render(request, "notifications/preferences.html", {"form": form}, status=400)
        services.preference_save(user=request.user, **form.cleaned_data)
        messages.success(request, _("提醒偏好已保存。"))
        return redirect("notifications_preferences")


def _administrator(user: Any) -> None:
    """Channel configuration is for administrators of at least one district."""
    if not (user.is_staff and not user_scope(user, "change").empty):
        raise PermissionDenied(_("只有区县管理员可以配置提醒渠道。"))


class ChannelListView(LoginRequiredMixin, View):
    def get(self, request: Any) -> HttpResponse:
        _administrator(request.user)
        districts = list(District.objects.restrict(request.user, "change"))
        district = districts[0] if len(districts) == 1 else None
        chosen = request.GET.get("district")
        if chosen:
            district = next((d for d in districts if str(d.pk) == chosen), district)
        return render(
            request,
            "notifications/channels.html",
            {
                "channels": selectors.channels_for(request.user),
                "districts": districts,
                "district": district,
                "rules": selectors.rule_table(district) if district else [],
                "deliveries": selectors.deliveries_for(request.user, limit=50),
            },
        )


class ChannelEditView(LoginRequiredMixin, View):
    def _instance(self, request: Any, pk: int | None) -> ChannelConfig | None:
        """Another district's channel: 404; one of the user's district they may not change: 403 with the
        reason; then the administrators' own check (403)."""
        instance = None
        if pk is not None:
            instance = get_allowed(
                ChannelConfig.objects.select_related("district", "department"), request.user, "change", pk=pk
            )
        _administrator(request.user)
        return instance

    def get(self, request: Any, pk: int | None = None) -> HttpResponse:
        form = ChannelConfigForm(instance=self._instance(request, pk), user=request.user)
        return render(request, "notifications/channel_form.html", {"form": form})

    def post(self, request: Any, pk: int | None = None) -> HttpResponse:
        instance = self._instance(request, pk)
        if instance is not None and request.POST.get("action") == "delete":
            services.channel_delete(config=instance, user=request.user)
            messages.success(request, _("提醒渠道已删除。"))
            return redirect("notifications_channels")
        if instance is not None and request.POST.get("action") == "test":
            error = services.channel_test(config=instance, user=request.user)
            if error:
                messages.error(request, _("测试消息未送达:%(error)s") % {"error": error})
            else:
                messages.success(request, _("测试消息已送达。"))
            return redirect("notifications_channel_edit", pk=instance.pk)
        form = ChannelConfigForm(request.POST, instance=instance, user=request.user)
        if not form.is_valid():
            return render(request, "notifications/channel_form.html", {"form": form}, status=400)
        services.channel_save(form=form, user=request.user)
        messages.success(request, _("提醒渠道已保存。"))
        return redirect("notifications_channels")


class RuleSettingsView(LoginRequiredMixin, View):
    """POST: a district's rules, each on or off with its lead days."""

    def post(self, request: Any, district: int) -> HttpResponse:
        # Another district: 404; the user's own without the right: 403 with the reason.
        chosen = get_allowed(District.objects, request.user, "change", what=_("提醒规则"), pk=district)
        _administrator(request.user)
        for value in Rule.values:
            try:
                lead = max(0, min(int(request.POST.get(f"lead_{value}", 0)), 90))
            except ValueError:
                lead = 0
            services.rule_setting_save(
                user=request.user,
                district=chosen,
                rule=value,
                enabled=request.POST.get(f"enabled_{value}") == "on",
                lead_days=lead,
            )
        messages.success(request, _("提醒规则已保存。"))
        return redirect(f"{reverse('notifications_channels')}?district={chosen.pk}")
