"""Scale-out on real servers: PostgreSQL clusters, a streaming replica, Redis, app servers.

Everything here is started by the tests themselves (module-scoped fixtures), never the shared
servers: a PostgreSQL primary of our own on 5434 (the shared 5432 allows no replication
connection, and may not be reconfigured or restarted), a streaming replica of it on 5433
made with ``pg_basebackup -R``, a redis-server on 6390, and ``python -m registry.serve``
(what ``make serve`` runs: preflight checks, collectstatic, gunicorn) on ports 8101–8109,
with the job worker (``manage.py db_worker``) as a real process beside them.

PostgreSQL-only (marker ``servers``); skipped on SQLite, and skipped with the reason when a
server cannot be made (no PostgreSQL binaries, no ``postgres`` OS user to run them as).
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PRIMARY_PORT, REPLICA_PORT, REDIS_PORT = 5434, 5433, 6390
DB_NAME = "reg_prod_scale"
SECRET = "kq3VpJ8w2Zr9tYbN5mXc7LdF4hG6sA1eQ0uIoPzRyTvWxBnMlKjH-scale"

pytestmark = [
    pytest.mark.servers,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="real-server tests run with the PostgreSQL suite (DATABASE_URL=postgres://…)",
    ),
]


def _pg_bin() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    return candidates[0].parent if candidates else None


PG_BIN = _pg_bin()


def _as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its programs as the postgres OS user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


def _free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _wait_for_port(port: int, timeout: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _free(port):
            return
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process meant to listen on {port} exited with {process.returncode}")
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


class Cluster:
    """A PostgreSQL cluster of our own, run with pg_ctl as the postgres user."""

    def __init__(self, root: Path, name: str, port: int) -> None:
        self.data = root / name
        self.socket_dir = root / f"{name}-socket"
        self.log = root / f"{name}.log"
        self.port = port

    def url(self, database: str = DB_NAME) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        assert PG_BIN is not None
        return subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args]),
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def configure(self, *lines: str) -> None:
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n".join(lines) + "\n")

    def start(self) -> None:
        self._pg_ctl("-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "-w", "stop", check=False)

    def sql(self, statement: str, database: str = DB_NAME) -> str:
        assert PG_BIN is not None
        result = subprocess.run(
            [
                str(PG_BIN / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                "-Atq",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                statement,
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql on {self.port}: {result.stderr}")
        return result.stdout.strip()


def _prepare_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


@pytest.fixture(scope="module")
def pg_root() -> Iterator[Path]:
    """A folder of our own that the postgres user can reach (pytest's own temporary folder is
    private to root, and any pytest session of the same user may make it private again)."""
    if PG_BIN is None:
        pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin): install postgresql")
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root, and there is no postgres OS user to run PostgreSQL as")
    for port in (PRIMARY_PORT, REPLICA_PORT):
        if not _free(port):
            pytest.skip(f"port {port} is taken: these tests start their own PostgreSQL there")
    root = Path(tempfile.mkdtemp(prefix="registry-servers-"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def primary(pg_root: Path) -> Iterator[Cluster]:
    """Our own primary on 5434: replication allowed (initdb's default pg_hba with trust)."""
    assert PG_BIN is not None
    cluster = Cluster(pg_root, "primary", PRIMARY_PORT)
    _prepare_dir(cluster.data)
    _prepare_dir(cluster.socket_dir)
    subprocess.run(
        _as_postgres([str(PG_BIN / "initdb"), "-D", str(cluster.data), "-U", "postgres", "--auth=trust"]),
        capture_output=True,
        check=True,
        timeout=120,
    )
    cluster.configure(
        f"port = {PRIMARY_PORT}",
        "listen_addresses = '127.0.0.1'",
        f"unix_socket_directories = '{cluster.socket_dir}'",
        "wal_level = replica",
        "max_wal_senders = 5",
        "wal_keep_size = '256MB'",
        # A test cluster: durability off for speed (the outage test stops it with 'fast',
        # which still writes every committed transaction before it stops).
        "fsync = off",
        "full_page_writes = off",
        "shared_buffers = '64MB'",
        "max_connections = 100",
    )
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "postgres:postgres", str(pg_root)], check=True)
    cluster.start()
    try:
        cluster.sql(f"CREATE DATABASE {DB_NAME}", database="postgres")
        yield cluster
    finally:
        cluster.stop("immediate")


@pytest.fixture(scope="module")
def replica(primary: Cluster, pg_root: Path) -> Iterator[Cluster]:
    """A streaming replica of our primary, made with pg_basebackup -R, on 5433."""
    assert PG_BIN is not None
    cluster = Cluster(pg_root, "replica", REPLICA_PORT)
    _prepare_dir(cluster.socket_dir)
    shutil.rmtree(cluster.data, ignore_errors=True)
    subprocess.run(
        _as_postgres(
            [
                str(PG_BIN / "pg_basebackup"),
                "-h",
                "127.0.0.1",
                "-p",
                str(PRIMARY_PORT),
                "-U",
                "postgres",
                "-D",
                str(cluster.data),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            ]
        ),
        capture_output=True,
        check=True,
        timeout=300,
    )
    cluster.configure(
        f"port = {REPLICA_PORT}",
        f"unix_socket_directories = '{cluster.socket_dir}'",
        "hot_standby = on",
    )
    cluster.start()
    try:
        deadline = time.monotonic() + 30
        while cluster.sql("SELECT pg_is_in_recovery()") != "t":
            assert time.monotonic() < deadline, "the replica is not in recovery"
            time.sleep(0.1)
        yield cluster
    finally:
        cluster.stop("immediate")


class Redis:
    """Our own redis-server on 6390 (never the shared one), which a test may stop and start."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.process: subprocess.Popen | None = None
        self.port = REDIS_PORT

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(REDIS_PORT, 10, self.process)

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
            self.process = None


@pytest.fixture(scope="module")
def redis_server() -> Iterator[Redis]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is missing: install Debian's redis-server package")
    if not _free(REDIS_PORT):
        pytest.skip(f"port {REDIS_PORT} is taken: these tests start their own Redis there")
    redis = Redis(binary)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def app_env(primary: Cluster, **variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="registry.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=primary.url(),
        DATABASE_CONNECT_TIMEOUT="2",
        PYTHONUNBUFFERED="1",
    )
    env.update(variables)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


TOKEN_SCRIPT = """
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
user = get_user_model().objects.create_superuser("scale-editor", "editor@example.org", "not-a-real-password-7")
print(Token.objects.create(user=user).key)
"""


@pytest.fixture(scope="module")
def migrated(primary: Cluster) -> Cluster:
    """The registry's schema and seed data on our primary (before the replica is copied), a
    staff token (``primary.token``) and 200 pairs of localities to partner (``primary.burst``)."""
    env = app_env(primary)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_seed")
    primary.token = manage(env, "shell", "-c", TOKEN_SCRIPT).strip().splitlines()[-1]  # type: ignore[attr-defined]
    ids = primary.sql(
        "INSERT INTO partnerships_locality (created_at, updated_at, name, native_name, kind, country, "
        "subdivision, wikidata_id, description, name_key, native_name_key, identity_key, coordinates_check) "
        "SELECT now(), now(), c || ' Burst ' || g, '', 'city', c, '', '', '', lower(c) || ' burst ' || g, '', "
        "lower(c) || ' burst ' || g, '' "
        "FROM generate_series(1, 200) g, (VALUES ('US'), ('FR')) AS v(c) ORDER BY c DESC, g RETURNING id"
    ).split()
    primary.burst = list(zip(ids[:200], ids[200:], strict=True))  # type: ignore[attr-defined]
    return primary


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes, seconds: float) -> None:
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    def json(self):
        return json.loads(self.body)


def http(
    url: str,
    *,
    method: str = "GET",
    data: object = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> Answer:
    """One request as a client behind the TLS proxy would send it (X-Forwarded-Proto: https)."""
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, method=method)
    request.add_header("X-Forwarded-Proto", "https")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            content = response.read()
            return Answer(response.status, dict(response.headers), content, time.perf_counter() - started)
    except urllib.error.HTTPError as error:
        content = error.read()
        return Answer(error.code, dict(error.headers), content, time.perf_counter() - started)


class AppServer:
    def __init__(self, port: int, process: subprocess.Popen, log: Path) -> None:
        self.port = port
        self.process = process
        self.log = log
        self.base = f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def app_servers(env: dict[str, str], ports: list[int], logs: Path) -> Iterator[list[AppServer]]:
    """``python -m registry.serve`` (= make serve) on each port, waited for on /healthz."""
    started: list[AppServer] = []
    try:
        for port in ports:
            if not _free(port):
                pytest.skip(f"port {port} is taken: these tests start their app servers there")
            log = logs / f"serve-{port}.log"
            process = subprocess.Popen(
                [sys.executable, "-m", "registry.serve"],
                cwd=PROJECT_ROOT,
                # Each its own static folder, as on separate machines (two collectstatic runs
                # into one folder at the same moment would trip over each other's files).
                env={
                    **env,
                    "GUNICORN_BIND": f"127.0.0.1:{port}",
                    "DJANGO_STATIC_ROOT": str(logs / f"static-{port}"),
                },
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
            )
            started.append(AppServer(port, process, log))
        for server in started:
            try:
                _wait_for_port(server.port, 90, server.process)
            except RuntimeError as exc:
                raise RuntimeError(f"{exc}\n{server.log.read_text()}") from None
        yield started
    finally:
        for server in started:
            _stop(server.process)


def served_env(primary: Cluster, tmp_path: Path, **variables: str) -> dict[str, str]:
    return app_env(
        primary,
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        JOBS_DIR=str(tmp_path / "jobs"),
        PUBLISHED_EXPORTS_DIR=str(tmp_path / "exports"),
        GUNICORN_WORKERS="2",
        GUNICORN_THREADS="4",
        API_CHANGES_SETTLE_SECONDS="0",
        REQUEST_LOG="false",
        **variables,
    )


# ------------------------------------------------------------------ a real streaming replica


@pytest.fixture(scope="module")
def replica_server(
    migrated: Cluster, replica: Cluster, redis_server: Redis, tmp_path_factory
) -> Iterator[AppServer]:
    """One app server reading on the replica. One connection per request (CONN_MAX_AGE=0), so
    that each backend's statistics reach pg_stat_database as soon as its request ends."""
    logs = tmp_path_factory.mktemp("replica-server")
    env = served_env(
        migrated,
        logs,
        DATABASE_REPLICA_URLS=replica.url(),
        DATABASE_CONN_MAX_AGE="0",
        REDIS_URL=f"redis://127.0.0.1:{redis_server.port}/1",
        API_ANON_THROTTLE_RATE="10000/minute",
    )
    with app_servers(env, [8101], logs) as (server,):
        yield server


def transactions(cluster: Cluster) -> int:
    """Transactions the cluster has counted in our database (each psql call adds one)."""
    return int(
        cluster.sql(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
        )
    )


def counted(cluster: Cluster, before: int, at_least: int, timeout: float = 5) -> int:
    """The cluster's transactions since ``before``, once they reach ``at_least`` (statistics
    arrive as each backend ends) or the timeout passes."""
    deadline = time.monotonic() + timeout
    while True:
        delta = transactions(cluster) - before
        if delta >= at_least or time.monotonic() > deadline:
            return delta
        time.sleep(0.2)


def test_readyz_checks_the_primary_and_the_replica(replica_server: AppServer):
    answer = http(f"{replica_server.base}/readyz")
    assert answer.status == 200, answer.body
    checks = answer.json()["checks"]
    assert checks["database"]["ok"] and checks["replicas"]["ok"] and checks["cache"]["ok"]


def test_public_list_reads_hit_the_replica_not_the_primary(replica_server: AppServer, migrated, replica):
    replica_before, primary_before = transactions(replica), transactions(migrated)
    paths = ["/api/v1/partnerships/", "/api/v1/localities/", "/partnerships/", "/api/v1/partnerships/1/"]
    for _ in range(5):
        for path in paths:
            answer = http(replica_server.base + path)
            assert answer.status == 200, (path, answer.body[:300])
    on_replica = counted(replica, replica_before, at_least=20)
    on_primary = transactions(migrated) - primary_before
    assert on_replica >= 20, f"the replica counted {on_replica} transactions for 20 public reads"
    # Our own two psql calls on the primary, and nothing from the 20 requests.
    assert on_primary <= 3, f"the primary counted {on_primary} transactions during public reads"


class Browser:
    """A browser's cookies, by hand: the session and CSRF cookies are Secure (HTTPS behind the
    proxy), which urllib's cookie jar would not send over the test's plain HTTP."""

    def __init__(self, server: AppServer) -> None:
        self.server = server
        self.cookies: dict[str, str] = {}

    def request(
        self,
        path: str,
        *,
        form: dict[str, str] | None = None,
        raw: tuple[bytes, str] | None = None,
        referer: str = "/admin/",
    ) -> Answer:
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=120)
        headers = {
            "X-Forwarded-Proto": "https",
            "Referer": f"https://127.0.0.1:{self.server.port}{referer}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body: str | bytes | None = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if raw is not None:
            body, headers["Content-Type"] = raw
        started = time.perf_counter()
        connection.request("GET" if body is None else "POST", path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        connection.close()
        return Answer(response.status, dict(response.getheaders()), content, time.perf_counter() - started)


def admin_browser(server: AppServer) -> Browser:
    """Signed in to the admin: the login page, then its form posted with the CSRF token."""
    import re

    browser = Browser(server)
    page = browser.request("/admin/login/").body.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    form = {
        "csrfmiddlewaretoken": token.group(1),
        "username": "scale-editor",
        "password": "not-a-real-password-7",
        "next": "/admin/",
    }
    landed = browser.request("/admin/login/", form=form)
    assert landed.status == 302 and landed.headers["Location"] == "/admin/", (
        landed.status,
        landed.body[:500],
    )
    return browser


def test_writes_signed_in_reads_and_the_admin_hit_the_primary(replica_server: AppServer, migrated, replica):
    token = {"Authorization": f"Token {migrated.token}"}
    browser = admin_browser(replica_server)
    replica_before, primary_before = transactions(replica), transactions(migrated)
    a, b = migrated.burst[9]
    created = http(
        f"{replica_server.base}/api/v1/partnerships/",
        method="POST",
        data={"locality_a": int(a), "locality_b": int(b), "kind": "friendship", "internal_record": True},
        headers=token,
    )
    assert created.status == 201, created.body
    # The writer reads its write at once (no replica lag for it): its reads are on the primary.
    again = http(f"{replica_server.base}/api/v1/partnerships/{created.json()['id']}/", headers=token)
    assert again.status == 200
    for _ in range(5):
        assert http(f"{replica_server.base}/api/v1/partnerships/", headers=token).status == 200
        assert browser.request("/admin/partnerships/partnership/").status == 200
    on_primary = counted(migrated, primary_before, at_least=12)
    on_replica = transactions(replica) - replica_before
    assert on_primary >= 12
    assert on_replica <= 2, f"the replica counted {on_replica} transactions for writes and the admin"


def changes(server: AppServer) -> list[dict]:
    """The whole change feed, page after page."""
    entries, url = [], f"{server.base}/api/v1/changes/"
    while url:
        answer = http(url)
        assert answer.status == 200, answer.body
        page = answer.json()
        entries += page["results"]
        url = page["next"] and page["next"].replace("https://", "http://")
    return entries


def test_the_change_feed_misses_nothing_while_the_replica_lags(replica_server: AppServer, migrated, replica):
    token = {"Authorization": f"Token {migrated.token}"}
    replica.sql("SELECT pg_wal_replay_pause()")
    try:
        created = []
        for a, b in migrated.burst[:9]:
            answer = http(
                f"{replica_server.base}/api/v1/partnerships/",
                method="POST",
                data={"locality_a": int(a), "locality_b": int(b), "internal_record": True},
                headers=token,
            )
            assert answer.status == 201, answer.body
            created.append(answer.json()["id"])
        # The replica really lags: it has none of the burst, and public reads (on it) show none.
        ids = ",".join(str(pk) for pk in created)
        assert replica.sql(f"SELECT count(*) FROM partnerships_partnership WHERE id IN ({ids})") == "0"
        listed = http(f"{replica_server.base}/api/v1/partnerships/?q=Burst&page_size=200")
        assert listed.status == 200
        assert not {row["id"] for row in listed.json()["results"]} & set(created)
        # The feed is read on the primary: every write of the burst is in it.
        fed = {entry["id"] for entry in changes(replica_server) if entry["type"] == "partnership"}
        assert set(created) <= fed
    finally:
        replica.sql("SELECT pg_wal_replay_resume()")
    deadline = time.monotonic() + 10
    while replica.sql(f"SELECT count(*) FROM partnerships_partnership WHERE id IN ({ids})") != str(
        len(created)
    ):
        assert time.monotonic() < deadline, "the replica did not catch up after replay resumed"
        time.sleep(0.1)


def test_readyz_names_a_replica_that_is_down(replica_server: AppServer, replica: Cluster):
    replica.stop("fast")
    try:
        answer = http(f"{replica_server.base}/readyz")
        assert answer.status == 503
        checks = answer.json()["checks"]
        assert checks["database"]["ok"] and not checks["replicas"]["ok"]
        assert "replica_1" in checks["replicas"]["error"]
        # Its public reads are a clean 503 meanwhile, never a 500.
        listed = http(f"{replica_server.base}/api/v1/partnerships/")
        assert listed.status == 503 and listed.headers["Retry-After"]
    finally:
        replica.start()
    deadline = time.monotonic() + 10
    while http(f"{replica_server.base}/readyz").status != 200:
        assert time.monotonic() < deadline, "not ready again after the replica's return"
        time.sleep(0.2)


# ------------------------------------------------------------------ two app servers, one Redis


@pytest.fixture(scope="module")
def pair_env(migrated: Cluster, redis_server: Redis, tmp_path_factory) -> dict[str, str]:
    """The settings of the two servers and their job worker: our PostgreSQL and Redis, one
    JOBS_DIR and PUBLISHED_EXPORTS_DIR for all (as a shared folder would be), and low limits so
    that the shared counts show: 12 anonymous API requests a minute, 3 corrections."""
    logs = tmp_path_factory.mktemp("pair")
    return served_env(
        migrated,
        logs,
        REDIS_URL=f"redis://127.0.0.1:{redis_server.port}/2",
        API_ANON_THROTTLE_RATE="12/minute",
        CORRECTIONS_PER_IP="3",
        LOGS=str(logs),
    )


@pytest.fixture(scope="module")
def server_pair(pair_env: dict[str, str]) -> Iterator[list[AppServer]]:
    """Two app servers: make serve on 8102 and 8103."""
    with app_servers(pair_env, [8102, 8103], Path(pair_env["LOGS"])) as servers:
        yield servers


def test_the_servers_started_through_make_serves_checks(server_pair: list[AppServer]):
    """registry.serve refuses to start unless check --deploy prints no warning at all."""
    for server in server_pair:
        log = server.log.read_text()
        assert "deployment checks passed, every migration applied" in log, log
        assert "static files collected" in log


def test_the_anonymous_throttle_counts_across_both_servers(server_pair: list[AppServer]):
    statuses = []
    for n in range(16):
        server = server_pair[n % 2]
        # A made-up X-Forwarded-For changes nothing (NUM_PROXIES=0: the header is ignored).
        answer = http(
            f"{server.base}/api/v1/partnerships/?page_size=1", headers={"X-Forwarded-For": f"198.51.100.{n}"}
        )
        statuses.append(answer.status)
        if answer.status == 429:
            assert int(answer.headers["Retry-After"]) > 0
    # 12 a minute in all, not 12 per server (24) nor per worker (48).
    assert statuses.count(200) == 12 and statuses.count(429) == 4, statuses
    # Each server refused some: the count is shared.
    assert 429 in statuses[12::2] or 429 in statuses[13::2]


def test_the_corrections_limit_counts_across_both_servers(server_pair: list[AppServer]):
    import re

    browsers = [Browser(server) for server in server_pair]
    path = "/corrections/partnership/1/"
    statuses = []
    for n in range(5):
        browser = browsers[n % 2]
        page = browser.request(path, referer=path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body.decode())
        assert token is not None, page.status
        form = {
            "csrfmiddlewaretoken": token.group(1),
            "message": f"The date is wrong ({n}).",
            "source_url": "",
            "contact": "",
            "website": "",
        }
        statuses.append(browser.request(path, form=form, referer=path).status)
    assert statuses == [302, 302, 302, 429, 429], statuses


def test_a_write_on_one_server_is_read_on_the_other(server_pair: list[AppServer], migrated: Cluster):
    token = {"Authorization": f"Token {migrated.token}"}
    a, b = migrated.burst[10]
    created = http(
        f"{server_pair[0].base}/api/v1/partnerships/",
        method="POST",
        data={
            "locality_a": int(a),
            "locality_b": int(b),
            "description": "written on the first server",
            "internal_record": True,
        },
        headers=token,
    )
    assert created.status == 201, created.body
    read = http(f"{server_pair[1].base}/api/v1/partnerships/{created.json()['id']}/", headers=token)
    assert read.status == 200 and read.json()["description"] == "written on the first server"


# ------------------------------------------------------------------ outages


def test_postgresql_stopped_and_restarted_under_load(server_pair: list[AppServer], migrated: Cluster):
    """Readers and writers on both servers while our primary is stopped (immediate: as a crash)
    and started again: 503 with Retry-After meanwhile, never a 500; 200 again within 5 s of the
    database accepting connections; every acknowledged write is there afterwards."""
    import threading

    token = {"Authorization": f"Token {migrated.token}"}
    pairs = iter(migrated.burst[20:])
    pairs_lock = threading.Lock()
    stop = threading.Event()
    results: list[tuple[float, str, Answer]] = []
    created: list[int] = []

    def record(kind: str, sent: float, answer: Answer) -> None:
        results.append((sent, kind, answer))

    def reader(server: AppServer) -> None:
        while not stop.is_set():
            sent = time.monotonic()
            record("api", sent, http(f"{server.base}/api/v1/partnerships/1/", headers=token, timeout=15))
            sent = time.monotonic()
            record("page", sent, http(f"{server.base}/partnerships/", timeout=15))
            time.sleep(0.05)

    def writer(server: AppServer) -> None:
        while not stop.is_set():
            with pairs_lock:
                pair = next(pairs, None)
            if pair is None:
                return
            sent = time.monotonic()
            answer = http(
                f"{server.base}/api/v1/partnerships/",
                method="POST",
                data={"locality_a": int(pair[0]), "locality_b": int(pair[1]), "internal_record": True},
                headers=token,
                timeout=15,
            )
            record("write", sent, answer)
            if answer.status == 201:
                created.append(answer.json()["id"])
            time.sleep(0.1)

    threads = [
        threading.Thread(target=work, args=(server,)) for server in server_pair for work in (reader, writer)
    ]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.5)
        migrated.stop("immediate")
        stopped = time.monotonic()
        time.sleep(3)
        migrated.start()
        up = time.monotonic()
        time.sleep(6)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

    statuses = {answer.status for _, _, answer in results}
    assert statuses <= {200, 201, 503}, sorted(statuses)
    outage = [(sent, kind, answer) for sent, kind, answer in results if answer.status == 503]
    assert any(stopped <= sent < up for sent, _, _ in outage), "no request met the outage"
    for _, kind, answer in outage:
        assert answer.headers.get("Retry-After"), answer.headers
        if kind == "page":
            assert answer.headers["Content-Type"].startswith("text/html")
            assert b"Traceback" not in answer.body
        else:
            assert answer.json()["status"] == 503
    before = [answer.status for sent, _, answer in results if sent < stopped - 0.5]
    assert before and set(before) <= {200, 201}
    recovered = [sent for sent, _, answer in results if sent >= up and answer.status in (200, 201)]
    assert recovered and recovered[0] - up < 5, "not answering within 5 s of the database's return"
    late = [answer.status for sent, _, answer in results if sent >= up + 5]
    assert late and set(late) <= {200, 201}, late
    assert created, "no write was acknowledged"
    ids = ",".join(str(pk) for pk in created)
    assert migrated.sql(f"SELECT count(*) FROM partnerships_partnership WHERE id IN ({ids})") == str(
        len(created)
    )


def test_with_redis_stopped_public_reads_are_still_answered(
    server_pair: list[AppServer], redis_server: Redis
):
    redis_server.stop()
    try:
        for server in server_pair:
            for path in ("/api/v1/partnerships/", "/api/v1/partnerships/1/", "/partnerships/", "/"):
                answer = http(server.base + path)
                # The throttle fails open (logged): the anonymous limit, spent above, does not apply.
                assert answer.status == 200, (server.port, path, answer.status)
            ready = http(f"{server.base}/readyz")
            assert ready.status == 503 and not ready.json()["checks"]["cache"]["ok"]
            assert ready.json()["checks"]["database"]["ok"]
    finally:
        redis_server.start()
    assert all(http(f"{server.base}/readyz").status == 200 for server in server_pair)


# ------------------------------------------------------------------ long work through the job queue

IMPORT_ROWS = 20_000
# The full export's size (250,000 partnerships). SCALE_EXPORT_ROWS makes it smaller for a quick
# run while developing; the default is what the issue asks for.
EXPORT_ROWS = int(os.environ.get("SCALE_EXPORT_ROWS", "250000"))
# /api/v1/partnerships/1/ while the jobs run: under 100 ms (90th percentile). On a machine busy
# with other work the same run's own floor counts instead: at most twice the 90th percentile
# measured just before the jobs (the guide: targets against a floor measured in the same run).
LATENCY_LIMIT = 0.100


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


@pytest.fixture(scope="module")
def worker(pair_env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """The job worker as a real process: manage.py db_worker (what make worker runs), at a lower
    CPU priority than the app servers, as docs/deploying.md's systemd unit runs it (Nice=10)."""
    log = Path(pair_env["LOGS"]) / "worker.log"
    process = subprocess.Popen(
        [
            "nice",
            "-n",
            "10",
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-reload",
            "--interval",
            "0.2",
            "--no-startup-delay",
        ],
        cwd=PROJECT_ROOT,
        env=pair_env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        _stop(process)


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = "----registry-scale-test-boundary"
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def wait_for_job(cluster: Cluster, job_id: int, probe: Callable[[], None], timeout: float) -> str:
    """Probe the site while the job runs; its final state."""
    deadline = time.monotonic() + timeout
    while True:
        state = cluster.sql(f"SELECT state FROM partnerships_job WHERE id = {job_id}")
        if state in ("succeeded", "failed"):
            return state
        assert time.monotonic() < deadline, f"job {job_id} still {state} after {timeout} s"
        probe()
        time.sleep(0.1)


def test_a_large_import_and_a_full_export_run_on_the_worker_while_the_site_answers(
    server_pair: list[AppServer], worker: subprocess.Popen, migrated: Cluster
):
    import re
    import statistics

    token = {"Authorization": f"Token {migrated.token}"}
    latencies: list[float] = []

    def probe() -> None:
        answer = http(f"{server_pair[1].base}/api/v1/partnerships/1/", headers=token)
        assert answer.status == 200
        latencies.append(answer.seconds)

    for _ in range(40):
        probe()
        time.sleep(0.05)
    floor = percentile(latencies, 0.9)
    latencies.clear()

    # 1. A 20,000-row file through the admin: the preview in the request, the import on the worker.
    lines = ["a_name,a_country,b_name,b_country,established"]
    lines += [f"Importville {n},US,Importstadt {n},DE,{1950 + n % 70}" for n in range(IMPORT_ROWS)]
    browser = admin_browser(server_pair[0])
    page = browser.request("/admin/partnerships/import/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body.decode())
    assert csrf is not None
    body, content_type = multipart(
        {"csrfmiddlewaretoken": csrf.group(1), "step": "preview", "source": "https://example.org/scale-test"},
        {"file": ("scale.csv", ("\n".join(lines) + "\n").encode())},
    )
    preview = browser.request("/admin/partnerships/import/", raw=(body, content_type))
    assert preview.status == 200, preview.body[:500]
    text = preview.body.decode()
    assert f"{IMPORT_ROWS} rows: {IMPORT_ROWS} partnerships to create" in text, text[:3000]
    upload_token = re.search(r'name="token" value="([^"]+)"', text)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
    assert upload_token is not None and csrf is not None
    confirmed = browser.request(
        "/admin/partnerships/import/",
        form={"csrfmiddlewaretoken": csrf.group(1), "step": "confirm", "token": upload_token.group(1)},
    )
    assert confirmed.status == 302 and "/admin/partnerships/job/" in confirmed.headers["Location"]
    job_id = int(confirmed.headers["Location"].rstrip("/").split("/")[-2])
    started = time.monotonic()
    assert wait_for_job(migrated, job_id, probe, timeout=300) == "succeeded"
    import_seconds = time.monotonic() - started
    assert migrated.sql(
        "SELECT count(*) FROM partnerships_partnership p JOIN partnerships_locality a "
        "ON a.id = p.locality_a_id WHERE a.name LIKE 'Importville %'"
    ) == str(IMPORT_ROWS)
    job_page = browser.request(f"/admin/partnerships/job/{job_id}/change/").body.decode()
    assert f"Imported: {IMPORT_ROWS} rows" in job_page

    # 2. The registry grown to EXPORT_ROWS partnerships (by SQL: fast), then the full export.
    have = int(migrated.sql("SELECT count(*) FROM partnerships_partnership"))
    if have < EXPORT_ROWS:
        side = int((EXPORT_ROWS - have) ** 0.5) + 1
        migrated.sql(
            "INSERT INTO partnerships_locality (created_at, updated_at, name, native_name, kind, country, "
            "subdivision, latitude, longitude, wikidata_id, description, name_key, native_name_key, "
            "identity_key, coordinates_check) "
            f"SELECT now(), now(), c || ' Scale ' || g, '', 'city', c, '', 40 + g / 1000.0, 2 + g / 1000.0, '', '', "
            f"lower(c) || ' scale ' || g, '', lower(c) || ' scale ' || g, '' FROM generate_series(1, {side}) g, (VALUES ('GB'), ('IT')) AS v(c)"
        )
        migrated.sql(
            "INSERT INTO partnerships_partnership (created_at, updated_at, level, established_on, "
            "established_precision, description, current_status, current_status_since, "
            "current_status_since_precision, locality_a_id, locality_b_id, current_status_reported, "
            "current_status_reported_precision, is_internal_record) "
            "SELECT now(), now(), 'sister_city', NULL, '', '', 'active', DATE '2001-01-01', 'year', a.id, b.id, "
            "NULL, '', false FROM partnerships_locality a JOIN partnerships_locality b "
            "ON a.name LIKE 'GB Scale %' AND b.name LIKE 'IT Scale %' "
            f"LIMIT {EXPORT_ROWS - have}"
        )
        migrated.sql("ANALYZE")
    total = int(migrated.sql("SELECT count(*) FROM partnerships_partnership"))
    assert total >= EXPORT_ROWS
    url = f"{server_pair[0].base}/exports/partnerships.csv"
    first = http(url)
    if first.status == 503:  # nothing published yet: the request queued the export
        assert first.headers["Retry-After"]
    export_job = int(migrated.sql("SELECT max(id) FROM partnerships_job WHERE kind = 'export'"))
    started = time.monotonic()
    assert wait_for_job(migrated, export_job, probe, timeout=900) == "succeeded"
    export_seconds = time.monotonic() - started
    served = http(url, timeout=120)
    assert served.status == 200 and served.headers["ETag"]
    assert served.body.count(b"\n") == total + 1
    assert http(url, headers={"If-None-Match": served.headers["ETag"]}).status == 304

    p90 = percentile(latencies, 0.9)
    limit = max(LATENCY_LIMIT, 2 * floor)
    print(
        f"\nimport of {IMPORT_ROWS} rows: {import_seconds:.1f} s; export of {total} rows: {export_seconds:.1f} s; "
        f"/api/v1/partnerships/1/ before: 90th percentile {floor * 1000:.0f} ms; meanwhile: {len(latencies)} "
        f"requests, median {statistics.median(latencies) * 1000:.0f} ms, 90th percentile {p90 * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms"
    )
    assert p90 < limit, (
        f"90th percentile {p90 * 1000:.0f} ms while the jobs ran (limit {limit * 1000:.0f} ms)"
    )
