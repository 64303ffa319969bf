"""What callers hand the services: sources, citations and aliases described as plain
values, and the user who acts."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from ..dates import PartialDate
from ..models import LocalityAlias, Source

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Who acts, as callers hold it: a request's user, a command's user, or nobody. Only a
# saved user of settings.AUTH_USER_MODEL (or None) is recorded; see acting_user().
Actor = AbstractBaseUser | AnonymousUser | None


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
    notes: str = ""


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
    # Where the name came from: "curated", "gazetteer:<name version>", "import:<data set>".
    provenance: str = "curated"


def acting_user(user: Actor) -> "User | None":
    """The user a service was given, as the registry's user foreign keys hold it: None,
    or an instance of settings.AUTH_USER_MODEL. Anything else is refused with the error
    assigning it to the foreign key would raise."""
    if user is None or isinstance(user, get_user_model()):
        return user
    raise ValueError(f"“{user}” is no {get_user_model()._meta.label} instance.")
