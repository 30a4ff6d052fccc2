"""API viewsets derived from the registry: the same scope, filters and services as the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from zhaoshang.core.concurrency import StaleEdit, etag, expect_version, parse_version
from zhaoshang.core.declarations import ModelConfig
from zhaoshang.core.scope import get_allowed
from zhaoshang.core.services import object_delete, object_save

ACTION_FOR_METHOD = {
    "list": "view",
    "retrieve": "view",
    "update": "change",
    "partial_update": "change",
    "destroy": "delete",
}


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _lazy("记录已被他人修改:请重新读取(GET)后再提交。")
    default_code = "precondition_failed"


class ScopedViewSet(viewsets.ModelViewSet):
    config: ModelConfig
    # Any text up to the next slash reaches the view, so an id such as "1.5" is the API's JSON 404, not a page.
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> Any:
        action = ACTION_FOR_METHOD.get(self.action or "list", "view")
        model = self.config.model
        return model.objects.restrict(self.request.user, action).select_related(*self.config.select_related)

    def get_object(self) -> Any:
        action = ACTION_FOR_METHOD.get(self.action or "list", "view")
        if action == "view":
            return super().get_object()
        # Inside the user's districts a refused change or delete is a 403 with the reason; outside, a 404.
        key = self.lookup_url_kwarg or self.lookup_field
        try:
            instance = get_allowed(
                self.config.model.objects.select_related(*self.config.select_related),
                self.request.user,
                action,
                **{self.lookup_field: self.kwargs[key]},
            )
        except (TypeError, ValueError, DjangoValidationError) as error:
            raise Http404 from error
        self.check_object_permissions(self.request, instance)
        return instance

    def retrieve(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = etag(instance)
        return response

    def update(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        response = super().update(request, *args, **kwargs)
        written = getattr(self, "_written", None)
        if written is not None and hasattr(written, "edit_version"):
            response["ETag"] = etag(written)
        return response

    def create(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        response = super().create(request, *args, **kwargs)
        written = getattr(self, "_written", None)
        if written is not None and hasattr(written, "edit_version"):
            response["ETag"] = etag(written)
        return response

    def _seen_version(self, instance: Any) -> int | None:
        """The version named by If-Match; a stale one is refused before any work (412)."""
        seen = parse_version(self.request.headers.get("If-Match"))
        if self.request.headers.get("If-Match") and seen is None and self.request.headers["If-Match"] != "*":
            raise PreconditionFailed(_("If-Match 无法识别:请使用 GET 返回的 ETag。"))
        if seen is not None and seen != instance.edit_version:
            raise PreconditionFailed()
        return seen

    def _save(self, instance: Any, serializer: Any, many: dict[str, Any] | None = None) -> None:
        if instance.pk is not None:
            expect_version(instance, self._seen_version(instance))

        def save_many() -> None:
            for name, values in (many or {}).items():
                getattr(instance, name).set(values)

        try:
            if self.config.writer is not None:
                with transaction.atomic():
                    instance = self.config.writer(instance, self.request.user, "api")
                    save_many()
            else:
                object_save(instance=instance, user=self.request.user, channel="api", m2m_save=save_many)
        except StaleEdit as error:
            raise PreconditionFailed() from error
        except DjangoValidationError as error:
            raise ValidationError(serializers.as_serializer_error(error)) from error
        serializer.instance = instance
        self._written = instance

    def _split_many(self, data: dict[str, Any]) -> dict[str, Any]:
        """Take the many-to-many values (a chain's towns and parks …) out of `data`: they are set after the save."""
        names = {field.name for field in self.config.model._meta.many_to_many}
        return {name: data.pop(name) for name in list(data) if name in names}

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        many = self._split_many(data)
        self._save(self.config.model(**data), serializer, many)

    def perform_update(self, serializer: Any) -> None:
        instance = serializer.instance
        data = dict(serializer.validated_data)
        many = self._split_many(data)
        for key, value in data.items():
            setattr(instance, key, value)
        self._save(instance, serializer, many)

    def destroy(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        self._seen_version(instance)
        try:
            if self.config.deleter is not None:
                self.config.deleter(instance, request.user, "api")
            else:
                object_delete(instance=instance, user=request.user, channel="api")
        except DjangoValidationError as error:
            raise ValidationError(serializers.as_serializer_error(error)) from error
        except ProtectedError:
            return Response({"detail": _("仍被其他记录引用,无法删除")}, status=status.HTTP_409_CONFLICT)
        return Response(status=status.HTTP_204_NO_CONTENT)


def viewset_for(config: ModelConfig) -> type[ScopedViewSet]:
    attrs: dict[str, Any] = {
        "config": config,
        "serializer_class": config.serializer,
        "filterset_class": config.filterset,
        "queryset": config.model.objects.none(),
    }
    if not getattr(config.serializer, "api_create", True):
        # Records made only by a process of their own (dispatch reports): no POST, so none in the schema.
        attrs["http_method_names"] = [m for m in ScopedViewSet.http_method_names if m != "post"]
    return type(f"{config.model.__name__}ViewSet", (ScopedViewSet,), attrs)
