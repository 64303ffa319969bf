"""The public pages' routes (the API's are in ``partnerships.api.urls``)."""

from django.urls import path, re_path

from . import feeds, views

app_name = "partnerships"

urlpatterns = [
    path("", views.home, name="home"),
    path("partnerships/", views.partnership_list, name="partnership-list"),
    path("partnerships/<int:pk>/", views.partnership_detail, name="partnership-detail"),
    path("localities/<int:pk>/", views.locality_detail, name="locality-detail"),
    path("countries/<str:code>/", views.country_detail, name="country-detail"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization-detail"),
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
    path("figures/", views.figure_list, name="figure-list"),
    path("search/", views.search, name="search"),
    path("map/", views.map_view, name="map"),
    re_path(
        r"^corrections/(?P<kind>partnership|locality)/(?P<pk>[0-9]+)/$",
        views.correction_create,
        name="correction-create",
    ),
    path("corrections/thanks/", views.correction_thanks, name="correction-thanks"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("feeds/changes/", feeds.all_feed, name="feed-all"),
    path("feeds/countries/<str:code>/", feeds.country_feed, name="feed-country"),
    path("feeds/between/<str:pair>/", feeds.between_feed, name="feed-between"),
    path("feeds/localities/<int:pk>/", feeds.locality_feed, name="feed-locality"),
    path("localities/<int:pk>/embed/", views.locality_embed, name="locality-embed"),
]
