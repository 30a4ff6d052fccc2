from django.urls import path

from zhaoshang.notifications import views, work_views

urlpatterns = [
    path("my/", work_views.my_work, name="my_work"),
    path("notifications/", views.InboxView.as_view(), name="notifications_inbox"),
    path("notifications/read/", views.MarkReadView.as_view(), name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.MarkReadView.as_view(), name="notifications_read"),
    path("notifications/preferences/", views.PreferenceView.as_view(), name="notifications_preferences"),
    path("notifications/channels/", views.ChannelListView.as_view(), name="notifications_channels"),
    path("notifications/channels/add/", views.ChannelEditView.as_view(), name="notifications_channel_add"),
    path(
        "notifications/channels/<int:pk>/", views.ChannelEditView.as_view(), name="notifications_channel_edit"
    ),
    path("notifications/rules/<int:district>/", views.RuleSettingsView.as_view(), name="notifications_rules"),
]
