"""Who may do what through the API: anyone reads; writing needs a staff account with the
model permission, as in the admin."""

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView


class StaffModelPermissions(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """Anyone reads; writing needs a staff account with the model permission, as in the admin."""

    def has_permission(self, request: Request, view: Any) -> bool:
        writing = request.method not in permissions.SAFE_METHODS
        if not writing:
            # What DjangoModelPermissions answers for a read (it requires no permission of
            # anyone), without building the view's queryset just to learn its model: that
            # cost the partnership list a few milliseconds per request.
            return bool(request.user)
        if writing and request.user and request.user.is_authenticated and not request.user.is_staff:
            return False
        return super().has_permission(request, view)


class ReadOnly(permissions.BasePermission):
    """GET, HEAD and OPTIONS only."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.method in permissions.SAFE_METHODS
