"""Public pages. Thin: each view asks the selectors (``partnerships.selectors``: the reads
it shares with the API and the admin), the querysets, the FilterSets and the services for
what it shows and renders it. Every page runs a fixed number of queries whatever the
number of rows it shows (related rows come through select_related and prefetch_related).

One module a purpose:

- ``lists``: the home page, the partnership list, the reported figures, the search;
- ``records``: a partnership's, a locality's, an organization's and a source's page;
- ``countries``: a country's page; ``maps``: the map;
- ``embeds``: the locality embed, the only page that may be framed;
- ``corrections``: the corrections form and its thanks page;
- ``assets``: /favicon.ico;
- ``common``: what they share (the filtered listing's rows and context, the page size, the
  orderings, the map's points).

Every view the URLconf uses and every public constant is importable from here
(``from partnerships import views; views.home``). A module reads its own constants: to
change one (a test's monkeypatch), change it in the module that uses it
(``partnerships.views.maps.MAP_LIMIT``).
"""

from .assets import favicon
from .common import ORDERINGS, PAGE_SIZE, REFUSED_WITHOUT_ROWS
from .corrections import correction_create, correction_thanks
from .countries import COUNTRY_LOCALITIES, COUNTRY_PARTNERS, country_detail
from .embeds import EMBED_CSP, locality_embed
from .lists import (
    LATEST_CHANGES,
    SEARCH_LIMIT,
    SEARCH_MAX_LENGTH,
    figure_list,
    home,
    partnership_list,
    search,
)
from .maps import MAP_FLOW_TABLE, MAP_LIMIT, map_view
from .records import locality_detail, organization_detail, partnership_detail, source_detail

__all__ = [
    "COUNTRY_LOCALITIES",
    "COUNTRY_PARTNERS",
    "EMBED_CSP",
    "LATEST_CHANGES",
    "MAP_FLOW_TABLE",
    "MAP_LIMIT",
    "ORDERINGS",
    "PAGE_SIZE",
    "REFUSED_WITHOUT_ROWS",
    "SEARCH_LIMIT",
    "SEARCH_MAX_LENGTH",
    "correction_create",
    "correction_thanks",
    "country_detail",
    "favicon",
    "figure_list",
    "home",
    "locality_detail",
    "locality_embed",
    "map_view",
    "organization_detail",
    "partnership_detail",
    "partnership_list",
    "search",
    "source_detail",
]
