"""The root URLs: the admin (with its import page), the API under /api/v1/ and the public pages."""

from django.contrib import admin
from django.urls import include, path

from partnerships.admin import admin_import_view

admin.site.site_header = "Partnership registry"
admin.site.site_title = "Partnership registry admin"
admin.site.index_title = "Curate partnerships, sources and status changes"

urlpatterns = [
    path("admin/partnerships/import/", admin_import_view, name="admin-import-partnerships"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("partnerships.api.urls")),
    path("", include("partnerships.urls")),
]
