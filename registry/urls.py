"""The root URLs: the admin (with its import page), the API under /api/v1/, the published
full exports under /exports/ and the public pages."""

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from partnerships.admin import admin_import_view
from partnerships.jobs import publishing

admin.site.site_header = "Partnership registry"
admin.site.site_title = "Partnership registry admin"
admin.site.index_title = "Curate partnerships, sources and status changes"

# A database outage met outside a view is a 503 too (registry.outage); other errors get
# Django's plain 500 page. /healthz and /readyz are answered by registry.health's
# middleware, before any URL is resolved.
handler500 = "registry.outage.handler500"

# The API's Swagger UI under the Content-Security-Policy: the split view loads its start-up
# script as a file (no inline script); its page keeps one inline <style> block, allowed on
# this page only. Routed here, before the API's own "docs" route, which it replaces.
api_docs = csp_update(
    {"style-src": ["'unsafe-inline'"]},
    REPORT_ONLY=hasattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
)(SpectacularSwaggerSplitView.as_view(url_name="api:schema"))

urlpatterns = [
    path("api/v1/docs/", api_docs),
    path("admin/partnerships/import/", admin_import_view, name="admin-import-partnerships"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("partnerships.api.urls")),
    # Full exports as files, rendered by the job worker (partnerships.jobs.publishing).
    path("exports/<str:name>", publishing.serve, name="published-export"),
    path("", include("partnerships.urls")),
]
