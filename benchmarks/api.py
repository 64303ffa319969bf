"""``make bench-api``: the registry's public reads against a raw-SQL floor, in one run on
one machine (issue 15).

For each scale (1×: the bundled Wikipedia data set imported; 10×: ``generate_scale_data
--scale 10``) it loads a PostgreSQL database of its own, starts the production server
(gunicorn with registry/gunicorn.conf.py, 2 sync workers, persistent connections, no
response cache: the registry has none) and the floor (benchmarks/floor.py, 2 workers),
and measures with wrk, alternating registry and floor requests: requests/s, p50, p99,
errors and timeouts (2 s) under 16 and 64 connections, and the 1-client latency; each
row's ratio to the floor under the same load. Then the same at 10×, the growth of every
p50 from 1× to 10×, and the exports' rows per second with the server's peak memory.

    make bench-api                       # both scales (the 10× load takes a while)
    .venv/bin/python -m benchmarks.api --scales 1 --duration 5 --reuse
    .venv/bin/python -m benchmarks.api --reuse --only 'admin|map' --connections 1 --no-exports

Databases: bench_api_1x and bench_api_10x on BENCH_DATABASE_URL's server (default
postgres://postgres@127.0.0.1:5432), kept afterwards (``--reuse`` skips loading them
again and only migrates them). BENCH_DATABASE_PREFIX (default
bench_api) names them. Ports: BENCH_PORT (default 8301) for the registry, the next one for the floor."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

BASE = Path(__file__).resolve().parent.parent
PY = sys.executable
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PORT = int(os.environ.get("BENCH_PORT", "8301"))
# The databases' name prefix: another checkout can measure on copies of its own.
PREFIX = os.environ.get("BENCH_DATABASE_PREFIX", "bench_api")
TIMEOUT = "2s"


@dataclass
class Result:
    rps: float
    p50: float  # ms
    p99: float
    errors: int
    timeouts: int
    requests: int


def log(message: str) -> None:
    print(f"[bench-api {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------ data


def database_url(scale: int) -> str:
    return f"{SERVER}/{PREFIX}_{scale}x"


def _admin(sql: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _count(url: str) -> int:
    try:
        with psycopg.connect(url) as conn:
            return conn.execute("SELECT count(*) FROM partnerships_partnership").fetchone()[0]
    except psycopg.Error:
        return 0


def manage(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "true"}
    subprocess.run([PY, "manage.py", *args], cwd=BASE, env=env, check=True)


def load(scale: int, *, reuse: bool) -> str:
    url = database_url(scale)
    if reuse and _count(url):
        log(f"{scale}×: reusing {url} ({_count(url):,} partnerships); migrating it")
        manage(url, "migrate", "--noinput", "-v0")
        # VACUUM too: a migration that rewrote rows (a backfill) clears the visibility map
        # that index-only scans need.
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        return url
    log(f"{scale}×: creating {url}")
    _admin(f"DROP DATABASE IF EXISTS {PREFIX}_{scale}x")
    _admin(f"CREATE DATABASE {PREFIX}_{scale}x")
    manage(url, "migrate", "--noinput", "-v0")
    started = time.monotonic()
    if scale == 1:
        manage(url, "import_dataset", "hekman", "--skip-bad-rows")
    else:
        manage(url, "generate_scale_data", "--scale", str(scale))
    log(f"{scale}×: loaded {_count(url):,} partnerships in {time.monotonic() - started:.0f} s")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return url


# ---------------------------------------------------------------------------- servers


SECRET = secrets.token_urlsafe(40)


def server_env(url: str, static_root: str = "") -> dict[str, str]:
    """The production settings the benchmark's server runs with (no response cache: the
    registry has none; the anonymous throttle out of the way)."""
    return {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": url,
        "DATABASE_CONN_MAX_AGE": "600",
        "DJANGO_STATIC_ROOT": static_root or tempfile.gettempdir(),
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        # The anonymous throttle would answer 429 to a load generator: out of the way.
        "API_ANON_THROTTLE_RATE": "100000000/second",
        "REQUEST_LOG": "false",
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "1",  # sync workers, as the issue measured
        "GUNICORN_MAX_REQUESTS": "0",
        "GUNICORN_LOG_LEVEL": "warning",
    }


def start(url: str, static_root: str) -> tuple[subprocess.Popen, subprocess.Popen]:
    env = server_env(url, static_root)
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=BASE, env=env, check=True)
    registry = subprocess.Popen(
        [PY, "-m", "gunicorn", "-c", "registry/gunicorn.conf.py"], cwd=BASE, env=env, start_new_session=True
    )
    floor = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{PORT + 1}",
            "--log-level",
            "warning",
            "benchmarks.floor:application",
        ],
        cwd=BASE,
        env={**os.environ, "FLOOR_DATABASE_URL": url},
        start_new_session=True,
    )
    for port in (PORT, PORT + 1):
        _wait(port)
    return registry, floor


def _wait(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _ = get(port, "/api/v1/partnerships/?country=DE&page_size=1")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the server on port {port} did not answer")


def stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        process.wait(timeout=30)


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    return response.status, response.read()


def worker_peak_kib(master: subprocess.Popen) -> int:
    """The largest peak resident size (VmHWM) among the master's worker processes."""
    peak = 0
    for child in Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split():
        status = Path(f"/proc/{child}/status").read_text()
        peak = max(peak, int(re.search(r"VmHWM:\s+(\d+)", status).group(1)))
    return peak


# ------------------------------------------------------------------------------- wrk


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(port: int, path: str, connections: int, duration: int, headers: dict | None = None) -> Result:
    command = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        TIMEOUT,
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = sum(int(n) for n in errors.groups()[:3]) if errors else 0
    return Result(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50=_ms(latency["50"]) if "50" in latency else float("nan"),
        p99=_ms(latency["99"]) if "99" in latency else float("nan"),
        errors=socket + (int(non_2xx.group(1)) if non_2xx else 0),
        timeouts=int(errors.group(4)) if errors else 0,
        requests=int(re.search(r"(\d+) requests in", out).group(1)),
    )


# ---------------------------------------------------------------------------- measure


def requests_for(url: str) -> dict[str, tuple[str, bool]]:
    """name → (path, is an API list row compared with the floor's throughput)."""
    with psycopg.connect(url) as conn:
        (detail,) = conn.execute(
            "SELECT partnership_id FROM partnerships_partnershipparty WHERE country = 'DE' AND is_country_row "
            "ORDER BY sort_name_a, sort_name_b, partnership_id OFFSET 25 LIMIT 1"
        ).fetchone()
    return {
        "list ?country=DE": ("/api/v1/partnerships/?country=DE&page_size=50", True),
        "list ?q=berlin": ("/api/v1/partnerships/?q=berlin&page_size=50", True),
        "list ?between=DE,FR&status=active": (
            "/api/v1/partnerships/?between=DE,FR&status=active&page_size=50",
            True,
        ),
        "detail": (f"/api/v1/partnerships/{detail}/", True),
        "HTML /partnerships/?country=DE": ("/partnerships/?country=DE", False),
    }


ONE_CLIENT_ONLY = {
    "HTML /countries/DE/": "/countries/DE/",
    "HTML /map/?country=DE": "/map/?country=DE",
    "admin partnerships": "/admin/partnerships/partnership/",
    "admin partnerships ?q=berlin": "/admin/partnerships/partnership/?q=berlin",
    "admin localities": "/admin/partnerships/locality/",
    "admin localities ?q=berlin": "/admin/partnerships/locality/?q=berlin",
}
FLOOR_PATH = "/api/v1/partnerships/?country=DE&page_size=50"


ADMIN_PASSWORD = secrets.token_urlsafe(16)


def admin_user(url: str) -> None:
    """A superuser for the admin's changelists (its password new on every run)."""
    code = (
        "from django.contrib.auth import get_user_model;"
        "User = get_user_model();"
        "u = User.objects.filter(username='bench').first() or "
        "User.objects.create_superuser('bench', 'bench@example.org', None);"
        f"u.set_password({ADMIN_PASSWORD!r}); u.save()"
    )
    subprocess.run(
        [PY, "manage.py", "shell", "-c", code], cwd=BASE, env=server_env(url), check=True, capture_output=True
    )


def admin_cookie() -> dict[str, str]:
    """Log in through the admin's login form; the session cookie, for wrk."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    conn.request("GET", "/admin/login/")
    response = conn.getresponse()
    page = response.read().decode()
    csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    from urllib.parse import urlencode

    form = urlencode(
        {"csrfmiddlewaretoken": token, "username": "bench", "password": ADMIN_PASSWORD, "next": "/admin/"}
    )
    conn.request(
        "POST",
        "/admin/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Referer": f"http://127.0.0.1:{PORT}/admin/login/",
        },
    )
    response = conn.getresponse()
    response.read()
    cookies = " ".join(response.headers.get_all("Set-Cookie") or [])
    session = re.search(r"sessionid=([^;]+)", cookies)
    if response.status != 302 or session is None:
        raise SystemExit(f"could not log in to the admin (HTTP {response.status})")
    return {"Cookie": f"sessionid={session.group(1)}"}


def measure(
    url: str,
    duration: int,
    *,
    only: re.Pattern | None = None,
    connection_counts: tuple[int, ...] = (1, 16, 64),
    with_exports: bool = True,
) -> dict:
    results: dict = {"rows": {}, "floor": {}, "one": {}, "exports": {}}
    requests = {k: v for k, v in requests_for(url).items() if only is None or only.search(k)}
    one_client_only = {k: v for k, v in ONE_CLIENT_ONLY.items() if only is None or only.search(k)}
    admin_user(url)
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    registry, floor = start(url, static_root)
    try:
        cookie = admin_cookie()
        for path, _ in requests.values():
            for _ in range(3):
                assert get(PORT, path)[0] == 200, path
        for connections in connection_counts:
            floor_runs = [wrk(PORT + 1, FLOOR_PATH, connections, duration)]
            for name, (path, _) in requests.items():
                if connections == 64 and name != "list ?country=DE":
                    continue
                log(f"{name} ×{connections}")
                results["rows"][(name, connections)] = wrk(PORT, path, connections, duration)
                # Alternate: a floor run between registry runs, averaged.
                if connections != 64:
                    floor_runs.append(wrk(PORT + 1, FLOOR_PATH, connections, max(2, duration // 2)))
            if connections == 64:
                floor_runs.append(wrk(PORT + 1, FLOOR_PATH, connections, duration))
            results["floor"][connections] = Result(
                rps=sum(r.rps for r in floor_runs) / len(floor_runs),
                p50=sum(r.p50 for r in floor_runs) / len(floor_runs),
                p99=max(r.p99 for r in floor_runs),
                errors=sum(r.errors for r in floor_runs),
                timeouts=sum(r.timeouts for r in floor_runs),
                requests=sum(r.requests for r in floor_runs),
            )
        for name, path in one_client_only.items():
            headers = cookie if name.startswith("admin") else None
            # Warm both workers (a first search loads the gazetteer: seconds, which a
            # 2-second wrk run on a cold worker would report as no request at all).
            for _ in range(4):
                status, _ = get(PORT, path, headers)
                assert status == 200, (name, status)
            log(f"{name} ×1")
            results["one"][name] = wrk(PORT, path, 1, max(2, duration // 2), headers)
        if with_exports:
            results["exports"] = exports(registry)
    finally:
        stop(registry, floor)
        shutil.rmtree(static_root, ignore_errors=True)
    return results


def exports(registry: subprocess.Popen) -> dict:
    found = {}
    for fmt in ("csv", "geojson"):
        log(f"export {fmt}")
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
        started = time.monotonic()
        conn.request("GET", f"/api/v1/partnerships/?format={fmt}")
        response = conn.getresponse()
        size = rows = 0
        tail = b""
        while chunk := response.read(1 << 16):
            size += len(chunk)
            rows += (tail + chunk).count(b"\n")
            tail = b""
        seconds = time.monotonic() - started
        # CSV: a header line; GeoJSON: an opening and a closing line around one line per feature.
        rows -= 1 if fmt == "csv" else 2
        found[fmt] = {
            "rows": rows,
            "seconds": seconds,
            "mib": size / 2**20,
            "peak_kib": worker_peak_kib(registry),
        }
    return found


# ------------------------------------------------------------------------------ table


def table(scale: int, results: dict) -> str:
    floor = results["floor"]
    lines = [
        f"### {scale}× data",
        "",
        "| request | conns | req/s | p50 ms | p99 ms | errors | timeouts | ×floor req/s | ×floor p50 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for connections, f in floor.items():
        lines.append(
            f"| **floor** (psycopg + orjson) | {connections} | {f.rps:.0f} | {f.p50:.1f} | {f.p99:.1f} "
            f"| {f.errors} | {f.timeouts} | 1.00 | 1.00 |"
        )
        for (name, conns), r in results["rows"].items():
            if conns == connections:
                lines.append(
                    f"| {name} | {conns} | {r.rps:.0f} | {r.p50:.1f} | {r.p99:.1f} | {r.errors} "
                    f"| {r.timeouts} | {r.rps / f.rps:.2f} | {r.p50 / f.p50:.2f} |"
                )
    # A partial run (--only) may lack the API list's row: then no ratio (nan).
    api_row = results["rows"].get(("list ?country=DE", 1))
    api_one = api_row.p50 if api_row else float("nan")
    one_client = dict(results["one"])
    if html_row := results["rows"].get(("HTML /partnerships/?country=DE", 1)):
        one_client = {"HTML /partnerships/?country=DE": html_row, **one_client}
    lines += [
        "",
        "| one client | p50 ms | × API list's 1-client p50 |",
        "|---|---:|---:|",
    ]
    for name, r in one_client.items():
        lines.append(f"| {name} | {r.p50:.1f} | {r.p50 / api_one:.2f} |")
    lines += [
        "",
        "| export (every partnership) | rows | seconds | rows/s | MiB | server peak RSS MiB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for fmt, e in results["exports"].items():
        lines.append(
            f"| {fmt} | {e['rows']:,} | {e['seconds']:.1f} | {e['rows'] / e['seconds']:,.0f} "
            f"| {e['mib']:.1f} | {e['peak_kib'] / 1024:.0f} |"
        )
    return "\n".join(lines)


def growth(first: dict, last: dict, scale: int) -> str:
    lines = [
        f"### p50 growth from 1× to {scale}×",
        "",
        "| request | conns | p50 1× | p50 10× | growth |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, r in last["rows"].items():
        if key in first["rows"]:
            before = first["rows"][key].p50
            lines.append(f"| {key[0]} | {key[1]} | {before:.1f} | {r.p50:.1f} | {r.p50 / before:.2f} |")
    for name, r in last["one"].items():
        if name not in first["one"]:
            continue
        before = first["one"][name].p50
        lines.append(f"| {name} | 1 | {before:.1f} | {r.p50:.1f} | {r.p50 / before:.2f} |")
    return "\n".join(lines)


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    with psycopg.connect(f"{SERVER}/postgres") as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0]
    import django
    import gunicorn

    return (
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}; {os.cpu_count()} CPUs ({cpu}); Python {platform.python_version()}, "
        f"Django {django.get_version()}, gunicorn {gunicorn.__version__}, PostgreSQL {pg}, {wrk_version.strip()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10", help="comma-separated scales (default 1,10)")
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run (default 8)")
    parser.add_argument("--reuse", action="store_true", help="keep already loaded benchmark databases")
    parser.add_argument("--json", help="also write the raw results to this file")
    parser.add_argument(
        "--only",
        help="measure only the requests whose name matches this regular expression (e.g. 'admin|map')",
    )
    parser.add_argument("--connections", default="1,16,64", help="connection counts (default 1,16,64)")
    parser.add_argument("--no-exports", action="store_true", help="skip the export measurements")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run `make wrk` (Debian's package).")
    scales = [int(s) for s in args.scales.split(",")]
    measured = {}
    for scale in scales:
        url = load(scale, reuse=args.reuse)
        measured[scale] = measure(
            url,
            args.duration,
            only=re.compile(args.only) if args.only else None,
            connection_counts=tuple(int(c) for c in args.connections.split(",")),
            with_exports=not args.no_exports,
        )
    print(f"## make bench-api\n\n{machine()}\n")
    for scale in scales:
        print(table(scale, measured[scale]) + "\n")
    if len(scales) > 1:
        print(growth(measured[scales[0]], measured[scales[-1]], scales[-1]))
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    str(s): {
                        "rows": {f"{k[0]} ×{k[1]}": vars(v) for k, v in m["rows"].items()},
                        "floor": {k: vars(v) for k, v in m["floor"].items()},
                        "one": {k: vars(v) for k, v in m["one"].items()},
                        "exports": m["exports"],
                    }
                    for s, m in measured.items()
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
