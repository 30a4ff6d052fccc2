from django.urls import path

from zhaoshang.projects import fagai_views

urlpatterns = [
    path(
        "project/<int:pk>/completion/", fagai_views.CompletionReportView.as_view(), name="completion_report"
    ),
    path("completion/<int:pk>/verify/", fagai_views.CompletionVerifyView.as_view(), name="completion_verify"),
    path("completions/pending/", fagai_views.CompletionQueueView.as_view(), name="completion_queue"),
    path("fagai/figure/", fagai_views.FigureView.as_view(), name="fagai_figure"),
    path("fagai/conflicts/", fagai_views.ConflictsView.as_view(), name="fagai_conflicts"),
]
