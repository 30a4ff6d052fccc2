from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from zhaoshang.core.generic.urls import generic_urlpatterns
from zhaoshang.web import boundaries, picker_views, search_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/token/", views.account_token, name="account_token"),
    path("map/boundaries/", boundaries.boundaries, name="map_boundaries"),
    path("search/", search_views.search, name="global_search"),
    path("pickers/chain-nodes/", picker_views.chain_nodes, name="picker_chain_nodes"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("zhaoshang.industries.urls")),
    path("api/", include("zhaoshang.api.urls")),
    path("", include("zhaoshang.chains.urls")),
    path("", include("zhaoshang.enterprises.urls")),
    path("", include("zhaoshang.targeting.urls")),
    path("", include("zhaoshang.sites.urls")),
    path("", include("zhaoshang.projects.urls")),
    path("", include("zhaoshang.assessment.urls")),
    path("", include("zhaoshang.notifications.urls")),
    *generic_urlpatterns(),
]
