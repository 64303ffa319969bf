"""The raw-SQL floor of ``make bench-api``: a bare WSGI app (psycopg + orjson, no Django)
answering the registry's first benchmark question, ``GET /api/v1/partnerships/?country=XX
&page_size=N``, from the same tables with the best queries we know: the count from the
list index alone, one ordered index scan for the page with both parties, and the page's
organizations and focus areas. Its body has the registry's shape, so the two do the same
work; what the registry spends beyond it is the framework's cost.

Run by the benchmark as ``gunicorn benchmarks.floor:application`` with FLOOR_DATABASE_URL
set; one connection per worker process, kept open."""

import os
from urllib.parse import parse_qs

import orjson
import psycopg

_connection: psycopg.Connection | None = None

PAGE = """
SELECT p.id, p.level, p.established_on, p.established_precision, NULLIF(p.current_status, ''),
       p.current_status_since, p.current_status_since_precision,
       p.current_status_reported, p.current_status_reported_precision, p.updated_at,
       a.id, a.name, a.country, a.kind, b.id, b.name, b.country, b.kind
FROM partnerships_partnershipparty x
JOIN partnerships_partnership p ON p.id = x.partnership_id
JOIN partnerships_locality a ON a.id = p.locality_a_id
JOIN partnerships_locality b ON b.id = p.locality_b_id
WHERE x.country = %s AND x.is_country_row
ORDER BY x.sort_name_a, x.sort_name_b, x.partnership_id
LIMIT %s"""
COUNT = "SELECT count(*) FROM partnerships_partnershipparty WHERE country = %s AND is_country_row"
ORGANIZATIONS = """
SELECT t.partnership_id, o.id, o.name, o.abbreviation FROM partnerships_partnership_organizations t
JOIN partnerships_organization o ON o.id = t.organization_id
WHERE t.partnership_id = ANY(%s) ORDER BY o.name, o.id"""
FOCUS_AREAS = """
SELECT t.partnership_id, f.slug, f.name FROM partnerships_partnership_focus_areas t
JOIN partnerships_focusarea f ON f.id = t.focusarea_id
WHERE t.partnership_id = ANY(%s) ORDER BY f.name, f.id"""


def _db() -> psycopg.Connection:
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["FLOOR_DATABASE_URL"], autocommit=True)
    return _connection


def _date(value, precision):
    return (
        {"date": None, "precision": None}
        if value is None
        else {"date": value.isoformat(), "precision": precision or "day"}
    )


def application(environ, start_response):
    query = parse_qs(environ.get("QUERY_STRING", ""))
    country = query.get("country", ["DE"])[0].upper()
    size = min(200, int(query.get("page_size", ["50"])[0]))
    host = f"http://{environ.get('HTTP_HOST', 'localhost')}"
    with _db().cursor() as cursor:
        cursor.execute(COUNT, (country,))
        (count,) = cursor.fetchone()
        cursor.execute(PAGE, (country, size))
        rows = cursor.fetchall()
        ids = [row[0] for row in rows]
        cursor.execute(ORGANIZATIONS, (ids,))
        organizations: dict[int, list] = {}
        for pk, oid, name, abbreviation in cursor.fetchall():
            organizations.setdefault(pk, []).append(
                {
                    "id": oid,
                    "name": name,
                    "abbreviation": abbreviation,
                    "url": f"{host}/api/v1/organizations/{oid}/",
                }
            )
        cursor.execute(FOCUS_AREAS, (ids,))
        focus: dict[int, list] = {}
        for pk, slug, name in cursor.fetchall():
            focus.setdefault(pk, []).append({"slug": slug, "name": name})
    results = [
        {
            "id": r[0],
            "url": f"{host}/api/v1/partnerships/{r[0]}/",
            "html_url": f"{host}/partnerships/{r[0]}/",
            "kind": r[1],
            "localities": [
                {
                    "id": r[10],
                    "name": r[11],
                    "country": r[12],
                    "kind": r[13],
                    "url": f"{host}/api/v1/localities/{r[10]}/",
                },
                {
                    "id": r[14],
                    "name": r[15],
                    "country": r[16],
                    "kind": r[17],
                    "url": f"{host}/api/v1/localities/{r[14]}/",
                },
            ],
            "established": _date(r[2], r[3]),
            "status": r[4],
            "status_since": _date(r[5], r[6]),
            "status_reported": _date(r[7], r[8]),
            "organizations": organizations.get(r[0], []),
            "focus_areas": focus.get(r[0], []),
            "updated_at": r[9].isoformat().replace("+00:00", "Z"),
        }
        for r in rows
    ]
    body = orjson.dumps({"count": count, "next": None, "previous": None, "results": results})
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
