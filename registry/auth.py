"""Admin login limits (django-axes), counted per client address (registry.clients)."""

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LoginLimitBackend(AxesStandaloneBackend):
    """Axes' lock-out check for every login through a request (the admin's login form).

    ``authenticate()`` without a request (Django's test client's ``login()``, a shell) is no
    client attempt to count: it is left to the next backend instead of refused outright.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username=username, password=password, **kwargs)
        return None
