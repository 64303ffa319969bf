"""What callers hand the services: sources, citations and aliases described as plain values."""

from dataclasses import dataclass

from ..dates import PartialDate
from ..models import LocalityAlias, Source


@dataclass(frozen=True)
class SourceInput:
    """A source described on the spot, created by the service that cites it."""

    title: str
    publisher: str = ""
    author: str = ""
    url: str = ""
    published: PartialDate | None = None
    kind: str = Source.Kind.NEWS_ARTICLE
    language: str = "en"


@dataclass(frozen=True)
class CitationInput:
    """What supports a claim: an existing source, or a SourceInput created with the claim
    (in the same transaction, so a refused claim leaves no orphan source behind)."""

    source: "Source | SourceInput"
    quote: str = ""
    locator: str = ""


@dataclass(frozen=True)
class AliasInput:
    name: str
    kind: str = LocalityAlias.Kind.VARIANT
    language: str = ""
    valid_from: PartialDate | None = None
    valid_to: PartialDate | None = None
