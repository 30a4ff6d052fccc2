"""Import/export cell widgets over the shared parsers: what officials type in Excel becomes typed values."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import widgets

from zhaoshang.core.validators import localised
from zhaoshang.standards import codes, parsers
from zhaoshang.standards.parsers import ParseError


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class ParsedWidget(widgets.Widget):
    """Runs a pure parser; a ParseError becomes the cell's message in the user's language."""

    parser: Any = None

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if _blank(value):
            return None
        try:
            return type(self).parser(value)
        except ParseError as error:
            raise ValueError(localised(error)) from error


class MoneyWidget(ParsedWidget):
    parser = staticmethod(parsers.parse_money_wan)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return "" if value is None else value


class DateWidget(ParsedWidget):
    parser = staticmethod(parsers.parse_date)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return "" if value is None else value.isoformat()


class PercentWidget(ParsedWidget):
    parser = staticmethod(parsers.parse_percent)


class AdcodeWidget(ParsedWidget):
    parser = staticmethod(codes.validate_adcode)


class UsccWidget(ParsedWidget):
    parser = staticmethod(codes.validate_uscc)


class IndustryCodeWidget(ParsedWidget):
    parser = staticmethod(codes.validate_industry_code)


class AreaMuWidget(ParsedWidget):
    """Area cells in 亩, 公顷 or m²; stored in 亩 (rounded to the column's decimal places)."""

    parser = staticmethod(lambda value: parsers.parse_area(value).mu)

    def __init__(self, places: int = 4, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.places = places

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        mu = super().clean(value, row, **kwargs)
        return None if mu is None else mu.quantize(Decimal(1).scaleb(-self.places), rounding=ROUND_HALF_UP)


class YesNoWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> bool:
        if _blank(value):
            return False
        try:
            return parsers.parse_yes_no(value)
        except ParseError as error:
            raise ValueError(localised(error)) from error

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return _("是") if value else _("否")


class ChoiceWidget(widgets.Widget):
    """A choice cell accepts the label (as officials write it) or the stored code; exports the label."""

    def __init__(
        self, choices: Any, default: Any = None, *, aliases: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        self.choices = list(choices)
        self.default = default
        self.aliases = aliases or {}  # other wordings officials use (技改 for 技术改造) → the stored code
        super().__init__(**kwargs)

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if _blank(value):
            return self.default
        text = str(value).strip()
        if "".join(text.split()) in self.aliases:
            return self.aliases["".join(text.split())]
        for code, label in self.choices:
            # A file may have been exported from an English session: every language's label is accepted.
            if text == str(code) or text in _labels(label):
                return code
        allowed = "、".join(str(label) for _code, label in self.choices)
        raise ValueError(_("“%(value)s”不是可选值,可选:%(allowed)s") % {"value": text, "allowed": allowed})

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        # Files keep Chinese headers, so they keep Chinese labels whatever the exporting user's language.
        with translation.override("zh-hans"):
            return str(dict(self.choices).get(value, value or ""))


def _labels(label: Any) -> set[str]:
    labels = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.add(str(label))
    return labels


class LookupWidget(widgets.ForeignKeyWidget):
    """A foreign key by a natural key (an adcode, a name), limited to what the importing user may see."""

    def __init__(
        self, model: Any, field: str, *, label: str, district_column: str | None = None, scoped: bool = True
    ) -> None:
        super().__init__(model, field)
        self.label = label
        self.district_column = district_column
        # Districts are public facts: a row naming another district is "not yours", not "not found".
        self.scoped = scoped

    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> Any:
        user = kwargs.get("user")
        scoped = self.scoped and user is not None
        queryset = self.model.objects.restrict(user, "view") if scoped else self.model.objects.all()
        if self.district_column and row is not None:
            # The row's district is written by its code or by its name (a county's or a functional zone's).
            district = district_of(row.get(self.district_column), user)
            queryset = queryset.filter(district=district) if district is not None else queryset.none()
        return queryset

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if _blank(value):
            return None
        text = str(value).strip()
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        try:
            return self.get_queryset(value, row, **kwargs).get(**{self.field: text})
        except self.model.DoesNotExist:
            raise ValueError(_("找不到%(label)s“%(value)s”") % {"label": self.label, "value": text}) from None
        except self.model.MultipleObjectsReturned:
            raise ValueError(
                _("%(label)s“%(value)s”不唯一,请补充区县代码") % {"label": self.label, "value": text}
            ) from None


def _code_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "".join(str(value).split()) if value is not None else ""


def district_candidates(value: Any, user: Any = None) -> list[Any]:
    """The districts and functional zones a cell names: by its 6-digit code, else by its name (临淄区, XX高新区),
    else by the name without its city's name in front (淄博高新区 → 高新区). Those in the user's scope come
    first: two cities may both have a 高新区."""
    from zhaoshang.core.models import District

    text = _code_text(value)
    if not text:
        return []
    if text.isdigit():
        return list(District.objects.filter(adcode=text))
    found = list(District.objects.filter(name=text).select_related("city"))
    if not found:
        # 淄博高新区 where the books say 高新区, or the other way round.
        found = [
            district
            for district in District.objects.filter(name__endswith=text[-2:]).select_related("city")
            if any(
                text == f"{city}{district.name}" or district.name == f"{city}{text}"
                for city in (district.city.name, district.city.name.removesuffix("市"))
            )
        ]
    if len(found) > 1 and user is not None:
        allowed = set(District.objects.restrict(user, "view").values_list("pk", flat=True))
        mine = [district for district in found if district.pk in allowed]
        found = mine or found
    return found


def district_of(value: Any, user: Any = None) -> Any:
    """The one district a cell names, or None (unknown or ambiguous)."""
    found = district_candidates(value, user)
    return found[0] if len(found) == 1 else None


class DistrictWidget(widgets.ForeignKeyWidget):
    """A district or functional zone by its code (370305) or its name (临淄区, XX高新区). Districts are public
    facts: a row naming another one is "not yours" (the scope check), not "not found"."""

    def __init__(self, label: str = "区县代码") -> None:
        from zhaoshang.core.models import District

        super().__init__(District, "adcode")
        self.label = label

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if _blank(value):
            return None
        text = _code_text(value)
        found = district_candidates(value, kwargs.get("user"))
        if len(found) == 1:
            return found[0]
        if found:
            raise ValueError(_("“%(value)s”对应多个区县,请填写区县代码") % {"value": text})
        if text.isdigit():
            raise ValueError(_("找不到%(label)s“%(value)s”") % {"label": self.label, "value": text})
        raise ValueError(_("找不到区县或功能区“%(value)s”") % {"value": text})


LIST_SEPARATORS = (",", "\uff0c", ";", "\uff1b", "\n")  # , ， ; ； and new lines, besides 、


class ListWidget(widgets.Widget):
    """A list in one cell: items separated by 、 , ; or new lines (as people type them in Excel)."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> list[str]:
        text = str(value or "")
        for separator in LIST_SEPARATORS:
            text = text.replace(separator, "\u3001")
        return [item.strip() for item in text.split("\u3001") if item.strip()]

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "\u3001".join(value or [])


class ClassCodeWidget(ParsedWidget):
    """A GB/T 4754 class (4 digits); Excel's lost leading zero (111 → 0111) is put back."""

    parser = staticmethod(lambda value: codes.validate_industry_code(value, level="class"))


class Top500Widget(widgets.Widget):
    """ "中国企业500强:2023; 世界500强:2022" ↔ [{"list": ..., "year": ...}]."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> list[dict[str, Any]]:
        entries = []
        for item in ListWidget().clean(value):
            name, _sep, year = item.replace("\uff1a", ":").partition(":")
            if not year.strip().isdigit():
                raise ValueError(_("500强须写成“榜单:年份”,如 中国企业500强:2023"))
            entries.append({"list": name.strip(), "year": int(year)})
        return entries

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "; ".join(f"{e['list']}:{e['year']}" for e in value or [])
