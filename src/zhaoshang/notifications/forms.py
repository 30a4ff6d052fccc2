"""The preference form and the channel configuration form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.models import Department
from zhaoshang.core.scope import limit_choices
from zhaoshang.notifications.models import ChannelConfig, Rule


class PreferenceForm(forms.Form):
    email = forms.BooleanField(label=_("邮件提醒"), required=False)
    digest = forms.BooleanField(
        label=_("每日汇总"), required=False, help_text=_("每天一封汇总邮件,代替逐条邮件")
    )
    muted = forms.MultipleChoiceField(
        label=_("以下类型不发邮件"),
        choices=Rule.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ChannelConfigForm(forms.ModelForm):
    rules = forms.MultipleChoiceField(
        label=_("提醒类型"),
        choices=Rule.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选:全部类型"),
    )

    class Meta:
        model = ChannelConfig
        fields = ["district", "department", "name", "kind", "target", "secret", "rules", "active"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self.fields, user, adding=self.instance.pk is None)
        # Departments of the districts the administrator may change, not all they may see.
        self.fields["department"].queryset = Department.objects.restrict(user, "change")
        districts = self.fields["district"].queryset
        if self.instance.pk is None and districts.count() == 1:
            self.fields["district"].initial = districts.first()
