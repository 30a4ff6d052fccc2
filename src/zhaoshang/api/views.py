"""API viewsets derived from the registry: the same scope, filters and services as the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from zhaoshang.core.declarations import ModelConfig
from zhaoshang.core.services import object_delete, object_save

ACTION_FOR_METHOD = {
    "list": "view",
    "retrieve": "view",
    "update": "change",
    "partial_update": "change",
    "destroy": "delete",
}


class ScopedViewSet(viewsets.ModelViewSet):
    config: ModelConfig

    def get_queryset(self) -> Any:
        action = ACTION_FOR_METHOD.get(self.action or "list", "view")
        model = self.config.model
        return model.objects.restrict(self.request.user, action).select_related(*self.config.select_related)

    def _save(self, instance: Any, serializer: Any) -> None:
        try:
            if self.config.writer is not None:
                instance = self.config.writer(instance, self.request.user, "api")
            else:
                object_save(instance=instance, user=self.request.user, channel="api")
        except DjangoValidationError as error:
            raise ValidationError(serializers.as_serializer_error(error)) from error
        serializer.instance = instance

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        self._save(self.config.model(**data), serializer)

    def perform_update(self, serializer: Any) -> None:
        instance = serializer.instance
        for key, value in serializer.validated_data.items():
            setattr(instance, key, value)
        self._save(instance, serializer)

    def destroy(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
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
    return type(
        f"{config.model.__name__}ViewSet",
        (ScopedViewSet,),
        {
            "config": config,
            "serializer_class": config.serializer,
            "filterset_class": config.filterset,
            "queryset": config.model.objects.none(),
        },
    )
