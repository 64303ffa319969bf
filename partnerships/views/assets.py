"""Files browsers ask for by a fixed path: /favicon.ico."""

from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.http import require_GET


@require_GET
def favicon(request):
    """/favicon.ico, which browsers ask for whatever the page links: the SVG icon base.html
    links to (a redirect, so the static files' cache-busting names apply)."""
    return redirect(static("partnerships/favicon.svg"))
