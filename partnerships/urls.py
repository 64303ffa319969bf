from django.urls import path

from . import views

app_name = "partnerships"

urlpatterns = [
    path("", views.home, name="home"),
    path("partnerships/", views.partnership_list, name="partnership-list"),
    path("partnerships/<int:pk>/", views.partnership_detail, name="partnership-detail"),
    path("localities/<int:pk>/", views.locality_detail, name="locality-detail"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization-detail"),
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
    path("figures/", views.figure_list, name="figure-list"),
]
