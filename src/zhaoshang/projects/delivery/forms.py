"""Forms of weekly tasks, blockers and dispatch reports; choices limited to the user's scope."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.forms import ScopedModelForm
from zhaoshang.core.models import Department, District
from zhaoshang.core.search_select import ChoiceSource, offer_search
from zhaoshang.projects.delivery.dispatch.services import dispatch_period_default
from zhaoshang.projects.delivery.tasks import task_owner_choices, week_start
from zhaoshang.projects.models import Blocker, DispatchReport, Project, WeeklyTask
from zhaoshang.projects.models.delivery import BLOCKER_FIELDS, DISPATCH_REPORT_FIELDS, WEEKLY_TASK_FIELDS


def _date_input(**attrs: Any) -> forms.DateInput:
    # <input type="date"> only takes ISO dates: the localised format (2026年11月18日) would show as empty.
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


def _date(**kwargs: Any) -> forms.DateField:
    return forms.DateField(widget=_date_input(**{"class": "form-control"}), **kwargs)


class TaskForm(ScopedModelForm):
    class Meta:
        model = WeeklyTask
        fields = WEEKLY_TASK_FIELDS
        widgets = {"week": _date_input(), "due_date": _date_input()}
        help_texts = {"week": _("任一日期都归入其所在周的周一")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = task_owner_choices(self.user)
        # The steps of the chosen project only (a district has thousands); none until a project is chosen.
        project = self.data.get("project") or self.initial.get("project") or self.instance.project_id
        steps = self.fields["step"].queryset.select_related("project")
        self.fields["step"].queryset = (
            steps.filter(project_id=project) if str(project or "").isdigit() else steps.none()
        )
        self.fields["step"].help_text = _("先选项目(从项目页“新增任务”进入时已选好)")

    def clean_week(self) -> Any:
        week = self.cleaned_data.get("week")
        return week_start(week) if week else week

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        step, project = data.get("step"), data.get("project")
        if step is not None and project is not None and step.project_id != project.pk:
            self.add_error("step", _("节点须属于该项目。"))
        return data


class BlockerForm(ScopedModelForm):
    """New: raised (and assigned when a department and deadline are given); edit: its words only."""

    class Meta:
        model = Blocker
        fields = BLOCKER_FIELDS
        widgets = {"deadline": _date_input(), "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            # Status, department and deadline move through the actions on the blocker's page.
            for name in ("project", "department", "deadline"):
                self.fields.pop(name)
        else:
            self.fields["department"].help_text = _("选择责任部门并填写办结时限即直接交办")


class DispatchReportForm(ScopedModelForm):
    """New: the period to build; edit: the title and the minutes."""

    class Meta:
        model = DispatchReport
        fields = DISPATCH_REPORT_FIELDS
        widgets = {
            "period_start": _date_input(),
            "period_end": _date_input(),
            "minutes": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            self.fields.pop("title")  # numbered automatically: 「XX区重点项目推进调度报告(第N期)」
            start, end = dispatch_period_default(timezone.localdate())
            self.fields["period_start"].initial, self.fields["period_end"].initial = start, end
        else:
            for name in ("district", "period_start", "period_end"):
                self.fields.pop(name)


class DispatchBuildForm(forms.Form):
    district = forms.ModelChoiceField(
        label=_("区县"), queryset=District.objects.none(), widget=forms.Select(attrs={"class": "form-select"})
    )
    period_start = _date(label=_("起始日期"))
    period_end = _date(label=_("截止日期"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.restrict(user, "add")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            raise forms.ValidationError(_("截止日期不能早于起始日期。"))
        return data


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("会议纪要"), required=False, widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"})
    )


class DecisionForm(forms.Form):
    """One decision of the meeting: a line that becomes a weekly task or a blocker of a project."""

    project = forms.ModelChoiceField(
        label=_("项目"), queryset=Project.objects.none(), widget=forms.Select(attrs={"class": "form-select"})
    )
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=[("task", _("周任务")), ("blocker", _("堵点"))],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    text = forms.CharField(
        label=_("议定事项"), max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    department = forms.ModelChoiceField(
        label=_("责任部门"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    due_date = _date(label=_("完成时限"), required=False)

    def __init__(self, *args: Any, user: Any, report: DispatchReport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A district has thousands of projects: a search box, not a list of them all.
        projects = ChoiceSource(
            model=Project,
            action="add",
            filters={"district_id": report.district_id},
            excludes={"status": Project.Status.TERMINATED.value},
        )
        self.fields["project"].queryset = projects.queryset(user).order_by("name")
        offer_search(self.fields["project"], projects)
        self.fields["department"].queryset = Department.objects.restrict(user, "view").filter(
            district_id=report.district_id
        )


class BlockerAssignForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("责任部门"),
        queryset=Department.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    deadline = _date(label=_("办结时限"))

    def __init__(self, *args: Any, blocker: Blocker, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(
            district_id=blocker.project.district_id
        )
        if blocker.department_id:
            self.fields["department"].initial = blocker.department_id
            self.fields["deadline"].initial = blocker.deadline


class BlockerProgressForm(forms.Form):
    note = forms.CharField(
        label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )


class BlockerSolveForm(forms.Form):
    solution = forms.CharField(
        label=_("解决情况"), widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )
    date = _date(label=_("解决日期"))


class BlockerReopenForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), widget=forms.TextInput(attrs={"class": "form-control"}))
