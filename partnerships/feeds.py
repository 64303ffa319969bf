"""Atom feeds of status events, for readers who follow a story: every partnership's, one
country's, one pair of countries' and one locality's (Django's syndication framework).

Each entry is one status event — a change ("suspended on 4 March 2022") or a source's
report ("reported active in July 2002"), worded as the pages word it — newest recorded
first, with its citations: the quoted words and the source in the entry's content, and
each cited source's original as a ``<link rel="related">``. The pages that show the same
partnerships link to the matching feed with ``<link rel="alternate">``. A fixed number of
queries whatever the number of entries."""

from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from . import selectors
from .filters import country_code
from .models import Locality, StatusEvent
from .validators import country_name, validate_country_code

#: Entries per feed: the newest recorded.
FEED_ENTRIES = 50


class CitedAtomFeed(Atom1Feed):
    """Atom 1.0 with one ``<link rel="related">`` per cited source of an entry."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for source in item.get("sources", ()):
            attrs = {"rel": "related", "href": source["href"], "title": source["title"]}
            handler.addQuickElement("link", "", attrs)


def _feed_code(code: str) -> str:
    code = code.upper()
    try:
        validate_country_code(code)
    except ValidationError:
        raise Http404("No such country.") from None
    return code


class StatusEventFeed(Feed):
    """Every partnership's status events. Subclasses narrow ``events()``."""

    feed_type = CitedAtomFeed
    subtitle = "Status changes and reports of sister-city and other partnerships, each with its sources."

    def title(self, obj=None) -> str:
        return "Partnership registry: status changes"

    def link(self, obj=None) -> str:
        return reverse("partnerships:home")

    def feed_url(self, obj=None) -> str:
        return reverse("partnerships:feed-all")

    def events(self, obj) -> QuerySet[StatusEvent]:
        return StatusEvent.objects.all()

    def items(self, obj=None):
        return (
            self.events(obj)
            .select_related("partnership__locality_a", "partnership__locality_b", "declaring_organization")
            .prefetch_related(selectors.citations_with_sources())
            .order_by("-recorded_at", "-id")[:FEED_ENTRIES]
        )

    def item_title(self, item: StatusEvent) -> str:
        return f"{item.partnership}: {item.describe()}"

    def item_link(self, item: StatusEvent) -> str:
        return f"{item.partnership.get_absolute_url()}#event-{item.pk}"

    def item_guid(self, item: StatusEvent) -> str:
        return f"status-event-{item.pk}"

    item_guid_is_permalink = False

    # The entry's content: the event in words, its note and its citations, with absolute
    # links (a feed reader shows it away from the site).
    description_template = "partnerships/feed_entry.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["event"] = kwargs["item"]
        context["base"] = kwargs["request"].build_absolute_uri("/").rstrip("/")
        return context

    def item_pubdate(self, item: StatusEvent):
        return item.recorded_at

    def item_updateddate(self, item: StatusEvent):
        return item.recorded_at

    def item_categories(self, item: StatusEvent):
        return [item.status, item.kind]

    def item_extra_kwargs(self, item: StatusEvent) -> dict:
        sources = []
        for citation in item.citations.all():
            source = citation.source
            href = source.url or source.archived_url
            if href:
                sources.append({"href": href, "title": str(source)})
        return {"sources": sources}


class CountryFeed(StatusEventFeed):
    def get_object(self, request, code):
        return _feed_code(code)

    def title(self, obj=None) -> str:
        return f"Partnership registry: status changes in {country_name(obj)}"

    def link(self, obj=None) -> str:
        return reverse("partnerships:country-detail", kwargs={"code": obj})

    def feed_url(self, obj=None) -> str:
        return reverse("partnerships:feed-country", kwargs={"code": obj})

    def events(self, obj) -> QuerySet[StatusEvent]:
        return StatusEvent.objects.filter(
            Q(partnership__locality_a__country=obj) | Q(partnership__locality_b__country=obj)
        )


class BetweenFeed(StatusEventFeed):
    """One pair of countries: ``/feeds/between/US,RU/`` (codes or names, as ``between``)."""

    def get_object(self, request, pair):
        parts = [part for part in pair.split(",") if part.strip()]
        if len(parts) != 2:
            raise Http404("Give two countries, e.g. US,RU.")
        codes = [country_code(part) for part in parts]
        if None in codes:
            raise Http404("No such country.")
        return tuple(codes)

    def title(self, obj=None) -> str:
        first, second = obj
        return (
            f"Partnership registry: status changes between {country_name(first)} and {country_name(second)}"
        )

    def link(self, obj=None) -> str:
        first, second = obj
        return f"{reverse('partnerships:partnership-list')}?between={first},{second}"

    def feed_url(self, obj=None) -> str:
        return reverse("partnerships:feed-between", kwargs={"pair": ",".join(obj)})

    def events(self, obj) -> QuerySet[StatusEvent]:
        first, second = obj
        return StatusEvent.objects.filter(
            Q(partnership__locality_a__country=first, partnership__locality_b__country=second)
            | Q(partnership__locality_a__country=second, partnership__locality_b__country=first)
        )


class LocalityFeed(StatusEventFeed):
    def get_object(self, request, pk):
        return get_object_or_404(Locality, pk=pk)

    def title(self, obj=None) -> str:
        return f"Partnership registry: status changes of {obj.name}'s partnerships"

    def link(self, obj=None) -> str:
        return obj.get_absolute_url()

    def feed_url(self, obj=None) -> str:
        return reverse("partnerships:feed-locality", kwargs={"pk": obj.pk})

    def events(self, obj) -> QuerySet[StatusEvent]:
        return StatusEvent.objects.filter(Q(partnership__locality_a=obj) | Q(partnership__locality_b=obj))


all_feed = StatusEventFeed()
country_feed = CountryFeed()
between_feed = BetweenFeed()
locality_feed = LocalityFeed()
