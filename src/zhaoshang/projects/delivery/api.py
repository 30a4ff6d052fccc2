"""Delivery records on the API: the serializers of weekly tasks, blockers and dispatch reports, and the
blocker's transitions, `POST /api/blocker/<id>/<action>/`, the same actions as its page.

    assign       {"department": id, "deadline": "YYYY-MM-DD"}    交办 / 改派   (change right)
    progress     {"note": "…"}                                    登记进展      (change right)
    solve        {"solution": "…", "date": "YYYY-MM-DD"}          办结          (change right; date: today)
    strike-off   {}                                               销号          (verify right)
    reopen       {"reason": "…"}                                  退回          (verify right)

Status changes of blockers and the numbers of dispatch reports are not writable through the serializers: they
move only through the services (blockers.py, dispatch/services.py), which validate and attribute each transition.
Each action goes through its service in blockers.py (validated, in a transaction, attributed with the channel
`api`) and answers with the blocker as `GET /api/blocker/<id>/` shows it. A blocker outside the user's districts
is a 404, as everywhere; a transition the blocker's state refuses is a 400 with the service's reason in `detail`;
a missing verify right is a 403 with its reason. The generic routes of `/api/blocker/` come from the registry
(registry.py); these are mounted beside them by urls.py.
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

from zhaoshang.core.api import ScopedModelSerializer
from zhaoshang.core.declarations import api_fields
from zhaoshang.core.models import Department
from zhaoshang.projects.delivery import blockers as services
from zhaoshang.projects.delivery.blockers import BlockerError, check_assignment
from zhaoshang.projects.delivery.tasks import task_owner_choices, week_start
from zhaoshang.projects.models import Blocker, DispatchReport, WeeklyTask
from zhaoshang.projects.models.delivery import (
    BLOCKER_FIELDS,
    BLOCKER_PROGRESS_FIELDS,
    DISPATCH_REPORT_FIELDS,
    WEEKLY_TASK_FIELDS,
)


def _request_user(serializer: serializers.Serializer) -> Any:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class WeeklyTaskSerializer(ScopedModelSerializer):
    class Meta:
        model = WeeklyTask
        # The API may also send the done date (validate() fills it in); the page sets it when a task is done.
        fields = api_fields(WEEKLY_TASK_FIELDS, "done_date")

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["owner"].queryset = task_owner_choices(_request_user(self))
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        current = self.instance
        if attrs.get("week"):
            attrs["week"] = week_start(attrs["week"])
        status = attrs.get("status", current.status if current else WeeklyTask.Status.TODO)
        if status == WeeklyTask.Status.DONE:
            attrs["done_date"] = (
                attrs.get("done_date") or (current and current.done_date) or timezone.localdate()
            )
        else:
            attrs["done_date"] = None
        step = attrs.get("step", current.step if current else None)
        project = attrs.get("project", current.project if current else None)
        if step is not None and project is not None and step.project_id != project.pk:
            raise serializers.ValidationError({"step": _("节点须属于该项目。")})
        return attrs


class BlockerSerializer(ScopedModelSerializer):
    class Meta:
        model = Blocker
        fields = api_fields(BLOCKER_FIELDS, *BLOCKER_PROGRESS_FIELDS)
        read_only_fields = BLOCKER_PROGRESS_FIELDS

    # Assignment is a transition (blocker_assign), not an edit.
    read_only_on_update = ("project", "department", "deadline")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None:
            department, deadline = attrs.get("department"), attrs.get("deadline")
            attrs["raised_by"] = _request_user(self)
            if department is not None or deadline is not None:
                try:
                    check_assignment(attrs["project"], department, deadline, timezone.localdate())
                except BlockerError as error:
                    raise serializers.ValidationError(str(error)) from error
                attrs["status"] = Blocker.Status.ASSIGNED
        return attrs


class DispatchReportSerializer(ScopedModelSerializer):
    class Meta:
        model = DispatchReport
        # The API also shows what building the report wrote (read-only): its summary and its document.
        fields = api_fields(DISPATCH_REPORT_FIELDS, after={"title": ["summary", "document"]})
        read_only_fields = ["summary", "document"]

    read_only_on_update = ("district", "period_start", "period_end")
    #: Reports are made by "生成调度报告" (page or `zhaoshang dispatch`), never posted: no POST on the API.
    api_create = False

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None:
            raise serializers.ValidationError(
                _("调度报告须通过“生成调度报告”产生(网页或 zhaoshang dispatch)。")
            )
        return attrs


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
    lookup_value_regex = "[^/]+"  # as the generic routes: a malformed id is a JSON 404

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
