"""The partnerships app: its label and configuration."""

from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Partnership registry"
