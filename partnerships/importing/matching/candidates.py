"""What matching compares and what it answers: the place an import row names (``Place``),
a locality as the index holds it (``Candidate``: a record, or one this import will create),
the answer (``Match``) and the ways a match is made (``METHODS``, strongest first)."""

from dataclasses import dataclass, field
from decimal import Decimal

from partnerships.models import Locality

# How a party was matched, strongest first (the import report counts them).
BY_ID, BY_NAME, BY_ALIAS, BY_NAME_KEY, BY_GAZETTEER, BY_PARTNER, NEW = (
    "id",
    "name",
    "alias",
    "name key",
    "gazetteer",
    "partner",
    "new",
)
METHODS = (BY_ID, BY_NAME, BY_ALIAS, BY_NAME_KEY, BY_GAZETTEER, BY_PARTNER, NEW)


@dataclass
class Candidate:
    id: int  # a locality's pk, or a negative number for one this import will create
    name: str
    country: str
    subdivision: str = ""
    kind: str = Locality.Kind.CITY
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    wikidata_id: str = ""
    disambiguators: set[str] = field(default_factory=set)
    coordinates_check: str = ""
    name_keys: set[str] = field(default_factory=set)  # match keys of all its names
    # {identity key: the qualifier sets of the names with that key}
    identities: dict[str, list[frozenset[str]]] = field(default_factory=dict)

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def __str__(self):
        where = f", {self.subdivision}" if self.subdivision else ""
        at = f" at {self.latitude}, {self.longitude}" if self.has_coordinates else ""
        ref = f"#{self.id}" if self.id > 0 else "new"
        return f"{self.name} ({self.country}{where}{at}; {ref})"


@dataclass(frozen=True)
class Place:
    """What an import row says about one party."""

    name: str
    country: str
    subdivision: str = ""
    kind: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    wikidata_id: str = ""
    coordinates_check: str = ""
    coordinates_note: str = ""

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass
class Match:
    candidate: Candidate | None = None  # the locality it resolves to; None: create one
    ambiguous: list[Candidate] = field(default_factory=list)
    error: str = ""
    # Every candidate left when there was more than one: a pair already recorded with
    # one of them settles which (so that a re-import finds the same records again).
    options: list[Candidate] = field(default_factory=list)
    method: str = ""  # one of METHODS once resolved
