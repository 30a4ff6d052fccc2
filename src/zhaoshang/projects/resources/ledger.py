"""What a project ledger carries besides the project's fields: its list memberships with their year and class,
and the dated claims of 开工/竣工/投产, read on import and written back on export."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.importing.resource import blank_cell, clear_cell
from zhaoshang.projects.models import (
    Project,
    StageMove,
)
from zhaoshang.projects.resources.columns import CLAIM_COLUMNS, _approx
from zhaoshang.projects.stages import stage_index
from zhaoshang.projects.wordings import split_class, tier_of
from zhaoshang.standards import parsers
from zhaoshang.standards.parsers import ParseError


class LedgerColumns:
    """Mixed into `ProjectResource`: the columns that are not fields of the project."""

    # --- exports of the read-only columns ----------------------------------------------------------------

    def dehydrate_listing(self, project: Project) -> str:
        return "、".join(
            f"{listing.get_level_display()}({listing.year}年)" for listing in project.listings.all()
        )

    def dehydrate_planned_investment(self, project: Project) -> Any:
        latest = project.listings.exclude(planned_investment=None).order_by("-year").first()
        return "" if latest is None else latest.planned_investment

    def dehydrate_year_class(self, project: Project) -> str:
        """The class of the latest year the project is classed for (it reads back as the same claim)."""
        classed = [item for item in project.listings.all() if item.year_class]
        if not classed:
            return ""
        latest = max(item.year for item in classed)
        return "、".join(
            dict.fromkeys(str(item.get_year_class_display()) for item in classed if item.year == latest)
        )

    def dehydrate_started_claim(self, project: Project) -> str:
        return project.started_date.isoformat() if project.started_date else ""

    def before_export(self, queryset: Any, **kwargs: Any) -> None:
        super().before_export(queryset, **kwargs)
        # 竣工时间 / 投产时间 have no field: the file carries the verified move's date, read in one query.
        moves = (
            StageMove.objects.filter(
                project__in=queryset, verified_at__isnull=False, to_stage__in=CLAIM_COLUMNS.values()
            )
            .values("project_id", "to_stage")
            .annotate(day=Min("date"))
            .order_by()
        )
        self._verified_days = {(row["project_id"], row["to_stage"]): row["day"] for row in moves}

    def _verified_day(self, project: Project, stage: str) -> str:
        day = getattr(self, "_verified_days", {}).get((project.pk, stage))
        return day.isoformat() if day else ""

    def dehydrate_completed_claim(self, project: Project) -> str:
        return self._verified_day(project, "completed")

    def dehydrate_production_claim(self, project: Project) -> str:
        return self._verified_day(project, "production")

    def _new_claims(self, instance: Any) -> bool:
        dated = getattr(instance, "_dated_claims", None) or {}
        beyond = [stage for stage in dated if stage_index(stage) > stage_index(instance.stage)]
        if not beyond:
            return False
        pending = set(
            instance.moves.filter(verified_at__isnull=True, rejected_reason="").values_list(
                "to_stage", flat=True
            )
        )
        return bool(set(beyond) - pending)

    def _new_listings(self, instance: Any, row: Any) -> bool:
        listings = getattr(instance, "_listings", None) or []
        year_class, class_year = getattr(instance, "_year_class", (None, None))
        if not listings:
            # A class without a list in the row: the claim for the project's lists of the table's year.
            return bool(
                year_class
                and instance.listings.filter(year=class_year).exclude(year_class=year_class).exists()
            )
        self._row = row
        planned = self._planned(instance)
        for level, year, _wording in listings:
            stored = instance.listings.filter(year=year, level=level).first()
            if stored is None or (planned is not None and stored.planned_investment != planned):
                return True
            if year_class and stored.year_class != year_class:
                return True
        return False

    def _listings(self, row: Any, instance: Any, errors: dict[str, list[str]]) -> list[tuple[str, int, str]]:
        column, planned_column = "项目类别", "年度计划投资"
        year_class = self._year_class(row, errors)
        instance._year_class = (year_class, None)
        try:
            wordings = self.fields["listing"].clean(row) if column in row else None
        except ValueError as error:
            errors.setdefault("listing", []).append(str(error))
            return []
        if not wordings:
            if year_class:
                written = "年度类别" if not blank_cell(row.get("年度类别")) else column
                self._class_without_list(instance, year_class, written)
            if (
                planned_column in row
                and not blank_cell(row[planned_column])
                and not _approx(row[planned_column])
            ):
                self.warn(planned_column, _("没有项目类别(名单),年度计划投资未导入"))
            return []
        default_year = self.layout.year
        if default_year is None and any(year is None for _level, year, _text in wordings):
            default_year = timezone.localdate().year
            self.warn(
                column,
                _("名单未写年度,表题也没有年度:按导入年度 %(year)s 年计入") % {"year": default_year},
            )
        tier = tier_of([level for level, _year, _text in wordings])
        if tier is not None and "项目层级" not in row:
            instance.tier = tier
        return [(level, year or default_year, text) for level, year, text in wordings]

    def _year_class(self, row: Any, errors: dict[str, list[str]]) -> str | None:
        """The table's class for the year: a 年度类别/建设类别 column, else a class written in 项目类别
        ("省重大项目(续建)", "续建")."""
        if "年度类别" in row:
            try:
                year_class = self.fields["year_class"].clean(row)
            except ValueError as error:
                errors.setdefault("year_class", []).append(str(error))
                return None
            if year_class:
                return str(year_class)
        if "项目类别" in row:
            return split_class(row["项目类别"])[1]
        return None

    def _class_without_list(self, instance: Any, year_class: str, column: str) -> None:
        """A class and no list in the row: the claim for the project's stored lists of the table's year, or a
        warning that it went nowhere (a class belongs to a year's list, never to the project alone)."""
        year = self.layout.year
        if year is None:
            self.warn(column, _("表题没有年度,也没有名单:年度类别未导入"))
        elif not instance.pk or not instance.listings.filter(year=year).exists():
            self.warn(
                column,
                _("项目不在 %(year)s 年的名单上(本行也没有项目类别):年度类别未导入") % {"year": year},
            )
        else:
            instance._year_class = (year_class, year)

    def _claim_dates(self, row: Any, errors: dict[str, list[str]]) -> dict[str, datetime.date]:
        """开工时间 / 竣工时间 / 投产时间 as claimed stage moves, dated as the ledger says."""
        today = timezone.localdate()
        dated: dict[str, datetime.date] = {}
        for name, stage in CLAIM_COLUMNS.items():
            column = str(self.fields[name].column_name)
            value = row.get(column)
            if blank_cell(value) or clear_cell(value):
                continue
            try:
                parsed = parsers.parse_date_precise(value)
            except ParseError as error:
                errors.setdefault(name, []).append(str(error))
                continue
            if parsed.date > today:
                self.warn(column, _("“%(value)s”在今天之后,未作为已发生申报") % {"value": value})
                continue
            if parsed.precision != "day":
                self.warn(
                    column,
                    _("“%(value)s”未写到日,按 %(date)s 申报,审核时可更正")
                    % {"value": value, "date": parsed.date.isoformat()},
                )
            dated[stage] = parsed.date
        return dated
