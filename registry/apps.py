from django.apps import AppConfig


class RegistryConfig(AppConfig):
    """The project package as an app: its deployment checks (registry.checks)."""

    name = "registry"
    verbose_name = "Registry deployment"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks)
