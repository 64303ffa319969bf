"""Shared users and clients: a staff editor, a read-only staff viewer and anonymous."""

import pytest
from django.contrib.auth.models import Permission

EDITOR_ACTIONS = ("view", "add", "change")


def _user(django_user_model, username, *, actions, is_staff=True):
    user = django_user_model.objects.create_user(
        username=username, password="pw-for-tests-only", is_staff=is_staff
    )
    perms = Permission.objects.filter(
        content_type__app_label="partnerships", codename__regex=rf"^({'|'.join(actions)})_"
    )
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
