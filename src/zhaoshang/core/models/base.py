from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.scope import ScopedManager


class TimeStamped(models.Model):
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class DistrictOwned(TimeStamped):
    """Every object that belongs to one district; the district decides who may see it."""

    district = models.ForeignKey("core.District", verbose_name=_("区县"), on_delete=models.PROTECT)

    scope_path = "district"
    objects = ScopedManager()

    class Meta:
        abstract = True

    @property
    def scoped_district_id(self) -> int | None:
        return self.district_id
