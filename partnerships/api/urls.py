"""The API v1 routes, their OpenAPI schema and documentation pages, and a JSON 404 for the rest of /api/."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

app_name = "api"

urlpatterns = [
    path("partnerships/", views.PartnershipList.as_view(), name="partnership-list"),
    path("partnerships/<int:pk>/", views.PartnershipDetail.as_view(), name="partnership-detail"),
    path("partnerships/<int:pk>/events/", views.PartnershipEvents.as_view(), name="partnership-events"),
    path(
        "partnerships/<int:pk>/events/<int:event_id>/",
        views.PartnershipEvent.as_view(),
        name="partnership-event",
    ),
    path("localities/", views.LocalityList.as_view(), name="locality-list"),
    path("localities/<int:pk>/", views.LocalityDetail.as_view(), name="locality-detail"),
    path("organizations/", views.OrganizationList.as_view(), name="organization-list"),
    path("organizations/<int:pk>/", views.OrganizationDetail.as_view(), name="organization-detail"),
    path("sources/", views.SourceList.as_view(), name="source-list"),
    path("sources/<int:pk>/", views.SourceDetail.as_view(), name="source-detail"),
    path("reported-figures/", views.ReportedFigureList.as_view(), name="reported-figure-list"),
    path("reported-figures/<int:pk>/", views.ReportedFigureDetail.as_view(), name="reported-figure-detail"),
    path("stats/", views.Stats.as_view(), name="stats"),
    path("changes/", views.Changes.as_view(), name="changes"),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    # Anything else under /api/v1/ is a JSON 404, not the site's HTML page.
    re_path(r"^.*$", views.NotFound.as_view(), name="not-found"),
]
