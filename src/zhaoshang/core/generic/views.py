"""List, detail, edit and delete pages for every registered model (NetBox's generic views, smaller)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import ProtectedError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from zhaoshang.core.concurrency import StaleEdit, expect_version, parse_version, their_changes
from zhaoshang.core.declarations import detail_panels
from zhaoshang.core.generic.base import ConfigView
from zhaoshang.core.scope import user_scope
from zhaoshang.core.services import object_delete, object_save

PAGE_SIZE = 50


class ObjectListView(ConfigView):
    def filtered(self) -> Any:
        filterset = self.config.filterset(
            self.request.GET or None, queryset=self.queryset(), request=self.request
        )
        return filterset, filterset.qs

    def get(self, request: Any) -> HttpResponse:
        filterset, queryset = self.filtered()
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = self.base_context(filterset=filterset, page=page, query=query.urlencode())
        app, key = self.config.model._meta.app_label, self.config.key
        if self.config.list_context is not None:
            context.update(self.config.list_context(page.object_list, request.user))
        # HTMX asks for the table only when filtering or paging. An app may give a model its own list page
        # (`<key>_list.html`) and table (`<key>_list_table.html`).
        if request.headers.get("HX-Request"):
            templates = [f"{app}/{key}_list_table.html", "generic/_table.html"]
        else:
            templates = [f"{app}/{key}_list.html", "generic/object_list.html"]
        return render(request, templates, context)


class ObjectDetailView(ConfigView):
    def get(self, request: Any, pk: int) -> HttpResponse:
        obj = self.get_object()
        user = request.user
        district_id, model = obj.scoped_district_id, type(obj)
        context = self.base_context(
            object=obj,
            can_add=user_scope(user, "add").allows(district_id),  # records of its own (nodes, funds, targets)
            can_change=user_scope(user, "change", model).allows(district_id),
            can_delete=user_scope(user, "delete", model).allows(district_id),
            can_verify=user_scope(user, "verify", model).allows(district_id),
        )
        if self.config.detail_context is not None:
            context.update(self.config.detail_context(obj, user))
        panels = detail_panels(self.config.key)
        for panel in panels:
            context.update(panel.context(obj, user))
        context["detail_panels"] = [panel.template for panel in panels]
        templates = [
            f"{self.config.model._meta.app_label}/{self.config.key}_detail.html",
            "generic/object_detail.html",
        ]
        return render(request, templates, context)


class ObjectEditView(ConfigView):
    def get_instance(self) -> Any:
        if "pk" in self.kwargs:
            return self.get_object("change")
        self.require("add")
        return self.config.model()

    def get(self, request: Any, pk: int | None = None) -> HttpResponse:
        instance = self.get_instance()
        form = self.config.form(instance=instance, user=request.user, initial=request.GET.dict())
        context = self.base_context(form=form, object=instance, seen_version=instance.edit_version)
        return render(request, "generic/object_form.html", context)

    def post(self, request: Any, pk: int | None = None) -> HttpResponse:
        instance = self.get_instance()
        # The version this person's form was drawn from; a save is refused if someone saved after it.
        seen = parse_version(request.POST.get("_version")) if instance.pk else None
        form = self.config.form(request.POST, request.FILES, instance=instance, user=request.user)
        conflict = None
        if form.is_valid():
            try:
                expect_version(form.instance, seen)
                if self.config.saver is not None:
                    obj = self.config.saver(form, request.user)
                else:
                    obj = object_save(
                        instance=form.save(commit=False), user=request.user, m2m_save=form.save_m2m
                    )
            except StaleEdit as stale:
                submitted = {name: form.cleaned_data.get(name) for name in form.fields}
                conflict = their_changes(stale.instance, stale.seen, submitted)
                # Saving again now means "mine over theirs", knowingly.
                seen = conflict["current_version"]
                form.add_error(None, _("此记录在您打开后已被他人修改,请核对下方的差异后再保存。"))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("已保存:%(obj)s") % {"obj": obj})
                return redirect(reverse(self.config.url_name("detail"), args=[obj.pk]))
        if instance.pk is not None:
            # The title and breadcrumb name the record as stored, not as this person's unsaved form has it.
            instance = type(instance)._base_manager.filter(pk=instance.pk).first() or instance
        context = self.base_context(
            form=form,
            object=instance,
            seen_version=seen if seen is not None else instance.edit_version,
            conflict=conflict,
        )
        return render(request, "generic/object_form.html", context, status=409 if conflict else 400)


class ObjectDeleteView(ConfigView):
    action = "delete"

    def get(self, request: Any, pk: int) -> HttpResponse:
        return render(
            request, "generic/object_confirm_delete.html", self.base_context(object=self.get_object())
        )

    def post(self, request: Any, pk: int) -> HttpResponse:
        obj = self.get_object()
        try:
            object_delete(instance=obj, user=request.user)
        except ProtectedError as error:
            blockers = ", ".join(str(o) for o in list(error.protected_objects)[:5])
            messages.error(request, _("无法删除,仍被以下记录引用:%(objs)s") % {"objs": blockers})
            return redirect(reverse(self.config.url_name("detail"), args=[obj.pk]))
        messages.success(request, _("已删除:%(obj)s,可在“已删除记录”中恢复。") % {"obj": obj})
        return redirect(reverse(self.config.url_name("list")))
