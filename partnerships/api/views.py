from rest_framework import generics

from ..models import Partnership


class PartnershipList(generics.ListAPIView):
    queryset = Partnership.objects.none()


class PartnershipDetail(generics.RetrieveAPIView):
    queryset = Partnership.objects.none()
