"""Reads shared by the public pages, the API and the admin.

Each selector answers one question the surfaces ask alike, so a page, an endpoint and an
admin screen that show the same thing load it the same way (and with the same number of
queries). Writes live in ``partnerships.services``; per-model filtering building blocks
live on the QuerySets in ``partnerships.models``. One module per question:

- ``detail``: the one loader of a partnership (page, API detail, events endpoint);
- ``changes``: when the registry last changed (the lists' ETag and Last-Modified);
- ``stats``: counts by country, status and kind, reported figures, country timelines;
- ``countries``: the country page's sections, from the list index;
- ``review``: the review queue and its reasons;
- ``maps``: the map's country-to-country flows;
- ``search``: ranked locality search and "did you mean".

Everything is re-exported here, so ``from partnerships import selectors`` and
``selectors.partnership_detail`` stay the import paths.
"""

from .changes import (
    EPOCH,
    PUBLIC_MODELS,
    registry_changed_at,
    registry_changed_expression,
    registry_changed_greatest,
)
from .countries import (
    CountryOverview,
    citations_by_partnership,
    country_event_spans,
    country_overview,
    country_status_spans,
    figure_counts,
)
from .detail import (
    citation_targets,
    citations_with_sources,
    partnership_changed_at,
    partnership_detail,
    partnership_rows,
)
from .maps import MapFlow, country_map_flows, map_flows
from .review import REVIEW_REASONS, VERIFICATION_TERM, needing_review, review_reasons, with_review_reasons
from .search import SUGGESTIONS, did_you_mean, search_localities, search_partnerships
from .stats import (
    GROUPINGS,
    STATUS_KEYS,
    PartnershipCounts,
    StatsGroup,
    StatusAnnotations,
    country_timelines,
    current_status_counts,
    figure_scope,
    locality_countries,
    partnership_counts,
    reported_figures,
)

__all__ = [
    "EPOCH",
    "GROUPINGS",
    "PUBLIC_MODELS",
    "REVIEW_REASONS",
    "STATUS_KEYS",
    "SUGGESTIONS",
    "VERIFICATION_TERM",
    "CountryOverview",
    "MapFlow",
    "PartnershipCounts",
    "StatsGroup",
    "StatusAnnotations",
    "citation_targets",
    "citations_by_partnership",
    "citations_with_sources",
    "country_event_spans",
    "country_map_flows",
    "country_overview",
    "country_status_spans",
    "country_timelines",
    "current_status_counts",
    "did_you_mean",
    "figure_counts",
    "figure_scope",
    "locality_countries",
    "map_flows",
    "needing_review",
    "partnership_changed_at",
    "partnership_counts",
    "partnership_detail",
    "partnership_rows",
    "registry_changed_at",
    "registry_changed_expression",
    "registry_changed_greatest",
    "reported_figures",
    "review_reasons",
    "search_localities",
    "search_partnerships",
    "with_review_reasons",
]
