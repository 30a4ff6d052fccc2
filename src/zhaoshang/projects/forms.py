from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.forms import ScopedModelForm
from zhaoshang.core.pickers import Top500Field, follow_parent
from zhaoshang.core.uploads import PURPOSES, UploadValidator, kinds_accept
from zhaoshang.projects.duplicates import DuplicateMatch, duplicate_matches
from zhaoshang.projects.models import FundsEntry, Project, ProjectOutput
from zhaoshang.projects.models.library import FUNDS_ENTRY_FIELDS, PROJECT_FIELDS, PROJECT_OUTPUT_FIELDS
from zhaoshang.projects.stages import DEFAULT_STAGES


class ProjectForm(ScopedModelForm):
    investor_top500 = Top500Field(label=_("投资方500强"), help_text=_("投资方所在的500强榜单及榜单年份"))
    not_a_duplicate = forms.BooleanField(
        label=_("确认不是重复项目"), required=False, help_text=_("系统发现疑似重复时,核实后勾选再保存")
    )

    class Meta:
        model = Project
        fields = PROJECT_FIELDS
        widgets = {
            "promised_start_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "expected_production_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "content": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.duplicates: list[dict[str, Any]] = []
        if self.instance.pk:
            # The stage moves through the ladder with evidence, never by editing the record.
            self.fields.pop("stage")
        else:
            self.fields["stage"].choices = [
                (c, label) for c, label in DEFAULT_STAGES if c in ("reserve", "lead", "negotiation")
            ]
        self.fields["chain"].queryset = self.fields["chain"].queryset.filter(is_current=True)
        follow_parent(self, "chain", "node", reverse("picker_chain_nodes"))

    #: Shown above the fields when the form found possible duplicates (``generic/object_form.html``).
    extra_template = "projects/_duplicates.html"

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()
        self.duplicates = []
        district = data.get("district")
        if district and data.get("name") and not data.get("not_a_duplicate") and not data.get("increase_of"):
            found = duplicate_matches(
                district_id=district.pk,
                name=data["name"],
                investor_uscc=data.get("investor_uscc") or "",
                project_code=data.get("project_code") or "",
                exclude=self.instance.pk,
            )
            if found:
                self.duplicates = self._shown(found)
                names = "、".join(str(d["name"]) for d in self.duplicates[:5])
                raise forms.ValidationError(
                    _(
                        "疑似重复项目:%(names)s。一个项目只能计一次;如是增资请选择“增资所属项目”,核实不是重复后勾选确认。"
                    )
                    % {"names": names}
                )
        return data

    def _shown(self, found: list[DuplicateMatch]) -> list[dict[str, Any]]:
        """The matches as the user may see them: a project outside their scope is not named nor linked."""
        ids = [m.project_id for m in found if m.project_id is not None]
        visible = set(
            Project.objects.restrict(self.user, "view").filter(pk__in=ids).values_list("pk", flat=True)
        )
        shown = []
        for m in found:
            seen = m.project_id in visible
            shown.append(
                {
                    "name": m.project_name if seen else _("其他区县的项目"),
                    "url": reverse("project_detail", args=[m.project_id]) if seen else "",
                    "reason": m.reason,
                    "probable": m.probable,
                }
            )
        return shown


class StageMoveForm(forms.Form):
    to_stage = forms.ChoiceField(
        label=_("新阶段"), choices=DEFAULT_STAGES, widget=forms.Select(attrs={"class": "form-select"})
    )
    date = forms.DateField(
        label=_("发生日期"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"}),
    )
    evidence = forms.FileField(
        label=_("佐证材料"),
        required=False,
        validators=[UploadValidator("evidence")],
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": kinds_accept(PURPOSES["evidence"])}
        ),
    )
    evidence_note = forms.CharField(
        label=_("佐证说明"), required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class FundsEntryForm(ScopedModelForm):
    class Meta:
        model = FundsEntry
        fields = FUNDS_ENTRY_FIELDS
        widgets = {"date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}


class ProjectOutputForm(ScopedModelForm):
    class Meta:
        model = ProjectOutput
        fields = PROJECT_OUTPUT_FIELDS
