from django.apps import AppConfig


class OreoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "oreo"
