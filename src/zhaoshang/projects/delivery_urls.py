from django.urls import include, path

from zhaoshang.projects import blocker_api
from zhaoshang.projects import delivery_pages as pages

urlpatterns = [
    path("my/tasks/", pages.MyTasksView.as_view(), name="my_tasks"),
    path("task/<int:pk>/done/", pages.TaskCompleteView.as_view(), name="task_complete"),
    path(
        "project/<int:pk>/tasks/generate/", pages.TasksGenerateView.as_view(), name="project_tasks_generate"
    ),
    path("project/<int:pk>/delivery/", pages.ProjectDeliveryView.as_view(), name="project_delivery"),
    path("blockers/board/", pages.BlockerBoardView.as_view(), name="blocker_board"),
    path("blockers/escalate/", pages.BlockerEscalateView.as_view(), name="blocker_escalate"),
    path("dispatch/build/", pages.DispatchBuildView.as_view(), name="dispatch_build"),
    path("dispatch/<int:pk>/rebuild/", pages.DispatchRebuildView.as_view(), name="dispatch_rebuild"),
    path("dispatch/<int:pk>/document/", pages.DispatchDocumentView.as_view(), name="dispatch_document"),
    path("dispatch/<int:pk>/minutes/", pages.DispatchMinutesView.as_view(), name="dispatch_minutes"),
    path("dispatch/<int:pk>/decision/", pages.DispatchDecisionView.as_view(), name="dispatch_decision"),
    path("dispatch/<int:pk>/table/<slug:key>/", pages.DispatchTableView.as_view(), name="dispatch_table"),
    # The blocker's transitions on the API (assign, progress, solve, strike-off, reopen), beside /api/blocker/.
    path("api/", include(blocker_api.router.urls)),
]
# Named actions only: /blocker/<pk>/edit/, /delete/ and /history/ stay with the generic pages.
for action in pages.BLOCKER_ACTIONS:
    urlpatterns.append(
        path(
            f"blocker/<int:pk>/{action}/",
            pages.BlockerActionView.as_view(),
            {"action": action},
            name=f"blocker_{action.replace('-', '_')}",
        )
    )
