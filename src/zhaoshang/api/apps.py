from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "zhaoshang.api"
    verbose_name = "API"
