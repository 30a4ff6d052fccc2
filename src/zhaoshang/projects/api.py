from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from zhaoshang.core.api import ScopedModelSerializer
from zhaoshang.core.declarations import api_fields
from zhaoshang.projects.duplicates import DuplicateMatch, duplicate_matches
from zhaoshang.projects.models import FundsEntry, Project, ProjectOutput
from zhaoshang.projects.models.library import FUNDS_ENTRY_FIELDS, PROJECT_FIELDS, PROJECT_OUTPUT_FIELDS


class ProjectSerializer(ScopedModelSerializer):
    not_a_duplicate = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text=gettext_lazy(
            "核实不是重复项目后传 true:否则与已有项目很可能重复(项目代码相同、名称包含或高度相似)时回答 400,"
            "并在 duplicates 中列出这些项目"
        ),
    )

    class Meta:
        model = Project
        # Beyond the form, the API carries the status and its reason, the linked enterprise, and the stage's dates.
        fields = api_fields(
            PROJECT_FIELDS,
            "not_a_duplicate",  # write-only: confirms that a probable duplicate is not one (projects.duplicates)
            after={
                "stage": ["status", "status_reason", "terminated_on"],
                "investor_top500": ["enterprise"],
                "officer": ["signed_date"],
                "promised_start_date": ["started_date"],
            },
        )
        # The stage and its dates move only through verified stage moves.
        read_only_fields = ["stage", "signed_date", "started_date"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """A probable duplicate (``projects.duplicates``) is refused unless the body says it is not one: a
        project counts once. Checked on creation and when a change touches the project's identity."""
        attrs = super().validate(attrs)
        confirmed = attrs.pop("not_a_duplicate", False)
        current = self.instance
        identity = ("district", "name", "investor_uscc", "project_code")
        if current is not None and all(
            attrs.get(f, getattr(current, f)) == getattr(current, f) for f in identity
        ):
            return attrs
        value = {
            f: attrs.get(f, getattr(current, f, None) if current is not None else None) for f in identity
        }
        increase_of = attrs.get("increase_of", getattr(current, "increase_of", None))
        if confirmed or increase_of is not None or value["district"] is None or not value["name"]:
            return attrs
        found = [
            m
            for m in duplicate_matches(
                district_id=value["district"].pk,
                name=value["name"],
                investor_uscc=value["investor_uscc"] or "",
                project_code=value["project_code"] or "",
                exclude=current.pk if current is not None else None,
            )
            if m.probable
        ]
        if found:
            raise serializers.ValidationError(
                {
                    "not_a_duplicate": [
                        _(
                            "很可能与已有项目重复;核实不是重复后传 not_a_duplicate: true,如是增资请填 increase_of。"
                        )
                    ],
                    "duplicates": self._shown(found),
                }
            )
        return attrs

    def _shown(self, found: list[DuplicateMatch]) -> list[dict[str, str]]:
        """The matches as the user may see them (a refusal's values are text, the id too): a project outside
        their scope is neither named nor addressed."""
        user = getattr(self.context.get("request"), "user", None)
        ids = [m.project_id for m in found if m.project_id is not None]
        visible = set(Project.objects.restrict(user, "view").filter(pk__in=ids).values_list("pk", flat=True))
        shown = []
        for m in found:
            item = {"kind": m.kind, "level": m.level, "reason": m.reason, "name": _("其他区县的项目")}
            if m.project_id in visible:
                item.update(
                    id=str(m.project_id),
                    name=m.project_name,
                    url=reverse("project-detail", args=[m.project_id]),
                )
            shown.append(item)
        return shown


class FundsEntrySerializer(ScopedModelSerializer):
    class Meta:
        model = FundsEntry
        fields = api_fields(FUNDS_ENTRY_FIELDS)
        # An amount is above 0 (FundsEntry.clean): with two places, at least 0.01, which the schema then says.
        extra_kwargs = {"amount": {"min_value": Decimal("0.01")}}


class ProjectOutputSerializer(ScopedModelSerializer):
    class Meta:
        model = ProjectOutput
        fields = api_fields(PROJECT_OUTPUT_FIELDS)
