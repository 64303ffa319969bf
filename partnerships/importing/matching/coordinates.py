"""Coordinates in matching: the distance between two points and how far apart two
geocodings of one city may be."""

import math

from partnerships.identity import SAME_PLACE_KM
from partnerships.models import Locality

# How far apart two geocodings of the same place may be: cities are geocoded near their
# centre by every source; a county, region or country may be placed anywhere in it, so
# the tolerance grows with the kind (partnerships.identity.SAME_PLACE_KM).
CITY_TOLERANCE_KM = SAME_PLACE_KM[Locality.Kind.CITY]


def distance_km(lat1, lon1, lat2, lon2) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (float(lat1), float(lon1), float(lat2), float(lon2)))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))
