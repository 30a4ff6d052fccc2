from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404
from django.views import View

from zhaoshang.core.declarations import ModelConfig
from zhaoshang.core.downloads import download_allowed
from zhaoshang.core.scope import ensure_allowed, may_add, require_right


class ConfigView(LoginRequiredMixin, View):
    """A view over one registered model; every object it touches comes through `restrict`."""

    config: ModelConfig = None  # type: ignore[assignment]  # set by as_view(config=...)
    action = "view"

    def queryset(self, action: str | None = None) -> Any:
        model = self.config.model
        return model.objects.restrict(self.request.user, action or self.action).select_related(
            *self.config.select_related
        )

    def get_object(self, action: str | None = None) -> Any:
        # Out of scope and nonexistent look the same: 404. A record the user sees but may not do `action` on:
        # 403 with the reason (ensure_allowed).
        action = action or self.action
        obj = get_object_or_404(self.queryset("view"), pk=self.kwargs["pk"])
        ensure_allowed(self.request.user, action, obj)
        return obj

    def require(self, action: str) -> None:
        require_right(self.request.user, action, self.config.model)

    def base_context(self, **extra: Any) -> dict[str, Any]:
        user = self.request.user
        return {
            "config": self.config,
            "model_meta": self.config.model._meta,
            "can_add": may_add(user, self.config.model),
            # The same decision as the export's gate (core.downloads); a model without a resource has no export.
            "can_export": self.config.resource is not None
            and download_allowed(user, f"{self.config.key}_export"),
            **extra,
        }
