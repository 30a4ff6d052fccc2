from __future__ import annotations

from typing import Any

from django.db import models, router, transaction
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.concurrency import StaleEdit
from zhaoshang.core.scope import ScopedManager


class TimeStamped(models.Model):
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)
    # The edit counter: a form or an API client that read version N may write only while it is still N
    # (`core.concurrency`). Like `updated`, it is bookkeeping of every save, whichever service makes it.
    edit_version = models.PositiveIntegerField(_("编辑版本"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "edit_version"}
        seen = self.__dict__.pop("_seen_version", None)
        # The check reads where the write goes (the primary), never a replica.
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            if seen is not None:
                # The row is locked until the write commits, so two writers that both read N cannot both pass.
                current = (
                    type(self)
                    ._base_manager.db_manager(using)
                    .select_for_update()
                    .filter(pk=self.pk)
                    .values_list("edit_version", flat=True)
                    .first()
                )
                if current is None or current != seen:  # changed, or deleted, since it was read
                    raise StaleEdit(self, seen=seen, current=current or 0)
                self.edit_version = current
            self.edit_version = (self.edit_version or 0) + 1
            super().save(*args, **kwargs)


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
