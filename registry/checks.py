"""Deployment checks of our own, run by ``manage.py check --deploy`` (and so ``make serve``)."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> Sequence[CheckMessage]:
    if settings.REDIS_URL:
        return []
    return [
        Warning(
            "REDIS_URL is not set: each server process keeps its own cache, so the API throttle "
            "and the corrections limit count per process, not per site.",
            hint="Set REDIS_URL (e.g. redis://127.0.0.1:6379/1); see docs/deploying.md. A deployment "
            "of one single-process server may silence this with DJANGO_SILENCED_SYSTEM_CHECKS=registry.W001.",
            id="registry.W001",
        )
    ]
