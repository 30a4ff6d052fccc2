"""The blocker's transitions on the API: `POST /api/blocker/<id>/<action>/`, the same actions as its page.

    assign       {"department": id, "deadline": "YYYY-MM-DD"}    交办 / 改派   (change right)
    progress     {"note": "…"}                                    登记进展      (change right)
    solve        {"solution": "…", "date": "YYYY-MM-DD"}          办结          (change right; date: today)
    strike-off   {}                                               销号          (verify right)
    reopen       {"reason": "…"}                                  退回          (verify right)

Each goes through its service in blockers.py (validated, in a transaction, attributed with the channel `api`)
and answers with the blocker as `GET /api/blocker/<id>/` shows it. A blocker outside the user's districts is a
404, as everywhere; a transition the blocker's state refuses is a 400 with the service's reason in `detail`; a
missing verify right is a 403 with its reason. The generic routes of `/api/blocker/` come from the registry
(delivery_views.py); these are mounted beside them by delivery_urls.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from zhaoshang.core.models import Department
from zhaoshang.projects import blockers as services
from zhaoshang.projects.delivery_api import BlockerSerializer
from zhaoshang.projects.models import Blocker

# Texts may be sent empty or left out: the service then refuses with the same words as the page.
_TEXT = {"required": False, "allow_blank": True, "default": ""}


class BlockerAssignSerializer(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(
        label=_("责任部门"), queryset=Department.objects.none(), required=False, allow_null=True, default=None
    )
    deadline = serializers.DateField(label=_("办结时限"), required=False, allow_null=True, default=None)

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        fields["department"].queryset = Department.objects.restrict(getattr(request, "user", None), "view")
        return fields


class BlockerProgressSerializer(serializers.Serializer):
    note = serializers.CharField(label=_("进展情况"), **_TEXT)


class BlockerSolveSerializer(serializers.Serializer):
    solution = serializers.CharField(label=_("解决情况"), **_TEXT)
    date = serializers.DateField(label=_("解决日期"), required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return {**attrs, "date": attrs.get("date") or timezone.localdate()}


class BlockerReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("退回原因"), **_TEXT)


class BlockerActionViewSet(viewsets.GenericViewSet):
    """POST actions only; reading, raising and editing a blocker stay with the generic `/api/blocker/` routes."""

    serializer_class = BlockerSerializer
    queryset = Blocker.objects.none()

    def get_queryset(self) -> Any:
        # "view" here, the action's own right in its service: the same lookup as the page's action view.
        return Blocker.objects.restrict(self.request.user, "view").select_related("project__district")

    def _transition(self, request: Request, service: Callable[..., Blocker], body: Any = None) -> Response:
        blocker = self.get_object()
        params: dict[str, Any] = {}
        if body is not None:
            serializer = body(data=request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            params = dict(serializer.validated_data)
        try:
            blocker = service(blocker=blocker, user=request.user, channel="api", **params)
        except services.BlockerPermissionError as error:
            raise PermissionDenied(str(error)) from error
        except services.BlockerError as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        except DjangoValidationError as error:
            raise ValidationError(serializers.as_serializer_error(error)) from error
        blocker = self.get_queryset().select_related("department", "raised_by").get(pk=blocker.pk)
        return Response(BlockerSerializer(blocker, context=self.get_serializer_context()).data)

    @extend_schema(request=BlockerAssignSerializer, responses=BlockerSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(request, services.blocker_assign, BlockerAssignSerializer)

    @extend_schema(request=BlockerProgressSerializer, responses=BlockerSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(request, services.blocker_progress, BlockerProgressSerializer)

    @extend_schema(request=BlockerSolveSerializer, responses=BlockerSerializer)
    @action(detail=True, methods=["post"])
    def solve(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(request, services.blocker_solve, BlockerSolveSerializer)

    @extend_schema(request=None, responses=BlockerSerializer)
    @action(detail=True, methods=["post"], url_path="strike-off", url_name="strike-off")
    def strike_off(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(request, services.blocker_strike_off)

    @extend_schema(request=BlockerReopenSerializer, responses=BlockerSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(request, services.blocker_reopen, BlockerReopenSerializer)


# Only the actions' routes: `blocker/<pk>/<action>/`, which the generic router of /api/ does not claim.
router = SimpleRouter()
router.register("blocker", BlockerActionViewSet, basename="blocker-action")
