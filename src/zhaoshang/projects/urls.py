from django.urls import include, path

from zhaoshang.projects import pages, review

urlpatterns = [
    path("project/<int:pk>/move/", pages.StageMoveView.as_view(), name="project_move"),
    path("project/<int:pk>/status/", pages.ProjectStatusView.as_view(), name="project_status"),
    path("stage-move/<int:pk>/verify/", pages.StageVerifyView.as_view(), name="stage_verify"),
    path("stage-moves/pending/", review.ReviewQueueView.as_view(), name="review_queue"),
    path("project/<int:pk>/steps/", pages.StepsCreateView.as_view(), name="project_steps_create"),
    path("project/<int:pk>/schedule/", pages.ScheduleView.as_view(), name="project_schedule"),
    path("project-step/<int:pk>/", pages.StepUpdateView.as_view(), name="step_update"),
    path("", include("zhaoshang.projects.delivery_urls")),
]
