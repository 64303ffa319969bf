from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("partnerships/", views.PartnershipList.as_view(), name="partnership-list"),
    path("partnerships/<int:pk>/", views.PartnershipDetail.as_view(), name="partnership-detail"),
]
