"""Import (upload → preview → confirm), export through the list's filters, and blank templates."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from zhaoshang.core.declarations import config_for_key
from zhaoshang.core.downloads import download_check
from zhaoshang.core.exporting import export_dataset
from zhaoshang.core.generic.base import ConfigView
from zhaoshang.core.import_jobs import upload_key, upload_store
from zhaoshang.core.importing import (
    DUPLICATE_POLICIES,
    FORMATS,
    ImportFileError,
    ImportReport,
    table_upload_check,
    template_dataset,
    write_table,
)
from zhaoshang.core.jobs import job_existing, job_live, job_submit
from zhaoshang.core.models import Job
from zhaoshang.core.spreadsheets import download_response
from zhaoshang.core.uploads import kinds_for_suffixes, upload_check


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("文件(xlsx 或 csv)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.csv"}),
    )
    clear_empty = forms.BooleanField(
        label=gettext_lazy("空白单元格清空已有的值"),
        help_text=gettext_lazy("默认不勾选:更新已有记录时,空白单元格保留原值;单元格写“<清空>”总是清空该项。"),
        required=False,
    )


class ImportView(ConfigView):
    action = "add"

    def upload_form(self, *args: Any) -> UploadForm:
        form = UploadForm(*args)
        # Checked by content, not by name: only the tables (and bundles) this import reads, within their limits.
        suffixes = (".xlsx", ".csv", *(self.config.json_suffixes if self.config.json_import else ()))
        form.fields["file"].validators.append(partial(upload_check, kinds=kinds_for_suffixes(suffixes)))
        if self.config.json_import is not None:
            form.fields["file"].widget.attrs["accept"] = ",".join(
                (".xlsx", ".csv", *self.config.json_suffixes)
            )
            form.fields["file"].label = _("文件(xlsx、csv 或 JSON)")
        return form

    def get(self, request: Any) -> HttpResponse:
        self.require("add")
        return render(request, "generic/import_upload.html", self.base_context(form=self.upload_form()))

    def post(self, request: Any) -> HttpResponse:
        self.require("add")
        form = self.upload_form(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            try:
                if not (
                    Path(upload.name).suffix.lower() in self.config.json_suffixes and self.config.json_import
                ):
                    table_upload_check(upload.name, content)
            except ImportFileError as error:
                form.add_error("file", str(error))
            else:
                # The same file sent twice while its preview runs (a double click) is one preview.
                clear_empty = bool(form.cleaned_data.get("clear_empty"))
                key = upload_key(self.config.key, content) + (":clear" if clear_empty else "")
                job = job_existing(kind="import", user=request.user, key=key)
                if job is None:
                    job = job_submit(
                        kind="import",
                        title=_("导入%(model)s:%(file)s(预检)")
                        % {"model": self.config.verbose_name, "file": upload.name},
                        user=request.user,
                        params={
                            "key": self.config.key,
                            "path": upload_store(upload.name, content),
                            "filename": upload.name,
                            "dry_run": True,
                            "clear_empty": clear_empty,
                        },
                        key=key,
                    )
                return redirect("job_detail", pk=job.pk)
        return render(request, "generic/import_upload.html", self.base_context(form=form), status=400)


class ImportConfirmView(LoginRequiredMixin, View):
    """Commit a previewed file: the import runs again for real and still refuses the file on any bad row."""

    def post(self, request: Any, pk: int) -> HttpResponse:
        preview = get_object_or_404(Job.objects.filter(user=request.user, kind="import"), pk=pk)
        report = ImportReport.from_dict(preview.result)
        if not preview.params.get("dry_run") or preview.status != Job.Status.SUCCEEDED or not report.ok:
            raise Http404
        config = config_for_key(preview.params["key"])
        assert config is not None
        # Probable duplicates stop the import until the person says what to do with them.
        choice = request.POST.get("duplicates", "")
        if report.stopped_on_duplicates and choice not in DUPLICATE_POLICIES[1:]:
            return redirect("job_detail", pk=preview.pk)
        # A preview is confirmed once: confirming again (double click, back button) shows the first import.
        job = job_submit(
            kind="import",
            title=_("导入%(model)s:%(file)s")
            % {"model": config.verbose_name, "file": preview.params["filename"]},
            user=request.user,
            params={**preview.params, "dry_run": False, "duplicates": choice or "stop"},
            key=f"confirm:{preview.pk}",
            once=True,
        )
        return redirect("job_detail", pk=job.pk)


class ExportView(ConfigView):
    action = "export"

    def get(self, request: Any) -> HttpResponse:
        if self.config.resource is None:  # a model without a file format has no export (nor a download entry)
            raise Http404
        # The rows come through restrict(user, "export"): only districts where the user may export are in the file.
        download_check(request.user, f"{self.config.key}_export")
        fmt = request.GET.get("format", "xlsx")
        json_ok = fmt == "json" and self.config.json_export is not None
        if fmt not in FORMATS and not json_ok:
            raise Http404
        filterset = self.config.filterset(
            request.GET or None, queryset=self.queryset("export"), request=request
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        if fmt == "json":
            content = json.dumps(self.config.json_export(filterset.qs), ensure_ascii=False, indent=2).encode()
            return download_response(content, f"{self.config.verbose_name}-{stamp}.json")
        # Headers with their units (总投资(万元)), numbers as numbers; the import reads both back.
        dataset = export_dataset(self.config.resource(user=request.user), filterset.qs)
        return download_response(write_table(dataset, fmt), f"{self.config.verbose_name}-{stamp}.{fmt}")


class TemplateDownloadView(ConfigView):
    def get(self, request: Any) -> HttpResponse:
        if self.config.resource is None:
            raise Http404
        download_check(request.user, f"{self.config.key}_template")
        fmt = request.GET.get("format", "xlsx")
        if fmt not in FORMATS:
            raise Http404
        dataset = template_dataset(self.config.resource(user=request.user))
        return download_response(write_table(dataset, fmt), f"{self.config.verbose_name}-导入模板.{fmt}")


class JobDetailView(LoginRequiredMixin, View):
    def get(self, request: Any, pk: int) -> HttpResponse:
        job = job_live(get_object_or_404(Job.objects.filter(user=request.user), pk=pk))
        context: dict[str, Any] = {"job": job}
        if job.kind == "import" and job.status == Job.Status.SUCCEEDED and job.result:
            context["report"] = ImportReport.from_dict(job.result)
            context["config"] = config_for_key(job.params.get("key", ""))
            context["confirm_url"] = reverse("import_confirm", args=[job.pk])
        template = "core/_job_status.html" if request.headers.get("HX-Request") else "core/job_detail.html"
        return render(request, template, context)


class JobListView(LoginRequiredMixin, View):
    def get(self, request: Any) -> HttpResponse:
        jobs = Job.objects.filter(user=request.user)[:100]
        return render(request, "core/job_list.html", {"jobs": jobs})
