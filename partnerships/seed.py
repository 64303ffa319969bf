"""The seed data: what the five source documents in fixtures/seed-documents/ support,
each fact with its citation and a short verbatim quote.

`manage.py build_seed_fixture` runs build_seed() through the services (so every rule
holds) and writes fixtures/seed.json, which `manage.py load_seed` and the tests load.

Recorded only what a source says: the two St. Petersburgs' 300/100 anniversary and the
Philadelphia–Nizhny Novgorod business-school meetings are not partnerships; the unnamed
US–Russian partnerships that were suspended or terminated after 2022 appear as a reported
figure, not as invented records.
"""

from decimal import Decimal

from . import services
from .dates import PartialDate
from .models import Activity, Locality, LocalityAlias, Organization, Partnership, ReportedFigure, Source
from .services import AliasInput, CitationInput

# Which seed document each source was built from (checked by the tests: every quote
# must appear verbatim in its document).
SOURCE_DOCUMENTS = {
    "US-Russia Sister Cities Relations Remain Frozen, Revival Would Benefit Both Sides - Expert": (
        "000_50b8b0ba0fa72d38.txt"
    ),
    "US-Russia Sister Cities Plan First Summit in 20 Years - SCI Chairman Emeritus": "001_df7bf89c6dbc1b9e.txt",
    "US municipalities have never experienced political or security issues in the sister-city "
    "relationships with their Chinese counterparts": "002_7be4d1c307f0369d.txt",
    "Fostering Business Through Sister Cities Relationships": "003_fcdae7a441942893.txt",
    "Kherson and Worcester: an American-Ukrainian city partnership facilitated by Cities4Cities": (
        "004_377bf9997f96fdde.txt"
    ),
}

P = PartialDate.parse
City, Region, Country = Locality.Kind.CITY, Locality.Kind.REGION, Locality.Kind.COUNTRY
FORMER, VARIANT, NATIVE = LocalityAlias.Kind.FORMER, LocalityAlias.Kind.VARIANT, LocalityAlias.Kind.NATIVE

# name, country, kind, subdivision, latitude, longitude, native name, wikidata, aliases
LOCALITIES = [
    ("Washington", "US", Region, "US-WA", "47.7511", "-120.7401", "", "", []),
    ("Seattle", "US", City, "US-WA", "47.6062", "-122.3321", "", "Q5083", []),
    ("Tashkent", "UZ", City, "", "41.2995", "69.2401", "Toshkent", "Q269", []),
    ("Iowa", "US", Region, "US-IA", "42.0329", "-93.5810", "", "", [AliasInput("State of Iowa")]),
    (
        "Cherkasy Oblast",
        "UA",
        Region,
        "UA-71",
        "49.4444",
        "32.0598",
        "Черкаська область",
        "",
        [AliasInput("Cherkassy region", language="en"), AliasInput("Cherkasy region", language="en")],
    ),
    ("Duluth", "US", City, "US-MN", "46.7867", "-92.1005", "", "", []),
    ("Petrozavodsk", "RU", City, "RU-KR", "61.7849", "34.3469", "Петрозаводск", "", []),
    ("Boulder", "US", City, "US-CO", "40.0150", "-105.2705", "", "", []),
    (
        "Dushanbe",
        "TJ",
        City,
        "",
        "38.5598",
        "68.7870",
        "Душанбе",
        "Q9365",
        [AliasInput("Stalinabad", kind=FORMER, valid_from=P("1929"), valid_to=P("1961"))],
    ),
    ("Rochester", "US", City, "US-NY", "43.1566", "-77.6088", "", "", []),
    (
        "Veliky Novgorod",
        "RU",
        City,
        "RU-NGR",
        "58.5215",
        "31.2755",
        "Великий Новгород",
        "",
        [AliasInput("Velikiy Novgorod"), AliasInput("Novgorod", kind=FORMER, valid_to=P("1999"))],
    ),
    ("Maryland", "US", Region, "US-MD", "39.0458", "-76.6413", "", "", [AliasInput("State of Maryland")]),
    (
        "Leningrad Oblast",
        "RU",
        Region,
        "RU-LEN",
        "59.9000",
        "31.0000",
        "Ленинградская область",
        "",
        [AliasInput("Leningrad Region")],
    ),
    ("Montclair", "US", City, "US-NJ", "40.8259", "-74.2090", "", "", []),
    ("Cherepovets", "RU", City, "RU-VLG", "59.1269", "37.9090", "Череповец", "", []),
    ("Portland", "US", City, "US-OR", "45.5152", "-122.6784", "", "", []),
    ("Khabarovsk", "RU", City, "RU-KHA", "48.4802", "135.0719", "Хабаровск", "", []),
    (
        "Minneapolis/St. Paul",
        "US",
        City,
        "US-MN",
        "44.9631",
        "-93.1700",
        "",
        "",
        [AliasInput("Twin Cities"), AliasInput("Minneapolis–Saint Paul")],
    ),
    (
        "Novosibirsk",
        "RU",
        City,
        "RU-NVS",
        "55.0084",
        "82.9357",
        "Новосибирск",
        "Q883",
        [AliasInput("Novonikolayevsk", kind=FORMER, valid_to=P("1926"))],
    ),
    ("Pittsburgh", "US", City, "US-PA", "40.4406", "-79.9959", "", "Q1342", []),
    (
        "Astana",
        "KZ",
        City,
        "",
        "51.1605",
        "71.4704",
        "Астана",
        "Q1520",
        [
            AliasInput("Nur-Sultan", kind=FORMER, valid_from=P("2019-03"), valid_to=P("2022-09")),
            AliasInput("Akmola", kind=FORMER, valid_from=P("1992"), valid_to=P("1998")),
            AliasInput("Tselinograd", kind=FORMER, valid_from=P("1961"), valid_to=P("1992")),
        ],
    ),
    (
        "North Carolina",
        "US",
        Region,
        "US-NC",
        "35.7596",
        "-79.0193",
        "",
        "",
        [AliasInput("State of North Carolina")],
    ),
    (
        "Moldova",
        "MD",
        Country,
        "",
        "47.4116",
        "28.3699",
        "Republica Moldova",
        "Q217",
        [AliasInput("Republic of Moldova")],
    ),
    ("Houston", "US", City, "US-TX", "29.7604", "-95.3698", "", "", []),
    ("Baku", "AZ", City, "", "40.4093", "49.8671", "Bakı", "Q9248", []),
    ("Tucson", "US", City, "US-AZ", "32.2226", "-110.9747", "", "", []),
    (
        "Almaty",
        "KZ",
        City,
        "",
        "43.2220",
        "76.8512",
        "Алматы",
        "Q35493",
        [AliasInput("Alma-Ata", kind=FORMER, valid_to=P("1993"))],
    ),
    ("Colorado Springs", "US", City, "US-CO", "38.8339", "-104.8214", "", "", []),
    (
        "Bishkek",
        "KG",
        City,
        "",
        "42.8746",
        "74.5698",
        "Бишкек",
        "Q9361",
        [AliasInput("Frunze", kind=FORMER, valid_from=P("1926"), valid_to=P("1991"))],
    ),
    ("Cincinnati", "US", City, "US-OH", "39.1031", "-84.5120", "", "", []),
    (
        "Kharkiv",
        "UA",
        City,
        "UA-63",
        "49.9935",
        "36.2304",
        "Харків",
        "",
        [AliasInput("Kharkov"), AliasInput("Харьков", kind=LocalityAlias.Kind.TRANSLATION, language="ru")],
    ),
    ("Columbia", "US", City, "US-MO", "38.9517", "-92.3341", "", "", []),
    ("Kutaisi", "GE", City, "", "42.2679", "42.6946", "ქუთაისი", "", []),
    (
        "Tver Oblast",
        "RU",
        Region,
        "RU-TVE",
        "57.0000",
        "34.9000",
        "Тверская область",
        "",
        [AliasInput("Tver region")],
    ),
    ("Louisiana", "US", Region, "US-LA", "30.9843", "-91.9623", "", "", [AliasInput("State of Louisiana")]),
    ("Kherson", "UA", City, "UA-65", "46.6354", "32.6169", "Херсон", "", []),
    ("Worcester", "US", City, "US-MA", "42.2626", "-71.8023", "", "", []),
]
PARENTS = {"Seattle": "Washington"}

ORGANIZATIONS = [
    # key, name, abbreviation, kind, country, description
    (
        "SCI",
        "Sister Cities International",
        "SCI",
        Organization.Kind.ASSOCIATION,
        "US",
        "A nonprofit network that creates partnerships between communities in the United States and ones "
        "overseas; it recognizes, registers and coordinates US sister city, county and state programs.",
    ),
    ("URC", "Union of Russian Cities", "URC", Organization.Kind.ASSOCIATION, "RU", ""),
    (
        "C4C",
        "Cities4Cities",
        "",
        Organization.Kind.NONPROFIT,
        "UA",
        "A Ukraine-based nonprofit group that facilitates American-Ukrainian city partnerships.",
    ),
    (
        "BISNIS",
        "BISNIS",
        "BISNIS",
        Organization.Kind.GOVERNMENT,
        "US",
        "Has representatives in Eurasia who help identify local business opportunities.",
    ),
    ("AIHA", "American International Health Alliance", "AIHA", Organization.Kind.NONPROFIT, "US", ""),
    ("AVC", "Association of Volga Cities", "", Organization.Kind.ASSOCIATION, "RU", ""),
    ("USRCC", "US-Russian Chamber of Commerce", "", Organization.Kind.BUSINESS, "", ""),
    ("PKSCA", "Portland-Khabarovsk Sister City Association", "", Organization.Kind.NONPROFIT, "US", ""),
    ("PURA", "Pittsburgh Urban Redevelopment Authority", "", Organization.Kind.GOVERNMENT, "US", ""),
    (
        "LAKECHARLES",
        "City administration of Lake Charles",
        "",
        Organization.Kind.GOVERNMENT,
        "US",
        "Provided organizational oversight and management for the Tver region–Louisiana agreement.",
    ),
]

A2002 = "Fostering Business Through Sister Cities Relationships"
EXAMPLES = "list “Examples of Existing Relationships”"

# a, b, level, organizations, focus areas, description, status, date, note,
# (source title, quote, locator) for the partnership and its status event
PARTNERSHIPS = [
    (
        "Seattle",
        "Tashkent",
        Partnership.Level.SISTER_CITY,
        [],
        [],
        "",
        "active",
        "2002-07",
        "",
        (A2002, "for example, Seattle, Wash., and Tashkent, Uzbekistan", "paragraph 1"),
    ),
    (
        "Iowa",
        "Cherkasy Oblast",
        Partnership.Level.SISTER_STATE,
        [],
        [],
        "",
        "active",
        "2002-07",
        "",
        (A2002, "the state of Iowa and the Cherkassy region of Ukraine", "paragraph 1"),
    ),
    (
        "Duluth",
        "Petrozavodsk",
        Partnership.Level.SISTER_CITY,
        [],
        [],
        "",
        "active",
        "2002-07",
        "",
        (
            A2002,
            "residents of Duluth, Minn., sending small amounts of money to and corresponding with orphans "
            "in Petrozavodsk, Russia",
            "paragraph 1",
        ),
    ),
    (
        "Boulder",
        "Dushanbe",
        Partnership.Level.SISTER_CITY,
        [],
        ["culture"],
        "",
        "active",
        "2002-07",
        "",
        (
            A2002,
            "the city of Dushanbe, Tajikistan, donating an original teahouse to the people of Boulder, Colo.",
            "paragraph 1",
        ),
    ),
    (
        "Rochester",
        "Veliky Novgorod",
        Partnership.Level.SISTER_CITY,
        [],
        ["business"],
        "",
        "active",
        "2002-07",
        "",
        (
            A2002,
            "The sister city agreement between Rochester, NY, and Velikiy Novgorod, Russia",
            "section “Existing Partnerships and Concrete Achievements”",
        ),
    ),
    (
        "Maryland",
        "Leningrad Oblast",
        Partnership.Level.SISTER_STATE,
        [],
        ["business"],
        "",
        "active",
        "2002-07",
        "",
        (
            A2002,
            "The state of Maryland hosted Leningrad RegionGovernor Valery Serdyukov",
            "section “Existing Partnerships and Concrete Achievements”",
        ),
    ),
    (
        "Montclair",
        "Cherepovets",
        Partnership.Level.SISTER_CITY,
        [],
        ["business"],
        "",
        "active",
        "2002-07",
        "",
        (
            A2002,
            "the Montclair (NJ)-Cherepovets (Russia) Sister Cities",
            "section “Existing Partnerships and Concrete Achievements”",
        ),
    ),
    (
        "Portland",
        "Khabarovsk",
        Partnership.Level.SISTER_CITY,
        ["PKSCA"],
        ["business"],
        "",
        "active",
        "2002-07",
        "Listed among partnerships whose activities were being reactivated, developed or increased.",
        (
            A2002,
            "the Portland-Khabarovsk Sister City Association",
            "section “Upcoming Partnerships and Beyond”",
        ),
    ),
    (
        "Minneapolis/St. Paul",
        "Novosibirsk",
        Partnership.Level.SISTER_CITY,
        [],
        [],
        "The source names Minneapolis and St. Paul together as one party.",
        "active",
        "2002-07",
        "",
        (
            A2002,
            "the chair of the Sister City Committee for Minneapolis/St. Paul–Novosibirsk, Russia",
            "section “Upcoming Partnerships and Beyond”",
        ),
    ),
    (
        "Pittsburgh",
        "Astana",
        Partnership.Level.COOPERATION,
        ["AIHA", "PURA"],
        ["health care"],
        "Cooperation in the health care sector; the mayors were discussing enlarging it in 2002.",
        "active",
        "2002-07",
        "",
        (
            A2002,
            "the current area of cooperation between the two—the health care sector",
            "section “Upcoming Partnerships and Beyond”",
        ),
    ),
    (
        "North Carolina",
        "Moldova",
        Partnership.Level.SISTER_STATE,
        [],
        [],
        "",
        "active",
        "2002-07",
        "",
        (A2002, "State of North Carolina – Republic of Moldova", EXAMPLES),
    ),
    (
        "Houston",
        "Baku",
        Partnership.Level.SISTER_CITY,
        [],
        [],
        "",
        "active",
        "2002-07",
        "",
        (A2002, "Houston, Texas – Baku, Azerbaijan", EXAMPLES),
    ),
    (
        "Tucson",
        "Almaty",
        Partnership.Level.SISTER_CITY,
        [],
        [],
        "",
        "active",
        "2002-07",
        "",
        (A2002, "Tucson, Arizona – Almaty, Kazakhstan", EXAMPLES),
    ),
    (
        "Colorado Springs",
        "Bishkek",
        Partnership.Level.SISTER_CITY,
        [],
        [],
        "",
        "active",
        "2002-07",
        "",
        (A2002, "Colorado Springs, Colo. – Bishkek, Kyrgyzstan", EXAMPLES),
    ),
    (
        "Cincinnati",
        "Kharkiv",
        Partnership.Level.SISTER_CITY,
        [],
        [],
        "",
        "active",
        "2002-07",
        "",
        (A2002, "Cincinnati, Ohio – Kharkiv, Ukraine", EXAMPLES),
    ),
    (
        "Columbia",
        "Kutaisi",
        Partnership.Level.SISTER_CITY,
        [],
        [],
        "",
        "active",
        "2002-07",
        "",
        (A2002, "Columbia, Missouri - Kutaisi, Georgia", EXAMPLES),
    ),
    (
        "Tver Oblast",
        "Louisiana",
        Partnership.Level.SISTER_STATE,
        ["LAKECHARLES"],
        ["science and technology", "business", "culture"],
        "An agreement on “scientific, technical, commercial, economic, and cultural cooperation”.",
        "proposed",
        "2002-07",
        "To be signed in July 2002, after over a year of preparatory work. The registry has no source for the signing.",
        (
            A2002,
            "intend to sign an ambitious sister state agreement",
            "section “Upcoming Partnerships and Beyond”",
        ),
    ),
    (
        "Kherson",
        "Worcester",
        Partnership.Level.PARTNERSHIP,
        ["C4C"],
        ["emergency relief", "health care", "veteran services", "education"],
        "",
        "active",
        "2025-08",
        "Date approximate: the article (published 18 August 2025) reports the partnership as ongoing and gives "
        "no start date.",
        (
            "Kherson and Worcester: an American-Ukrainian city partnership facilitated by Cities4Cities",
            "Kherson and Worcester are one of 10 American-Ukrainian city partnerships, facilitated by Cities4Cities",
            "paragraph 3",
        ),
    ),
]

# a, b, kind, date (or None), planned, description, (source title, quote, locator)
ACTIVITIES = [
    (
        "Duluth",
        "Petrozavodsk",
        Activity.Kind.AID,
        None,
        False,
        "Residents of Duluth sent small amounts of money to, and corresponded with, orphans in Petrozavodsk.",
        (
            A2002,
            "sending small amounts of money to and corresponding with orphans in Petrozavodsk",
            "paragraph 1",
        ),
    ),
    (
        "Boulder",
        "Dushanbe",
        Activity.Kind.CULTURE,
        None,
        False,
        "Dushanbe donated an original teahouse to the people of Boulder, so that they could gather in an "
        "authentic Tajik environment.",
        (A2002, "donating an original teahouse to the people of Boulder, Colo.", "paragraph 1"),
    ),
    (
        "Rochester",
        "Veliky Novgorod",
        Activity.Kind.BUSINESS,
        "1993",
        False,
        "With the support of local officials and a former Kodak executive in 1993, the partnership helped form a "
        "for-profit corporation that by 2002 had 27 retail photographic stores in several Russian cities.",
        (
            A2002,
            "received the support of local officials and a former Kodak executive in 1993, assisted in forming "
            "a for-profit corporation that today has 27 retail photographic stores in several Russian cities",
            "section “Existing Partnerships and Concrete Achievements”",
        ),
    ),
    (
        "Maryland",
        "Leningrad Oblast",
        Activity.Kind.VISIT,
        "2001-05",
        False,
        "Maryland hosted Leningrad Region Governor Valery Serdyukov and a group of Russian businessmen; contacts "
        "were established and contractual relations facilitated.",
        (
            A2002,
            "hosted Leningrad RegionGovernor Valery Serdyukov and a group of Russian businessmen in May 2001",
            "section “Existing Partnerships and Concrete Achievements”",
        ),
    ),
    (
        "Montclair",
        "Cherepovets",
        Activity.Kind.VISIT,
        "2001-04",
        False,
        "The Montclair–Cherepovets Sister Cities and the New Jersey-Vologda Business Council hosted Mayor Mikhail "
        "Stavrovskiy in Washington, DC, with the assistance of BISNIS; three business proposals followed.",
        (
            A2002,
            "In April 2001, the Montclair (NJ)-Cherepovets (Russia) Sister Cities and New Jersey-Vologda "
            "Business Council hosted Mayor Mikhail Stavrovskiy in Washington, DC, with the assistance of BISNIS",
            "section “Existing Partnerships and Concrete Achievements”",
        ),
    ),
    (
        "Portland",
        "Khabarovsk",
        Activity.Kind.CONFERENCE,
        "2003-02-10",
        True,
        "A Russian Week in Portland, 10–15 February 2003, planned by the Portland-Khabarovsk Sister City "
        "Association and Portland State University's School of Business Administration.",
        (
            A2002,
            "plan to hold a Russian Week in Portland during February 10-15, 2003",
            "section “Upcoming Partnerships and Beyond”",
        ),
    ),
    (
        "Minneapolis/St. Paul",
        "Novosibirsk",
        Activity.Kind.VISIT,
        "2002",
        False,
        "The chair of the Sister City Committee visited Novosibirsk, where local officials asked what more "
        "could be done.",
        (A2002, "just returned from Novosibirsk", "section “Upcoming Partnerships and Beyond”"),
    ),
    (
        "Pittsburgh",
        "Astana",
        Activity.Kind.VISIT,
        "2002-06",
        False,
        "Officials of the American International Health Alliance and a representative of the Pittsburgh Urban "
        "Redevelopment Authority visited Astana.",
        (
            A2002,
            "a June 2002 visit to Astana of American International Health Alliance",
            "section “Upcoming Partnerships and Beyond”",
        ),
    ),
    (
        "Kherson",
        "Worcester",
        Activity.Kind.CALL,
        "2025",
        False,
        "Four or five calls between Worcester's emergency services and Kherson's deputy mayor, on disaster relief "
        "strategies and then on healthcare, veteran services and education.",
        (
            "Kherson and Worcester: an American-Ukrainian city partnership facilitated by Cities4Cities",
            "We’ve now had four or five calls",
            "paragraph 5",
        ),
    ),
]

S2002_TABLE = "table “Number of SCI-sponsored relationships as of June 2002”"
SCI_2002 = [
    ("RU", "Russia", 96),
    ("KZ", "Kazakhstan", 2),
    ("UA", "Ukraine", 26),
    ("UZ", "Uzbekistan", 2),
    ("GE", "Georgia", 5),
    ("AZ", "Azerbaijan", 1),
    ("AM", "Armenia", 4),
    ("KG", "Kyrgyzstan", 1),
    ("MD", "Moldova", 4),
    ("TJ", "Tajikistan", 1),
    ("BY", "Belarus", 2),
    ("TM", "Turkmenistan", 1),
]


def build_seed() -> None:
    sources = {
        "000": services.create_source(
            title="US-Russia Sister Cities Relations Remain Frozen, Revival Would Benefit Both Sides - Expert",
            publisher="UrduPoint News / Sputnik",
            published=P("2023-06-01"),
            kind=Source.Kind.INTERVIEW,
            notes="Interview with Bill Boerum, Chairman Emeritus of Sister Cities International.",
        ),
        "001": services.create_source(
            title="US-Russia Sister Cities Plan First Summit in 20 Years - SCI Chairman Emeritus",
            publisher="Sputnik",
            published=P("2018-11-22"),
            kind=Source.Kind.INTERVIEW,
        ),
        "002": services.create_source(
            title="US municipalities have never experienced political or security issues in the sister-city "
            "relationships with their Chinese counterparts",
            publisher="UrduPoint News / Sputnik",
            published=P("2023-06-19"),
            kind=Source.Kind.INTERVIEW,
        ),
        "003": services.create_source(
            title=A2002,
            author="Philip H. de Leon",
            published=P("2002-07"),
            kind=Source.Kind.OTHER,
            notes="A 2002 trade bulletin on US–Eurasian sister city relationships; the copy held does not name "
            "its publisher.",
        ),
        "004": services.create_source(
            title="Kherson and Worcester: an American-Ukrainian city partnership facilitated by Cities4Cities",
            author="Aidan G. Stretch",
            publisher="The Free Press (bariweiss.substack.com), republished by USSANews.com",
            published=P("2025-08-18"),
            notes="The article has no headline in the copy held, so the title is descriptive. The copy is "
            "undated; a public copy is dated 18 August 2025.",
        ),
    }
    by_title = {source.title: source for source in sources.values()}

    def cite(spec):
        title, quote, locator = spec
        return CitationInput(source=by_title[title], quote=quote, locator=locator)

    localities = {}
    for name, country, kind, subdivision, lat, lng, native, wikidata, aliases in LOCALITIES:
        localities[name] = services.create_locality(
            name=name,
            country=country,
            kind=kind,
            subdivision=subdivision,
            latitude=Decimal(lat),
            longitude=Decimal(lng),
            native_name=native,
            wikidata_id=wikidata,
            parent=localities.get(PARENTS.get(name, "")),
            aliases=aliases,
        )

    organizations = {
        key: services.create_organization(
            name=name, abbreviation=abbreviation, kind=kind, country=country, description=description
        )
        for key, name, abbreviation, kind, country, description in ORGANIZATIONS
    }
    services.relate_organizations(
        from_organization=organizations["SCI"],
        to_organization=organizations["URC"],
        description="Partner organizations. In autumn 2022 the URC asked SCI whether it would terminate "
        "relations between them; SCI answered that it would not.",
        citations=[
            CitationInput(
                sources["000"],
                "the Union of Russian Cities (URC) asked the SCI whether it would terminate relations between "
                "the two organizations",
            ),
            CitationInput(
                sources["000"],
                "saying we were not going to do so and that we hoped the relationship would actively continue",
            ),
            CitationInput(
                sources["001"],
                "Sister Cities International and the Union of Russian Cities will jointly develop the conference "
                "program",
            ),
        ],
    )

    partnerships = {}
    for a, b, level, orgs, focus, description, status, when, note, citation in PARTNERSHIPS:
        partnership = services.create_partnership(
            locality_a=localities[a],
            locality_b=localities[b],
            level=level,
            organizations=[organizations[key] for key in orgs],
            focus_areas=focus,
            description=description,
            citations=[cite(citation)],
        )
        services.record_status_event(
            partnership=partnership, status=status, effective=P(when), note=note, citations=[cite(citation)]
        )
        partnerships[a, b] = partnership

    for a, b, kind, when, planned, description, citation in ACTIVITIES:
        services.add_activity(
            partnership=partnerships[a, b],
            kind=kind,
            occurred=P(when) if when else None,
            is_planned=planned,
            description=description,
            citations=[cite(citation)],
        )

    for code, name, count in SCI_2002:
        services.add_reported_figure(
            count=count,
            country_a="US",
            country_b=code,
            as_of=P("2002-06"),
            organization=organizations["SCI"],
            description=f"SCI-sponsored relationships between the United States and {name}.",
            citations=[CitationInput(sources["003"], f"{name}: {count}", S2002_TABLE)],
        )
    services.add_reported_figure(
        count=70,
        qualifier=ReportedFigure.Qualifier.MORE_THAN,
        country_a="US",
        country_b="RU",
        as_of=P("2023-06-01"),
        organization=organizations["USRCC"],
        description="Sister relationships between US and Russian cities. Many were terminated or suspended "
        "indefinitely after 2022; the source names none of them and gives no count.",
        citations=[
            CitationInput(
                sources["000"],
                "US and Russian cities maintain more than 70 sister relationships and some hold several such "
                "programs, according to the US-Russian Chamber of Commerce",
            ),
            CitationInput(
                sources["000"],
                "Many cities - sometimes spurred by local politicians - either terminated their relationships or "
                "suspended them indefinitely; others kept them, but little activity ensued",
            ),
        ],
    )
    for country_a, country_b, what in (("RU", "US", "Russian"), ("US", "RU", "US")):
        services.add_reported_figure(
            count=60 if country_a == "RU" else 70,
            qualifier=ReportedFigure.Qualifier.ABOUT,
            measure=ReportedFigure.Measure.LOCALITIES,
            country_a=country_a,
            country_b=country_b,
            as_of=P("2018-11-22"),
            description=f"{what} cities with sister relations between the United States and Russia.",
            citations=[
                CitationInput(sources["001"], "About 60 Russian and 70 US cities have sister relations")
            ],
        )
    services.add_reported_figure(
        count=2000,
        qualifier=ReportedFigure.Qualifier.MORE_THAN,
        as_of=P("2018-11-22"),
        organization=organizations["SCI"],
        description="Partnerships established by Sister Cities International between cities in 146 countries.",
        citations=[
            CitationInput(
                sources["001"],
                "The global organization has established more than 2,000 partnerships between cities in 146 "
                "countries",
            )
        ],
    )
    services.add_reported_figure(
        count=100,
        qualifier=ReportedFigure.Qualifier.UPWARD_OF,
        country_a="US",
        country_b="CN",
        as_of=P("2023-06-19"),
        organization=organizations["SCI"],
        description="Sister city relationships between the United States and China; activity since the "
        "COVID-19 pandemic close to zero.",
        citations=[
            CitationInput(
                sources["002"], "While there are upward of 100 sister city relationships with China"
            ),
            CitationInput(
                sources["002"],
                "such activity since the COVID-19 pandemic has been close to zero at the Federal and municipal "
                "levels",
            ),
        ],
    )
    services.add_reported_figure(
        count=10,
        country_a="US",
        country_b="UA",
        as_of=P("2025-08-18"),
        organization=organizations["C4C"],
        description="American-Ukrainian city partnerships facilitated by Cities4Cities.",
        citations=[
            CitationInput(
                sources["004"], "one of 10 American-Ukrainian city partnerships, facilitated by Cities4Cities"
            )
        ],
    )
