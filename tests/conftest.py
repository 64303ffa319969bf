"""Shared users and clients: a staff editor, a read-only staff viewer and anonymous."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission

EDITOR_ACTIONS = ("view", "add", "change")


def _user(django_user_model, username, *, actions, is_staff=True):
    user = django_user_model.objects.create_user(
        username=username, password="pw-for-tests-only", is_staff=is_staff
    )
    # Not the historical models' permissions: changing those is restoring old versions,
    # which only the Reviewers group may do.
    perms = Permission.objects.filter(
        content_type__app_label="partnerships", codename__regex=rf"^({'|'.join(actions)})_"
    ).exclude(codename__contains="historical")
    user.user_permissions.set(perms)
    return user


@pytest.fixture
def staff_editor(db, django_user_model):
    return _user(django_user_model, "editor", actions=EDITOR_ACTIONS)


@pytest.fixture
def viewer(db, django_user_model):
    return _user(django_user_model, "viewer", actions=("view",))


@pytest.fixture
def non_staff_user(db, django_user_model):
    return _user(django_user_model, "public", actions=(), is_staff=False)


@pytest.fixture
def editor_client(client, staff_editor):
    client.force_login(staff_editor)
    return client


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def anonymous_client(client):
    return client


@pytest.fixture
def seed(db, django_db_blocker):
    """The seed fixtures, loaded into the test database."""
    from django.core.management import call_command

    call_command("loaddata", "seed", verbosity=0)


# ----------------------------------------------------------------- browser tests
# Real Chromium (Debian's package) driven by Playwright against pytest-django's live
# server. `make test` and .ci/run install Chromium when it is missing, so these tests
# fail loudly rather than skip.

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The machines have no outside network: without these Chromium keeps trying to reach Google.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# .ci/run sets TEST_RESULTS_DIR per database, since it runs both suites at once.
OUTPUT_ROOT = Path(__file__).resolve().parent.parent / os.environ.get("TEST_RESULTS_DIR", "test-results")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (it installs Debian's chromium package).")
    # Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
    # make around it are still synchronous, so Django's async guard does not apply.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def output_dir(request) -> Path:
    """test-results/<module>/<test>/: where a test saves its screenshots."""
    path = OUTPUT_ROOT / request.node.module.__name__.split(".")[-1] / request.node.name
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab (no cookies) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(autouse=True)
def jobs_in_process(settings, tmp_path_factory):
    """Background jobs run in the test's own process, at once (django-tasks' immediate
    backend), with their files in a folder of the test's own. The real queue (the database
    backend and a real ``db_worker`` process) is tested in tests/test_scale_out.py."""
    root = tmp_path_factory.mktemp("jobs")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.JOBS_DIR = root / "jobs"
    settings.PUBLISHED_EXPORTS_DIR = root / "exports"
