from django.urls import include, path

from zhaoshang.projects.delivery import api, views

urlpatterns = [
    path("my/tasks/", views.MyTasksView.as_view(), name="my_tasks"),
    path("task/<int:pk>/done/", views.TaskCompleteView.as_view(), name="task_complete"),
    path(
        "project/<int:pk>/tasks/generate/", views.TasksGenerateView.as_view(), name="project_tasks_generate"
    ),
    path("project/<int:pk>/delivery/", views.ProjectDeliveryView.as_view(), name="project_delivery"),
    path("delivery/time/", views.DeliveryTimeView.as_view(), name="delivery_time"),
    path("blockers/board/", views.BlockerBoardView.as_view(), name="blocker_board"),
    path("blockers/escalate/", views.BlockerEscalateView.as_view(), name="blocker_escalate"),
    path("dispatch/build/", views.DispatchBuildView.as_view(), name="dispatch_build"),
    path("dispatch/<int:pk>/rebuild/", views.DispatchRebuildView.as_view(), name="dispatch_rebuild"),
    path("dispatch/<int:pk>/document/", views.DispatchDocumentView.as_view(), name="dispatch_document"),
    path("dispatch/<int:pk>/minutes/", views.DispatchMinutesView.as_view(), name="dispatch_minutes"),
    path("dispatch/<int:pk>/decision/", views.DispatchDecisionView.as_view(), name="dispatch_decision"),
    path("dispatch/<int:pk>/table/<slug:key>/", views.DispatchTableView.as_view(), name="dispatch_table"),
    # The blocker's transitions on the API (assign, progress, solve, strike-off, reopen), beside /api/blocker/.
    path("api/", include(api.router.urls)),
]
# Named actions only: /blocker/<pk>/edit/, /delete/ and /history/ stay with the generic views.
for action in views.BLOCKER_ACTIONS:
    urlpatterns.append(
        path(
            f"blocker/<int:pk>/{action}/",
            views.BlockerActionView.as_view(),
            {"action": action},
            name=f"blocker_{action.replace('-', '_')}",
        )
    )
