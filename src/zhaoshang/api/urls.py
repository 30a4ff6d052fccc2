from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from zhaoshang.api.tokens import TokenView
from zhaoshang.api.views import viewset_for
from zhaoshang.core.declarations import configs

router = DefaultRouter()
for config in configs():
    router.register(config.key, viewset_for(config), basename=config.key)

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api_token"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves Swagger UI's start-up script as a file of its own (?script): no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("", include(router.urls)),
]
