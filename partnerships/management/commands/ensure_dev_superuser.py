"""manage.py ensure_dev_superuser: in development only, create the admin/admin superuser if none exists."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"
PASSWORD = "admin"  # development only: the command refuses to run with DEBUG off


class Command(BaseCommand):
    help = (
        "Development only: create an admin/admin superuser if there is no superuser, and say how to log in."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1:8000", help="Where the server will listen.")

    def handle(self, *args, host, **options):
        if not settings.DEBUG:
            raise CommandError("ensure_dev_superuser is for development only (DJANGO_DEBUG is off).")
        users = get_user_model().objects
        if not users.filter(is_superuser=True).exists():
            users.create_superuser(USERNAME, email="", password=PASSWORD)
            self.stdout.write(f"Created the development superuser {USERNAME!r}.")
        if users.filter(username=USERNAME, is_superuser=True).exists() and users.get(
            username=USERNAME
        ).check_password(PASSWORD):
            login = f"user {USERNAME!r}, password {PASSWORD!r} (development only)"
        else:
            login = "your superuser account (make superuser creates another)"
        self.stdout.write(
            self.style.SUCCESS(f"The registry: http://{host}/  —  admin: http://{host}/admin/ as {login}")
        )
