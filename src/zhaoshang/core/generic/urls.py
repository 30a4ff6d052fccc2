"""URLs derived from the registry: /<key>/, /<key>/<pk>/, /<key>/import/ …"""

from __future__ import annotations

from django.urls import URLPattern, path

from zhaoshang.core.declarations import configs
from zhaoshang.core.generic import files, history, transfer, views
from zhaoshang.core.search_select import SearchSelectView


def generic_urlpatterns() -> list[URLPattern]:
    patterns = [
        path("jobs/", transfer.JobListView.as_view(), name="job_list"),
        path("jobs/<int:pk>/", transfer.JobDetailView.as_view(), name="job_detail"),
        path("jobs/<int:pk>/confirm/", transfer.ImportConfirmView.as_view(), name="import_confirm"),
        path("search-select/", SearchSelectView.as_view(), name="search_select"),
        path("files/<str:model>/<int:pk>/<str:field>/", files.StoredFileView.as_view(), name="stored_file"),
    ]
    for config in configs():
        k = config.key
        routes = [
            ("", views.ObjectListView, "list"),
            ("add/", views.ObjectEditView, "add"),
            ("<int:pk>/", views.ObjectDetailView, "detail"),
            ("<int:pk>/edit/", views.ObjectEditView, "edit"),
            ("<int:pk>/delete/", views.ObjectDeleteView, "delete"),
            ("<int:pk>/history/", history.ObjectHistoryView, "history"),
            ("deleted/", history.DeletedListView, "deleted"),
            ("deleted/<int:history_id>/restore/", history.RestoreView, "restore"),
            ("import/", transfer.ImportView, "import"),
            ("export/", transfer.ExportView, "export"),
            ("template/", transfer.TemplateDownloadView, "template"),
        ]
        for route, view, action in routes:
            patterns.append(path(f"{k}/{route}", view.as_view(config=config), name=config.url_name(action)))
    return patterns
