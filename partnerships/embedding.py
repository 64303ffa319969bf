"""The embed of one locality's partnerships for a city's own web site: the rows it shows
(each partnership with its current status and the sources behind it) worded in the
language the city asks for (``?lang=``). Place names come from the localities' aliases in
that language; dates from Django's own translations (month names, date formats); the few
words of the embed itself from LABELS below. A language without labels falls back to
English. This module only computes; the view loads the rows."""

import datetime
from dataclasses import dataclass, field

from django.utils import formats, translation

from . import wording
from .dates import DatePrecision
from .models import Citation, Locality, Partnership

# The embed's own words. "{place}" is the locality's name, "{registry}" the registry's.
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Partnerships of {place}",
        "none": "No partnerships are recorded yet.",
        "since": "since",
        "reported": "reported",
        "unknown": "no status recorded",
        "sources": "Sources",
        "data_from": "Data from the {registry}",
        "licence": "Licence",
        "proposed": "proposed",
        "active": "active",
        "suspended": "suspended",
        "terminated": "terminated",
    },
    "de": {
        "title": "Partnerschaften von {place}",
        "none": "Noch keine Partnerschaften verzeichnet.",
        "since": "seit",
        "reported": "gemeldet",
        "unknown": "kein Status verzeichnet",
        "sources": "Quellen",
        "data_from": "Daten aus dem {registry}",
        "licence": "Lizenz",
        "proposed": "geplant",
        "active": "aktiv",
        "suspended": "ausgesetzt",
        "terminated": "beendet",
    },
    "fr": {
        "title": "Jumelages de {place}",
        "none": "Aucun jumelage n’est encore enregistré.",
        "since": "depuis",
        "reported": "signalé",
        "unknown": "aucun statut enregistré",
        "sources": "Sources",
        "data_from": "Données du {registry}",
        "licence": "Licence",
        "proposed": "proposé",
        "active": "actif",
        "suspended": "suspendu",
        "terminated": "terminé",
    },
    "es": {
        "title": "Hermanamientos de {place}",
        "none": "Aún no hay hermanamientos registrados.",
        "since": "desde",
        "reported": "informado",
        "unknown": "sin estado registrado",
        "sources": "Fuentes",
        "data_from": "Datos del {registry}",
        "licence": "Licencia",
        "proposed": "propuesto",
        "active": "activo",
        "suspended": "suspendido",
        "terminated": "terminado",
    },
    "ru": {
        "title": "Города-побратимы: {place}",
        "none": "Партнёрства пока не записаны.",
        "since": "с",
        "reported": "по сообщению",
        "unknown": "статус не записан",
        "sources": "Источники",
        "data_from": "Данные: {registry}",
        "licence": "Лицензия",
        "proposed": "предложено",
        "active": "действует",
        "suspended": "приостановлено",
        "terminated": "прекращено",
    },
    "uk": {
        "title": "Міста-побратими: {place}",
        "none": "Партнерства ще не записані.",
        "since": "з",
        "reported": "за повідомленням",
        "unknown": "статус не записаний",
        "sources": "Джерела",
        "data_from": "Дані: {registry}",
        "licence": "Ліцензія",
        "proposed": "запропоновано",
        "active": "діє",
        "suspended": "призупинено",
        "terminated": "припинено",
    },
}

REGISTRY_NAMES = {
    "en": "Partnership registry",
    "de": "Partnerschaftsregister",
    "fr": "registre des partenariats",
    "es": "registro de hermanamientos",
    "ru": "реестр партнёрств",
    "uk": "реєстр партнерств",
}


def language(requested: str) -> str:
    """The embed's language: the requested one ("de", "de-AT" → "de") if it has labels,
    else English."""
    code = (requested or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in LABELS else "en"


def name_in(locality: Locality, lang: str) -> str:
    """The locality's name in the language: an alias in it still in use (prefetched
    ``aliases``), else its display name."""
    if lang != "en":
        for alias in locality.aliases.all():
            if alias.language.split("-")[0].lower() == lang and alias.valid_to is None:
                return alias.name
    return locality.name


def date_in(date: datetime.date | None, precision: str | None, lang: str) -> str:
    """A date as precisely as it is known, in the language: "2002", "Juli 2002", "15. Juli 2002"."""
    if date is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(date.year)
    with translation.override(lang):
        if precision == DatePrecision.MONTH:
            return formats.date_format(date, "YEAR_MONTH_FORMAT")
        return formats.date_format(date, "DATE_FORMAT")


@dataclass
class EmbedRow:
    partnership: Partnership
    partner: Locality
    partner_name: str
    status: str  # "" when unknown
    status_words: str  # "active since 1973", "reported active · July 2002"
    citations: list[Citation] = field(default_factory=list)


def status_words(p: Partnership, labels: dict[str, str], lang: str) -> str:
    """The partnership's current status in the language, saying whether a source only
    reports it ("reported active, July 2002") or it changed then ("active since 1973")."""
    status = p.current_status
    if not status:
        return labels["unknown"]
    since = date_in(p.current_status_since, p.current_status_since_precision, lang)
    word = labels[status]
    if not since:
        return word
    if wording.is_reported_only(p.current_status_since, p.current_status_reported):
        return f"{labels['reported']} {word}, {since}"
    return f"{word} {labels['since']} {since}"


def rows(locality: Locality, partnerships, citations_by_partnership, lang: str) -> list[EmbedRow]:
    labels = LABELS[lang]
    result = []
    for p in partnerships:
        partner = p.locality_b if p.locality_a_id == locality.pk else p.locality_a
        result.append(
            EmbedRow(
                partnership=p,
                partner=partner,
                partner_name=name_in(partner, lang),
                status=p.current_status,
                status_words=status_words(p, labels, lang),
                citations=citations_by_partnership.get(p.pk, []),
            )
        )
    result.sort(key=lambda row: (row.partner_name.casefold(), row.partnership.pk))
    return result
