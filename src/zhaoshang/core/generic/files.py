"""The one way a stored file leaves the server: /files/<app.model>/<pk>/<field>/ after the owning record's scope check.

Only fields registered in the download table (``core.downloads``, ``stored=``) are served, each judged by its
right in the record's district (403 without it). Out of scope, no such record, an unlisted field, an empty field or
a file missing from storage: 404. The file is read through Django's storage API (so another backend is a settings
change) and always sent as an attachment with its UTF-8 name (RFC 5987) and ``X-Content-Type-Options: nosniff``.
With ``X_ACCEL_PREFIX`` set, nginx sends the bytes from its ``internal`` location instead (X-Accel-Redirect;
docs/deployment.md) once the view has said yes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views import View

from zhaoshang.core.downloads import download_check, stored_download
from zhaoshang.core.uploads import content_type_for, download_name


def stored_file_url(value: FieldFile) -> str:
    """The download view's address of a stored file (templates: ``{% url 'stored_file' 'app.model' pk 'field' %}``)."""
    instance = value.instance
    return reverse("stored_file", args=[instance._meta.label_lower, instance.pk, value.field.name])


def stored_file_response(value: FieldFile, *, filename: str | None = None) -> HttpResponse:
    """The file as a download, streamed from storage or handed to nginx; 404 when there is none."""
    if not value or not value.name:
        raise Http404
    storage = value.storage
    if not storage.exists(value.name):
        raise Http404
    content_type = content_type_for(filename or value.name)
    response: HttpResponse
    if settings.X_ACCEL_PREFIX:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.X_ACCEL_PREFIX.rstrip("/") + "/" + quote(value.name)
    else:
        response = FileResponse(storage.open(value.name, "rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename or download_name(value.name)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class StoredFileView(LoginRequiredMixin, View):
    def get(self, request: Any, model: str, pk: int, field: str) -> HttpResponse:
        try:
            model_class = apps.get_model(model)
            file_field = model_class._meta.get_field(field)
        except (LookupError, ValueError, FieldDoesNotExist):
            raise Http404 from None
        manager = model_class._default_manager
        # Only the fields listed in the download table are served, each with its own right: a record's own
        # attachment with `view`, a report the application made (the dispatch Word file) with `export`.
        download = stored_download(model_class._meta.label_lower, field)
        if (
            download is None
            or not isinstance(file_field, models.FileField)
            or not hasattr(manager, "restrict")
        ):
            raise Http404
        record = get_object_or_404(manager.restrict(request.user, "view"), pk=pk)
        download_check(request.user, download.key, record)
        return stored_file_response(getattr(record, field))
