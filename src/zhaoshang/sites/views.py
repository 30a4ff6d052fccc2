"""The factor guarantee map and the site actions beyond the generic pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from zhaoshang.core.generic.history import RestoreView
from zhaoshang.core.generic.views import ObjectDeleteView
from zhaoshang.core.import_jobs import upload_key, upload_store
from zhaoshang.core.importing import ImportReport
from zhaoshang.core.jobs import job_existing, job_live, job_submit
from zhaoshang.core.models import District, Job
from zhaoshang.core.scope import get_allowed, require_right, user_scope
from zhaoshang.core.uploads import UploadValidator
from zhaoshang.projects.models import Project
from zhaoshang.sites import map_selectors
from zhaoshang.sites.filters import SiteFilterSet
from zhaoshang.sites.forms import CRS_CHOICES
from zhaoshang.sites.jobs import GEO_IMPORT
from zhaoshang.sites.map_selectors import bbox_parse, map_features, map_shapes, park_boundaries, site_totals
from zhaoshang.sites.models import Demand, Kind, Site, SiteUnit
from zhaoshang.sites.selectors import (
    display_crs,
    district_batch_assignment,
    project_sites_context,
    stale_by_owner,
    stale_sites,
)
from zhaoshang.sites.services import (
    site_release,
    site_reserve,
    site_unit_delete,
    site_unit_restore,
    site_verify,
)


def _tiles_crs() -> str:
    return display_crs()


def _filtered(request: Any) -> tuple[SiteFilterSet, Any]:
    queryset = Site.objects.restrict(request.user, "view")
    filterset = SiteFilterSet(request.GET or None, queryset=queryset, request=request)
    return filterset, filterset.qs


def map_labels() -> dict[str, str]:
    labels = {**dict(Kind.choices), **dict(Site.Availability.choices)}
    labels.update(
        open=_("查看详情"),
        stale=_("超期未核实"),
        verified=_("最近核实"),
        park=_("园区"),
        town=_("镇办"),
        price=_("价格"),
        power=_("电力余量"),
        area=_("面积"),
        boundaries=_("园区边界"),
        shown=_("地图上显示 %(n)s 处资源"),
        kinds=_("类型"),
        statuses=_("状态"),
        available_area=Site._meta.get_field("available_area_m2").verbose_name,
        too_many=_("视野内资源过多,放大地图后显示地块范围"),
    )
    return {key: str(value) for key, value in labels.items()}


def map_shapes_settings() -> dict[str, int]:
    """When the page draws polygons instead of clustered points (data attributes of the map box)."""
    return {
        "zoom": map_selectors.SHAPES_ZOOM,
        "min_zoom": map_selectors.SHAPES_MIN_ZOOM,
        "max_in_view": map_selectors.SHAPES_MAX_IN_VIEW,
    }


class SiteMapView(LoginRequiredMixin, View):
    """要素保障地图: every site on a map, coloured by availability, with the filter panel and totals."""

    def get(self, request: Any) -> HttpResponse:
        filterset, queryset = _filtered(request)
        context = {
            "filterset": filterset,
            "totals": site_totals(queryset),
            "query": request.GET.urlencode(),
            "tiles_crs": _tiles_crs(),
            "map_labels": map_labels(),
            "map_shapes": map_shapes_settings(),
        }
        template = "sites/_map_totals.html" if request.headers.get("HX-Request") else "sites/site_map.html"
        return render(request, template, context)


class SiteMapDataView(LoginRequiredMixin, View):
    """The map's points as GeoJSON (filtered like the list), shifted to GCJ-02 when the tiles are."""

    def get(self, request: Any) -> JsonResponse:
        filterset, queryset = _filtered(request)
        if filterset.is_bound and not filterset.is_valid():
            return JsonResponse({"errors": filterset.errors.get_json_data()}, status=400)
        data = map_features(queryset, crs=_tiles_crs())
        if request.GET.get("boundaries"):
            data["boundaries"] = park_boundaries(request.user, crs=_tiles_crs())
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


class SiteMapShapesView(LoginRequiredMixin, View):
    """The polygons in the visible box, ``?bbox=west,south,east,north`` in the tiles' system, filtered like
    the points and restricted to the user's districts; shifted to GCJ-02 when the tiles are."""

    def get(self, request: Any) -> JsonResponse:
        try:
            bbox = bbox_parse(request.GET.get("bbox", ""), crs=_tiles_crs())
        except ValueError:
            message = _("bbox 须为“西,南,东,北”四个经纬度数值。")
            return JsonResponse({"errors": {"bbox": [{"message": message}]}}, status=400)
        filterset, queryset = _filtered(request)
        if filterset.is_bound and not filterset.is_valid():
            return JsonResponse({"errors": filterset.errors.get_json_data()}, status=400)
        data = map_shapes(queryset, bbox=bbox, crs=_tiles_crs())
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


class SiteActionView(LoginRequiredMixin, View):
    def site(self, pk: int) -> Site:
        return get_allowed(Site.objects, self.request.user, "change", pk=pk)

    def unit(self, site: Site) -> SiteUnit | None:
        """The unit of a divided building the action is about (``unit`` in the form), or None: the site."""
        pk = self.request.POST.get("unit", "")
        return get_object_or_404(site.units.all(), pk=pk) if pk.isdigit() else None

    def back(self, site: Site) -> HttpResponse:
        target = self.request.POST.get("next", "")
        if target.startswith("/") and not target.startswith("//"):
            return redirect(target)
        return redirect("site_detail", pk=site.pk)


class SiteVerifyView(SiteActionView):
    def post(self, request: Any, pk: int) -> HttpResponse:
        site = site_verify(site=self.site(pk), user=request.user)
        messages.success(request, _("已确认“%(site)s”仍然属实。") % {"site": site})
        return self.back(site)


class SiteReserveView(SiteActionView):
    def post(self, request: Any, pk: int) -> HttpResponse:
        site = self.site(pk)
        demand = None
        if request.POST.get("demand"):
            demand = get_object_or_404(
                Demand.objects.restrict(request.user, "view"), pk=request.POST["demand"]
            )
        try:
            site_reserve(
                site=site,
                user=request.user,
                demand=demand,
                unit=self.unit(site),
                note=request.POST.get("note", ""),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已预留:%(site)s") % {"site": site})
        return self.back(site)


class SiteReleaseView(SiteActionView):
    def post(self, request: Any, pk: int) -> HttpResponse:
        site = self.site(pk)
        count = site_release(
            site=site, user=request.user, reason=request.POST.get("reason", ""), unit=self.unit(site)
        )
        messages.success(request, _("已释放 %(n)s 条预留。") % {"n": count})
        return self.back(site)


class SiteUnitDeleteView(ObjectDeleteView):
    """The generic delete of a unit, through ``site_unit_delete`` so that its building follows."""

    def post(self, request: Any, pk: int) -> HttpResponse:
        unit = self.get_object()
        try:
            site_unit_delete(unit=unit, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("siteunit_detail", pk=unit.pk)
        messages.success(request, _("已删除:%(obj)s,可在“已删除记录”中恢复。") % {"obj": unit})
        return redirect("siteunit_list")


class SiteUnitRestoreView(RestoreView):
    """The generic restore of a deleted unit, through ``site_unit_restore`` so that its building follows."""

    def post(self, request: Any, history_id: int) -> HttpResponse:
        record = get_object_or_404(self.deletions(), history_id=history_id)
        try:
            unit = site_unit_restore(historical=record, user=request.user)
        except ValueError as error:
            raise Http404 from error
        messages.success(request, _("已恢复:%(obj)s") % {"obj": unit})
        return redirect("siteunit_detail", pk=unit.pk)


class StaleSitesView(LoginRequiredMixin, View):
    """Sites not verified for their district's number of days, per data owner."""

    def get(self, request: Any) -> HttpResponse:
        sites = stale_sites(request.user)
        district = request.GET.get("district")
        if district and district.isdigit():
            sites = sites.filter(district_id=int(district))
        owner = request.GET.get("owner")
        if owner == "none":
            sites = sites.filter(data_owner__isnull=True)
        elif owner and owner.isdigit():
            sites = sites.filter(data_owner_id=int(owner))
        context = {
            "owners": stale_by_owner(request.user),
            "sites": sites[:500],
            "total": sites.count(),
            "owner": owner or "",
            "can_change": not user_scope(request.user, "change").empty,
        }
        return render(request, "sites/stale_sites.html", context)


class BatchAssignView(LoginRequiredMixin, View):
    """All open demands of a district against its available sites: the best total, beside first-come."""

    def district(self, request: Any, action: str = "view") -> District | None:
        districts = District.objects.restrict(request.user, action).filter(site__isnull=False).distinct()
        chosen = request.GET.get("district") or request.POST.get("district")
        if chosen:
            return get_object_or_404(districts, pk=chosen)
        return districts.order_by("adcode").first()

    def get(self, request: Any) -> HttpResponse:
        district = self.district(request)
        batch = district_batch_assignment(user=request.user, district=district) if district else None
        context = {
            "district": district,
            "districts": District.objects.restrict(request.user, "view")
            .filter(site__isnull=False)
            .distinct(),
            "batch": batch,
            "can_change": district is not None and user_scope(request.user, "change").allows(district.pk),
        }
        return render(request, "sites/batch_assign.html", context)

    def post(self, request: Any) -> HttpResponse:
        district = self.district(request, "change")
        if district is None:
            raise Http404
        batch = district_batch_assignment(user=request.user, district=district)
        done = 0
        for row in batch.rows():
            if row["site"] is None:
                continue
            try:
                site_reserve(site=row["site"], user=request.user, demand=row["demand"])
            except ValidationError:
                continue
            done += 1
        messages.success(request, _("已按最优分配预留 %(n)s 处场地。") % {"n": done})
        return redirect(f"{reverse('sites_assign')}?district={district.pk}")


class GeoUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("文件(GeoJSON,或 Shapefile 打包的 zip)"),
        # By content: GeoJSON text or a zip holding a .shp, within its size limit.
        validators=[UploadValidator("geo")],
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".geojson,.json,.zip"}),
    )
    district = forms.ModelChoiceField(
        queryset=District.objects.none(),
        label=gettext_lazy("区县"),
        required=False,
        help_text=gettext_lazy("文件中没有“区县代码”时导入到此区县"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    crs = forms.ChoiceField(
        label=gettext_lazy("坐标系"),
        choices=CRS_CHOICES,
        initial="wgs84",
        help_text=gettext_lazy("文件自带坐标系(.prj 或 GeoJSON 的 crs)时以文件为准"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class GeoImportView(LoginRequiredMixin, View):
    def form(self, *args: Any) -> GeoUploadForm:
        form = GeoUploadForm(*args)
        form.fields["district"].queryset = District.objects.restrict(self.request.user, "add", Site)  # type: ignore[attr-defined]
        return form

    def get(self, request: Any) -> HttpResponse:
        require_right(request.user, "add", Site)
        return render(request, "sites/geo_import.html", {"form": self.form()})

    def post(self, request: Any) -> HttpResponse:
        require_right(request.user, "add", Site)
        form = self.form(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, "sites/geo_import.html", {"form": form}, status=400)
        upload = form.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".geojson", ".json", ".zip")):
            form.add_error("file", _("只支持 GeoJSON(.geojson/.json)和 Shapefile 的 zip 包"))
            return render(request, "sites/geo_import.html", {"form": form}, status=400)
        district = form.cleaned_data.get("district")
        adcode, content = (district.adcode if district else ""), upload.read()
        # The same file sent twice while its preview runs (a double click) is one preview.
        key = upload_key(f"sites:{adcode}:{form.cleaned_data['crs']}", content)
        job = job_existing(kind=GEO_IMPORT, user=request.user, key=key)
        if job is None:
            job = job_submit(
                kind=GEO_IMPORT,
                title=_("导入闲置资源:%(file)s(预检)") % {"file": upload.name},
                user=request.user,
                params={
                    "path": upload_store(upload.name, content),
                    "filename": upload.name,
                    "dry_run": True,
                    "district": adcode,
                    "crs": form.cleaned_data["crs"],
                },
                key=key,
            )
        return redirect("sites_import_job", pk=job.pk)


class GeoImportJobView(LoginRequiredMixin, View):
    def job(self, request: Any, pk: int) -> Job:
        return get_object_or_404(Job.objects.filter(user=request.user, kind=GEO_IMPORT), pk=pk)

    def get(self, request: Any, pk: int) -> HttpResponse:
        job = job_live(self.job(request, pk))
        context: dict[str, Any] = {"job": job}
        if job.status == Job.Status.SUCCEEDED and job.result:
            context["report"] = ImportReport.from_dict(job.result)
        template = (
            "sites/_import_status.html" if request.headers.get("HX-Request") else "sites/import_job.html"
        )
        return render(request, template, context)

    def post(self, request: Any, pk: int) -> HttpResponse:
        preview = self.job(request, pk)
        report = ImportReport.from_dict(preview.result)
        if not preview.params.get("dry_run") or preview.status != Job.Status.SUCCEEDED or not report.ok:
            raise Http404
        job = job_submit(
            kind=GEO_IMPORT,
            title=_("导入闲置资源:%(file)s") % {"file": preview.params["filename"]},
            user=request.user,
            params={**preview.params, "dry_run": False},
            key=f"confirm:{preview.pk}",
            once=True,  # confirming again (double click, back button) shows the first import
        )
        return redirect("sites_import_job", pk=job.pk)


class ProjectSitesView(LoginRequiredMixin, View):
    """A project's demands and reserved sites (the project page links here)."""

    def get(self, request: Any, pk: int) -> HttpResponse:
        project = get_object_or_404(Project.objects.restrict(request.user, "view"), pk=pk)
        context = {"project": project, **project_sites_context(project, request.user)}
        return render(request, "sites/project_sites.html", context)
