from django.urls import include, path

from zhaoshang.projects import pages

urlpatterns = [
    path("project/<int:pk>/move/", pages.StageMoveView.as_view(), name="project_move"),
    path("project/<int:pk>/status/", pages.ProjectStatusView.as_view(), name="project_status"),
    path("stage-move/<int:pk>/verify/", pages.StageVerifyView.as_view(), name="stage_verify"),
    path("", include("zhaoshang.projects.delivery_urls")),
]
