"""The fallback: any other path under /api/v1/ answers a JSON 404."""

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..mixins import ApiMixin


@extend_schema(exclude=True)
class NotFound(ApiMixin, APIView):
    """Any other path under /api/v1/: a JSON 404 rather than the site's HTML page."""

    permission_classes = [permissions.AllowAny]

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise Http404

    post = put = patch = delete = get
