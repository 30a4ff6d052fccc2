from django.urls import include, path

from zhaoshang.projects import views
from zhaoshang.projects.outputs.views import ProgressTableView

urlpatterns = [
    path("project/<int:pk>/move/", views.StageMoveView.as_view(), name="project_move"),
    path("project/<int:pk>/status/", views.ProjectStatusView.as_view(), name="project_status"),
    path("stage-move/<int:pk>/verify/", views.StageVerifyView.as_view(), name="stage_verify"),
    path("stage-moves/pending/", views.ReviewQueueView.as_view(), name="review_queue"),
    path("project/<int:pk>/steps/", views.StepsCreateView.as_view(), name="project_steps_create"),
    path("project/<int:pk>/schedule/", views.ScheduleView.as_view(), name="project_schedule"),
    path("project-step/<int:pk>/", views.StepUpdateView.as_view(), name="step_update"),
    path(
        "district/<int:pk>/status-thresholds/",
        views.StatusThresholdsView.as_view(),
        name="status_thresholds",
    ),
    path("projects/progress-table/", ProgressTableView.as_view(), name="progress_table"),
    path("", include("zhaoshang.projects.delivery.urls")),
    path("", include("zhaoshang.projects.fagai_urls")),
]
