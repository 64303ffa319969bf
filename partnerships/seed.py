"""The seed data: what the five source documents in fixtures/seed-documents/ support,
each fact with its citation and a short verbatim quote.

`make seed-fixture` runs build_seed() through the services (so every rule holds) and
writes fixtures/seed.json, which `manage.py load_seed` and the tests load.

Recorded only what a source says: the two St. Petersburgs' 300/100 anniversary and the
Philadelphia–Nizhny Novgorod business-school meetings are not partnerships; the unnamed
US–Russian partnerships that were suspended or terminated after 2022 appear as a reported
figure, not as invented records.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import services
from .dates import PartialDate
from .models import (
    Activity,
    Locality,
    LocalityAlias,
    Organization,
    Partnership,
    ReportedFigure,
    Source,
    StatusEvent,
)
from .services import AliasInput, CitationInput

P = PartialDate.parse
CITY, REGION, COUNTRY = Locality.Kind.CITY, Locality.Kind.REGION, Locality.Kind.COUNTRY
FORMER = LocalityAlias.Kind.FORMER
Level = Partnership.Level


# ------------------------------------------------------------------------- sources

# key: the seed document (in fixtures/seed-documents/) the source was built from. The
# tests check every quote against it.
SOURCES: dict[str, dict[str, Any]] = {
    "000_50b8b0ba0fa72d38.txt": {
        "title": "US-Russia Sister Cities Relations Remain Frozen, Revival Would Benefit Both Sides - Expert",
        "publisher": "UrduPoint News / Sputnik",
        "published": P("2023-06-01"),
        "kind": Source.Kind.INTERVIEW,
        "notes": "Interview with Bill Boerum, Chairman Emeritus of Sister Cities International.",
    },
    "001_df7bf89c6dbc1b9e.txt": {
        "title": "US-Russia Sister Cities Plan First Summit in 20 Years - SCI Chairman Emeritus",
        "publisher": "Sputnik",
        "published": P("2018-11-22"),
        "kind": Source.Kind.INTERVIEW,
    },
    "002_7be4d1c307f0369d.txt": {
        "title": "US municipalities have never experienced political or security issues in the sister-city "
        "relationships with their Chinese counterparts",
        "publisher": "UrduPoint News / Sputnik",
        "published": P("2023-06-19"),
        "kind": Source.Kind.INTERVIEW,
    },
    "003_fcdae7a441942893.txt": {
        "title": "Fostering Business Through Sister Cities Relationships",
        "author": "Philip H. de Leon",
        "published": P("2002-07"),
        "kind": Source.Kind.OTHER,
        "notes": "A 2002 trade bulletin on US–Eurasian sister city relationships; the copy held does not name "
        "its publisher.",
    },
    "004_377bf9997f96fdde.txt": {
        "title": "Kherson and Worcester: an American-Ukrainian city partnership facilitated by Cities4Cities",
        "author": "Aidan G. Stretch",
        "publisher": "The Free Press (bariweiss.substack.com), republished by USSANews.com",
        "published": P("2025-08-18"),
        "notes": "The article has no headline in the copy held, so the title is descriptive. The copy is "
        "undated; a public copy is dated 18 August 2025.",
    },
}
RUSSIA_2023, RUSSIA_2018, CHINA_2023, BULLETIN_2002, KHERSON_2025 = SOURCES


# ---------------------------------------------------------------------- localities


@dataclass(frozen=True)
class SeedLocality:
    name: str
    country: str
    kind: str
    subdivision: str
    at: tuple[str, str]  # latitude, longitude
    native: str = ""
    wikidata: str = ""
    aliases: tuple[AliasInput, ...] = ()
    parent: str = ""


A = AliasInput
LOCALITIES = [
    SeedLocality("Washington", "US", REGION, "US-WA", ("47.7511", "-120.7401")),
    SeedLocality(
        "Seattle", "US", CITY, "US-WA", ("47.6062", "-122.3321"), wikidata="Q5083", parent="Washington"
    ),
    SeedLocality("Tashkent", "UZ", CITY, "", ("41.2995", "69.2401"), native="Toshkent", wikidata="Q269"),
    SeedLocality("Iowa", "US", REGION, "US-IA", ("42.0329", "-93.5810"), aliases=(A("State of Iowa"),)),
    SeedLocality(
        "Cherkasy Oblast",
        "UA",
        REGION,
        "UA-71",
        ("49.4444", "32.0598"),
        native="Черкаська область",
        aliases=(A("Cherkassy region", language="en"), A("Cherkasy region", language="en")),
    ),
    SeedLocality("Duluth", "US", CITY, "US-MN", ("46.7867", "-92.1005")),
    SeedLocality("Petrozavodsk", "RU", CITY, "RU-KR", ("61.7849", "34.3469"), native="Петрозаводск"),
    SeedLocality("Boulder", "US", CITY, "US-CO", ("40.0150", "-105.2705")),
    SeedLocality(
        "Dushanbe",
        "TJ",
        CITY,
        "",
        ("38.5598", "68.7870"),
        native="Душанбе",
        wikidata="Q9365",
        aliases=(A("Stalinabad", kind=FORMER, valid_from=P("1929"), valid_to=P("1961")),),
    ),
    SeedLocality("Rochester", "US", CITY, "US-NY", ("43.1566", "-77.6088")),
    SeedLocality(
        "Veliky Novgorod",
        "RU",
        CITY,
        "RU-NGR",
        ("58.5215", "31.2755"),
        native="Великий Новгород",
        aliases=(A("Velikiy Novgorod"), A("Novgorod", kind=FORMER, valid_to=P("1999"))),
    ),
    SeedLocality(
        "Maryland", "US", REGION, "US-MD", ("39.0458", "-76.6413"), aliases=(A("State of Maryland"),)
    ),
    SeedLocality(
        "Leningrad Oblast",
        "RU",
        REGION,
        "RU-LEN",
        ("59.9000", "31.0000"),
        native="Ленинградская область",
        aliases=(A("Leningrad Region"),),
    ),
    SeedLocality("Montclair", "US", CITY, "US-NJ", ("40.8259", "-74.2090")),
    SeedLocality("Cherepovets", "RU", CITY, "RU-VLG", ("59.1269", "37.9090"), native="Череповец"),
    SeedLocality("Portland", "US", CITY, "US-OR", ("45.5152", "-122.6784")),
    SeedLocality("Khabarovsk", "RU", CITY, "RU-KHA", ("48.4802", "135.0719"), native="Хабаровск"),
    SeedLocality(
        "Minneapolis/St. Paul",
        "US",
        CITY,
        "US-MN",
        ("44.9631", "-93.1700"),
        aliases=(A("Twin Cities"), A("Minneapolis–Saint Paul")),
    ),
    SeedLocality(
        "Novosibirsk",
        "RU",
        CITY,
        "RU-NVS",
        ("55.0084", "82.9357"),
        native="Новосибирск",
        wikidata="Q883",
        aliases=(A("Novonikolayevsk", kind=FORMER, valid_to=P("1926")),),
    ),
    SeedLocality("Pittsburgh", "US", CITY, "US-PA", ("40.4406", "-79.9959"), wikidata="Q1342"),
    SeedLocality(
        "Astana",
        "KZ",
        CITY,
        "",
        ("51.1605", "71.4704"),
        native="Астана",
        wikidata="Q1520",
        aliases=(
            A("Nur-Sultan", kind=FORMER, valid_from=P("2019-03"), valid_to=P("2022-09")),
            A("Akmola", kind=FORMER, valid_from=P("1992"), valid_to=P("1998")),
            A("Tselinograd", kind=FORMER, valid_from=P("1961"), valid_to=P("1992")),
        ),
    ),
    SeedLocality(
        "North Carolina",
        "US",
        REGION,
        "US-NC",
        ("35.7596", "-79.0193"),
        aliases=(A("State of North Carolina"),),
    ),
    SeedLocality(
        "Moldova",
        "MD",
        COUNTRY,
        "",
        ("47.4116", "28.3699"),
        native="Republica Moldova",
        wikidata="Q217",
        aliases=(A("Republic of Moldova"),),
    ),
    SeedLocality("Houston", "US", CITY, "US-TX", ("29.7604", "-95.3698")),
    SeedLocality("Baku", "AZ", CITY, "", ("40.4093", "49.8671"), native="Bakı", wikidata="Q9248"),
    SeedLocality("Tucson", "US", CITY, "US-AZ", ("32.2226", "-110.9747")),
    SeedLocality(
        "Almaty",
        "KZ",
        CITY,
        "",
        ("43.2220", "76.8512"),
        native="Алматы",
        wikidata="Q35493",
        aliases=(A("Alma-Ata", kind=FORMER, valid_to=P("1993")),),
    ),
    SeedLocality("Colorado Springs", "US", CITY, "US-CO", ("38.8339", "-104.8214")),
    SeedLocality(
        "Bishkek",
        "KG",
        CITY,
        "",
        ("42.8746", "74.5698"),
        native="Бишкек",
        wikidata="Q9361",
        aliases=(A("Frunze", kind=FORMER, valid_from=P("1926"), valid_to=P("1991")),),
    ),
    SeedLocality("Cincinnati", "US", CITY, "US-OH", ("39.1031", "-84.5120")),
    SeedLocality(
        "Kharkiv",
        "UA",
        CITY,
        "UA-63",
        ("49.9935", "36.2304"),
        native="Харків",
        aliases=(A("Kharkov"), A("Харьков", kind=LocalityAlias.Kind.TRANSLATION, language="ru")),
    ),
    SeedLocality("Columbia", "US", CITY, "US-MO", ("38.9517", "-92.3341")),
    SeedLocality("Kutaisi", "GE", CITY, "", ("42.2679", "42.6946"), native="ქუთაისი"),
    SeedLocality(
        "Tver Oblast",
        "RU",
        REGION,
        "RU-TVE",
        ("57.0000", "34.9000"),
        native="Тверская область",
        aliases=(A("Tver region"),),
    ),
    SeedLocality(
        "Louisiana", "US", REGION, "US-LA", ("30.9843", "-91.9623"), aliases=(A("State of Louisiana"),)
    ),
    SeedLocality("Kherson", "UA", CITY, "UA-65", ("46.6354", "32.6169"), native="Херсон"),
    SeedLocality("Worcester", "US", CITY, "US-MA", ("42.2626", "-71.8023")),
]


# ------------------------------------------------------------------- organizations

ORGANIZATIONS = {
    "SCI": {
        "name": "Sister Cities International",
        "abbreviation": "SCI",
        "kind": Organization.Kind.ASSOCIATION,
        "country": "US",
        "description": "A nonprofit network that creates partnerships between communities in the United States "
        "and ones overseas; it recognizes, registers and coordinates US sister city, county and state programs.",
    },
    "URC": {
        "name": "Union of Russian Cities",
        "abbreviation": "URC",
        "kind": Organization.Kind.ASSOCIATION,
        "country": "RU",
    },
    "C4C": {
        "name": "Cities4Cities",
        "kind": Organization.Kind.NONPROFIT,
        "country": "UA",
        "description": "A Ukraine-based nonprofit group that facilitates American-Ukrainian city partnerships.",
    },
    "BISNIS": {
        "name": "BISNIS",
        "abbreviation": "BISNIS",
        "kind": Organization.Kind.GOVERNMENT,
        "country": "US",
        "description": "Has representatives in Eurasia who help identify local business opportunities.",
    },
    "AIHA": {
        "name": "American International Health Alliance",
        "abbreviation": "AIHA",
        "kind": Organization.Kind.NONPROFIT,
        "country": "US",
    },
    "AVC": {"name": "Association of Volga Cities", "kind": Organization.Kind.ASSOCIATION, "country": "RU"},
    "USRCC": {"name": "US-Russian Chamber of Commerce", "kind": Organization.Kind.BUSINESS},
    "PKSCA": {
        "name": "Portland-Khabarovsk Sister City Association",
        "kind": Organization.Kind.NONPROFIT,
        "country": "US",
    },
    "PURA": {
        "name": "Pittsburgh Urban Redevelopment Authority",
        "kind": Organization.Kind.GOVERNMENT,
        "country": "US",
    },
    "LAKECHARLES": {
        "name": "City administration of Lake Charles",
        "kind": Organization.Kind.GOVERNMENT,
        "country": "US",
        "description": "Provided organizational oversight and management for the Tver region–Louisiana agreement.",
    },
}


# -------------------------------------------------------------------- partnerships


@dataclass(frozen=True)
class Cite:
    source: str  # a key of SOURCES
    quote: str
    locator: str = ""


ACHIEVEMENTS = "section “Existing Partnerships and Concrete Achievements”"
UPCOMING = "section “Upcoming Partnerships and Beyond”"
EXAMPLES = "list “Examples of Existing Relationships”"


@dataclass(frozen=True)
class SeedPartnership:
    a: str
    b: str
    level: str
    cite: Cite  # for the partnership and its status event
    status: str = Partnership.Status.ACTIVE
    since: str = "2002-07"
    # Every seed source reports a status on its date (the July 2002 bulletin's lists, the
    # August 2025 article); none says when it began: attestations, not changes.
    kind: str = StatusEvent.Kind.ATTESTATION
    note: str = ""
    organizations: tuple[str, ...] = ()
    focus: tuple[str, ...] = ()
    description: str = ""


def _bulletin(quote, locator):
    return Cite(BULLETIN_2002, quote, locator)


PARTNERSHIPS = [
    SeedPartnership(
        "Seattle",
        "Tashkent",
        Level.SISTER_CITY,
        _bulletin("for example, Seattle, Wash., and Tashkent, Uzbekistan", "paragraph 1"),
    ),
    SeedPartnership(
        "Iowa",
        "Cherkasy Oblast",
        Level.SISTER_STATE,
        _bulletin("the state of Iowa and the Cherkassy region of Ukraine", "paragraph 1"),
    ),
    SeedPartnership(
        "Duluth",
        "Petrozavodsk",
        Level.SISTER_CITY,
        _bulletin(
            "residents of Duluth, Minn., sending small amounts of money to and corresponding with orphans "
            "in Petrozavodsk, Russia",
            "paragraph 1",
        ),
    ),
    SeedPartnership(
        "Boulder",
        "Dushanbe",
        Level.SISTER_CITY,
        _bulletin(
            "the city of Dushanbe, Tajikistan, donating an original teahouse to the people of Boulder, Colo.",
            "paragraph 1",
        ),
        focus=("culture",),
    ),
    SeedPartnership(
        "Rochester",
        "Veliky Novgorod",
        Level.SISTER_CITY,
        _bulletin(
            "The sister city agreement between Rochester, NY, and Velikiy Novgorod, Russia", ACHIEVEMENTS
        ),
        focus=("business",),
    ),
    SeedPartnership(
        "Maryland",
        "Leningrad Oblast",
        Level.SISTER_STATE,
        _bulletin("The state of Maryland hosted Leningrad RegionGovernor Valery Serdyukov", ACHIEVEMENTS),
        focus=("business",),
    ),
    SeedPartnership(
        "Montclair",
        "Cherepovets",
        Level.SISTER_CITY,
        _bulletin("the Montclair (NJ)-Cherepovets (Russia) Sister Cities", ACHIEVEMENTS),
        focus=("business",),
    ),
    SeedPartnership(
        "Portland",
        "Khabarovsk",
        Level.SISTER_CITY,
        _bulletin("the Portland-Khabarovsk Sister City Association", UPCOMING),
        note="Listed among partnerships whose activities were being reactivated, developed or increased.",
        organizations=("PKSCA",),
        focus=("business",),
    ),
    SeedPartnership(
        "Minneapolis/St. Paul",
        "Novosibirsk",
        Level.SISTER_CITY,
        _bulletin(
            "the chair of the Sister City Committee for Minneapolis/St. Paul–Novosibirsk, Russia", UPCOMING
        ),
        description="The source names Minneapolis and St. Paul together as one party.",
    ),
    SeedPartnership(
        "Pittsburgh",
        "Astana",
        Level.COOPERATION,
        _bulletin("the current area of cooperation between the two—the health care sector", UPCOMING),
        organizations=("AIHA", "PURA"),
        focus=("health care",),
        description="Cooperation in the health care sector; the mayors were discussing enlarging it in 2002.",
    ),
    SeedPartnership(
        "North Carolina",
        "Moldova",
        Level.SISTER_STATE,
        _bulletin("State of North Carolina – Republic of Moldova", EXAMPLES),
    ),
    SeedPartnership(
        "Houston", "Baku", Level.SISTER_CITY, _bulletin("Houston, Texas – Baku, Azerbaijan", EXAMPLES)
    ),
    SeedPartnership(
        "Tucson", "Almaty", Level.SISTER_CITY, _bulletin("Tucson, Arizona – Almaty, Kazakhstan", EXAMPLES)
    ),
    SeedPartnership(
        "Colorado Springs",
        "Bishkek",
        Level.SISTER_CITY,
        _bulletin("Colorado Springs, Colo. – Bishkek, Kyrgyzstan", EXAMPLES),
    ),
    SeedPartnership(
        "Cincinnati", "Kharkiv", Level.SISTER_CITY, _bulletin("Cincinnati, Ohio – Kharkiv, Ukraine", EXAMPLES)
    ),
    SeedPartnership(
        "Columbia", "Kutaisi", Level.SISTER_CITY, _bulletin("Columbia, Missouri - Kutaisi, Georgia", EXAMPLES)
    ),
    SeedPartnership(
        "Tver Oblast",
        "Louisiana",
        Level.SISTER_STATE,
        _bulletin("intend to sign an ambitious sister state agreement", UPCOMING),
        status=Partnership.Status.PROPOSED,
        note="To be signed in July 2002, after over a year of preparatory work. The registry has no source "
        "for the signing.",
        organizations=("LAKECHARLES",),
        focus=("science and technology", "business", "culture"),
        description="An agreement on “scientific, technical, commercial, economic, and cultural cooperation”.",
    ),
    SeedPartnership(
        "Kherson",
        "Worcester",
        Level.PARTNERSHIP,
        Cite(
            KHERSON_2025,
            "Kherson and Worcester are one of 10 American-Ukrainian city partnerships, facilitated by Cities4Cities",
            "paragraph 3",
        ),
        since="2025-08",
        note="Date approximate: the article (published 18 August 2025) reports the partnership as ongoing and "
        "gives no start date.",
        organizations=("C4C",),
        focus=("emergency relief", "health care", "veteran services", "education"),
    ),
]


@dataclass(frozen=True)
class SeedActivity:
    a: str
    b: str
    kind: str
    when: str | None
    description: str
    cite: Cite
    planned: bool = False


ACTIVITIES = [
    SeedActivity(
        "Duluth",
        "Petrozavodsk",
        Activity.Kind.AID,
        None,
        "Residents of Duluth sent small amounts of money to, and corresponded with, orphans in Petrozavodsk.",
        _bulletin(
            "sending small amounts of money to and corresponding with orphans in Petrozavodsk", "paragraph 1"
        ),
    ),
    SeedActivity(
        "Boulder",
        "Dushanbe",
        Activity.Kind.CULTURE,
        None,
        "Dushanbe donated an original teahouse to the people of Boulder, so that they could gather in an "
        "authentic Tajik environment.",
        _bulletin("donating an original teahouse to the people of Boulder, Colo.", "paragraph 1"),
    ),
    SeedActivity(
        "Rochester",
        "Veliky Novgorod",
        Activity.Kind.BUSINESS,
        "1993",
        "With the support of local officials and a former Kodak executive in 1993, the partnership helped form a "
        "for-profit corporation that by 2002 had 27 retail photographic stores in several Russian cities.",
        _bulletin(
            "received the support of local officials and a former Kodak executive in 1993, assisted in forming "
            "a for-profit corporation that today has 27 retail photographic stores in several Russian cities",
            ACHIEVEMENTS,
        ),
    ),
    SeedActivity(
        "Maryland",
        "Leningrad Oblast",
        Activity.Kind.VISIT,
        "2001-05",
        "Maryland hosted Leningrad Region Governor Valery Serdyukov and a group of Russian businessmen; contacts "
        "were established and contractual relations facilitated.",
        _bulletin(
            "hosted Leningrad RegionGovernor Valery Serdyukov and a group of Russian businessmen in May 2001",
            ACHIEVEMENTS,
        ),
    ),
    SeedActivity(
        "Montclair",
        "Cherepovets",
        Activity.Kind.VISIT,
        "2001-04",
        "The Montclair–Cherepovets Sister Cities and the New Jersey-Vologda Business Council hosted Mayor Mikhail "
        "Stavrovskiy in Washington, DC, with the assistance of BISNIS; three business proposals followed.",
        _bulletin(
            "In April 2001, the Montclair (NJ)-Cherepovets (Russia) Sister Cities and New Jersey-Vologda "
            "Business Council hosted Mayor Mikhail Stavrovskiy in Washington, DC, with the assistance of BISNIS",
            ACHIEVEMENTS,
        ),
    ),
    SeedActivity(
        "Portland",
        "Khabarovsk",
        Activity.Kind.CONFERENCE,
        "2003-02-10",
        "A Russian Week in Portland, 10–15 February 2003, planned by the Portland-Khabarovsk Sister City "
        "Association and Portland State University's School of Business Administration.",
        _bulletin("plan to hold a Russian Week in Portland during February 10-15, 2003", UPCOMING),
        planned=True,
    ),
    SeedActivity(
        "Minneapolis/St. Paul",
        "Novosibirsk",
        Activity.Kind.VISIT,
        "2002",
        "The chair of the Sister City Committee visited Novosibirsk, where local officials asked what more "
        "could be done.",
        _bulletin("just returned from Novosibirsk", UPCOMING),
    ),
    SeedActivity(
        "Pittsburgh",
        "Astana",
        Activity.Kind.VISIT,
        "2002-06",
        "Officials of the American International Health Alliance and a representative of the Pittsburgh Urban "
        "Redevelopment Authority visited Astana.",
        _bulletin("a June 2002 visit to Astana of American International Health Alliance", UPCOMING),
    ),
    SeedActivity(
        "Kherson",
        "Worcester",
        Activity.Kind.CALL,
        "2025",
        "Four or five calls between Worcester's emergency services and Kherson's deputy mayor, on disaster relief "
        "strategies and then on healthcare, veteran services and education.",
        Cite(KHERSON_2025, "We’ve now had four or five calls", "paragraph 5"),
    ),
]


# ---------------------------------------------------------------- reported figures


@dataclass(frozen=True)
class SeedFigure:
    count: int
    as_of: str
    cites: tuple[Cite, ...]
    country_a: str = ""
    country_b: str = ""
    qualifier: str = ReportedFigure.Qualifier.EXACTLY
    measure: str = ReportedFigure.Measure.PARTNERSHIPS
    organization: str = ""
    description: str = ""


SCI_2002_TABLE = "table “Number of SCI-sponsored relationships as of June 2002”"
SCI_2002 = {
    "RU": ("Russia", 96),
    "KZ": ("Kazakhstan", 2),
    "UA": ("Ukraine", 26),
    "UZ": ("Uzbekistan", 2),
    "GE": ("Georgia", 5),
    "AZ": ("Azerbaijan", 1),
    "AM": ("Armenia", 4),
    "KG": ("Kyrgyzstan", 1),
    "MD": ("Moldova", 4),
    "TJ": ("Tajikistan", 1),
    "BY": ("Belarus", 2),
    "TM": ("Turkmenistan", 1),
}
US_RU_CITIES_2018 = Cite(RUSSIA_2018, "About 60 Russian and 70 US cities have sister relations")

FIGURES = [
    *(
        SeedFigure(
            count,
            "2002-06",
            (Cite(BULLETIN_2002, f"{name}: {count}", SCI_2002_TABLE),),
            "US",
            code,
            organization="SCI",
            description=f"SCI-sponsored relationships between the United States and {name}.",
        )
        for code, (name, count) in SCI_2002.items()
    ),
    SeedFigure(
        70,
        "2023-06-01",
        (
            Cite(
                RUSSIA_2023,
                "US and Russian cities maintain more than 70 sister relationships and some hold several such "
                "programs, according to the US-Russian Chamber of Commerce",
            ),
            Cite(
                RUSSIA_2023,
                "Many cities - sometimes spurred by local politicians - either terminated their relationships or "
                "suspended them indefinitely; others kept them, but little activity ensued",
            ),
        ),
        "US",
        "RU",
        ReportedFigure.Qualifier.MORE_THAN,
        organization="USRCC",
        description="Sister relationships between US and Russian cities. Many were terminated or suspended "
        "indefinitely after 2022; the source names none of them and gives no count.",
    ),
    SeedFigure(
        60,
        "2018-11-22",
        (US_RU_CITIES_2018,),
        "RU",
        "US",
        ReportedFigure.Qualifier.ABOUT,
        ReportedFigure.Measure.LOCALITIES,
        description="Russian cities with sister relations between the United States and Russia.",
    ),
    SeedFigure(
        70,
        "2018-11-22",
        (US_RU_CITIES_2018,),
        "US",
        "RU",
        ReportedFigure.Qualifier.ABOUT,
        ReportedFigure.Measure.LOCALITIES,
        description="US cities with sister relations between the United States and Russia.",
    ),
    SeedFigure(
        2000,
        "2018-11-22",
        (
            Cite(
                RUSSIA_2018,
                "The global organization has established more than 2,000 partnerships between cities in 146 "
                "countries",
            ),
        ),
        qualifier=ReportedFigure.Qualifier.MORE_THAN,
        organization="SCI",
        description="Partnerships established by Sister Cities International between cities in 146 countries.",
    ),
    SeedFigure(
        100,
        "2023-06-19",
        (
            Cite(CHINA_2023, "While there are upward of 100 sister city relationships with China"),
            Cite(
                CHINA_2023,
                "such activity since the COVID-19 pandemic has been close to zero at the Federal and municipal "
                "levels",
            ),
        ),
        "US",
        "CN",
        ReportedFigure.Qualifier.UPWARD_OF,
        organization="SCI",
        description="Sister city relationships between the United States and China; activity since the "
        "COVID-19 pandemic close to zero.",
    ),
    SeedFigure(
        10,
        "2025-08-18",
        (Cite(KHERSON_2025, "one of 10 American-Ukrainian city partnerships, facilitated by Cities4Cities"),),
        "US",
        "UA",
        organization="C4C",
        description="American-Ukrainian city partnerships facilitated by Cities4Cities.",
    ),
]

ORGANIZATION_RELATIONSHIPS = [
    (
        "SCI",
        "URC",
        "Partner organizations. In autumn 2022 the URC asked SCI whether it would terminate relations between "
        "them; SCI answered that it would not.",
        (
            Cite(
                RUSSIA_2023,
                "the Union of Russian Cities (URC) asked the SCI whether it would terminate relations between "
                "the two organizations",
            ),
            Cite(
                RUSSIA_2023,
                "saying we were not going to do so and that we hoped the relationship would actively continue",
            ),
            Cite(
                RUSSIA_2018,
                "Sister Cities International and the Union of Russian Cities will jointly develop the conference "
                "program",
            ),
        ),
    ),
]


# --------------------------------------------------------------------------- build


def build_seed() -> None:
    """Create the seed records through the services, in a stable order (stable ids)."""
    sources = {key: services.create_source(**fields) for key, fields in SOURCES.items()}

    def citations(*cites: Cite) -> list[CitationInput]:
        return [CitationInput(sources[c.source], c.quote, c.locator) for c in cites]

    localities: dict[str, Locality] = {}
    for seed in LOCALITIES:
        localities[seed.name] = services.create_locality(
            name=seed.name,
            country=seed.country,
            kind=seed.kind,
            subdivision=seed.subdivision,
            latitude=Decimal(seed.at[0]),
            longitude=Decimal(seed.at[1]),
            native_name=seed.native,
            wikidata_id=seed.wikidata,
            parent=localities[seed.parent] if seed.parent else None,
            aliases=seed.aliases,
        )

    organizations = {key: services.create_organization(**fields) for key, fields in ORGANIZATIONS.items()}
    for from_key, to_key, description, cites in ORGANIZATION_RELATIONSHIPS:
        services.relate_organizations(
            from_organization=organizations[from_key],
            to_organization=organizations[to_key],
            description=description,
            citations=citations(*cites),
        )

    partnerships: dict[tuple[str, str], Partnership] = {}
    for pair in PARTNERSHIPS:
        partnership = services.create_partnership(
            locality_a=localities[pair.a],
            locality_b=localities[pair.b],
            level=pair.level,
            organizations=[organizations[key] for key in pair.organizations],
            focus_areas=pair.focus,
            description=pair.description,
            citations=citations(pair.cite),
        )
        services.record_status_event(
            partnership=partnership,
            status=pair.status,
            effective=P(pair.since),
            kind=pair.kind,
            note=pair.note,
            citations=citations(pair.cite),
        )
        partnerships[pair.a, pair.b] = partnership

    for activity in ACTIVITIES:
        services.add_activity(
            partnership=partnerships[activity.a, activity.b],
            kind=activity.kind,
            occurred=P(activity.when) if activity.when else None,
            is_planned=activity.planned,
            description=activity.description,
            citations=citations(activity.cite),
        )

    for figure in FIGURES:
        services.add_reported_figure(
            count=figure.count,
            as_of=P(figure.as_of),
            qualifier=figure.qualifier,
            measure=figure.measure,
            country_a=figure.country_a,
            country_b=figure.country_b,
            organization=organizations[figure.organization] if figure.organization else None,
            description=figure.description,
            citations=citations(*figure.cites),
        )
