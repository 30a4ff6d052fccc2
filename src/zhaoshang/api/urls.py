from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from zhaoshang.api.views import viewset_for
from zhaoshang.core.registry import configs

router = DefaultRouter()
for config in configs():
    router.register(config.key, viewset_for(config), basename=config.key)

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api_token"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("", include(router.urls)),
]
