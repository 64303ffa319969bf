from django.contrib import admin
from django.urls import include, path

from partnerships.admin import admin_import_view

admin.site.site_header = "Partnership registry"
admin.site.site_title = "Partnership registry admin"
admin.site.index_title = "Curate partnerships, sources and status changes"

# A database outage met outside a view is a 503 too (registry.outage); other errors get
# Django's plain 500 page. /healthz and /readyz are answered by registry.health's
# middleware, before any URL is resolved.
handler500 = "registry.outage.handler500"

urlpatterns = [
    path("admin/partnerships/import/", admin_import_view, name="admin-import-partnerships"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("partnerships.api.urls")),
    path("", include("partnerships.urls")),
]
