"""The partnerships app: its label and configuration."""

from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Partnership registry"

    def ready(self) -> None:
        from .services import feed

        feed.connect()  # the change log's hooks on the edit history (services/feed.py)
