"""The organisation tables declared once for the generic pages, API, import/export and CLI."""

from django.utils.translation import gettext_lazy as _

from zhaoshang.core import api, filters, forms, resources
from zhaoshang.core.declarations import ModelConfig, register, register_nav_group
from zhaoshang.core.models import Department, District, Park, Team, Town

register_nav_group("org", _("组织机构"), 90)


register(
    ModelConfig(
        key="district",
        model=District,
        columns=["adcode", "name", "kind", "city"],
        filterset=filters.DistrictFilterSet,
        form=forms.DistrictForm,
        serializer=api.DistrictSerializer,
        resource=resources.DistrictResource,
        select_related=["city"],
    )
)
register(
    ModelConfig(
        key="town",
        model=Town,
        columns=["name", "kind", "code", "district"],
        filterset=filters.TownFilterSet,
        form=forms.TownForm,
        serializer=api.TownSerializer,
        resource=resources.TownResource,
        select_related=["district"],
    )
)
register(
    ModelConfig(
        key="park",
        model=Park,
        columns=["name", "kind", "is_chemical_park", "town", "area_mu", "district"],
        filterset=filters.ParkFilterSet,
        form=forms.ParkForm,
        serializer=api.ParkSerializer,
        resource=resources.ParkResource,
        select_related=["district", "town"],
    )
)
register(
    ModelConfig(
        key="department",
        model=Department,
        columns=["name", "short_name", "contact", "phone", "district"],
        filterset=filters.DepartmentFilterSet,
        form=forms.DepartmentForm,
        serializer=api.DepartmentSerializer,
        resource=resources.DepartmentResource,
        select_related=["district"],
    )
)
register(
    ModelConfig(
        key="team",
        model=Team,
        columns=["name", "kind", "lead_department", "research_institution", "district"],
        filterset=filters.TeamFilterSet,
        form=forms.TeamForm,
        serializer=api.TeamSerializer,
        resource=resources.TeamResource,
        select_related=["district", "lead_department"],
    )
)
