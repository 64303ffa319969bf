"""Corrections from readers: the form for a partnership or a locality (rate-limited per
address, bots silently dropped) and the thanks page after it."""

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods

from registry.clients import client_ip

from .. import services
from ..models import Locality, Partnership
from ..public_forms import CorrectionForm


def _correction_target(kind: str, pk: int) -> Partnership | Locality:
    """The partnership or locality a correction is about."""
    if kind == "partnership":
        return get_object_or_404(Partnership.objects.with_parties(), pk=pk)
    if kind == "locality":
        return get_object_or_404(Locality, pk=pk)
    raise Http404("Corrections are for partnerships and localities.")


def _correction_limit() -> tuple[int, int]:
    """(submissions, seconds): how many suggestions one address may send in a window."""
    return settings.CORRECTIONS_PER_IP, settings.CORRECTIONS_WINDOW_SECONDS


def _client_key(request) -> str:
    # X-Forwarded-For only as far as NUM_PROXIES trusts it: a client can write any it likes.
    return f"corrections:{client_ip(request)}"


def _over_limit(request) -> bool:
    limit, _window = _correction_limit()
    return cache.get(_client_key(request), 0) >= limit


def _count_submission(request) -> None:
    _limit, window = _correction_limit()
    key = _client_key(request)
    # add() starts the window only if none is running, so the window is fixed, not sliding.
    cache.add(key, 0, timeout=window)
    try:
        cache.incr(key)
    except ValueError:  # the window expired between add() and incr()
        cache.set(key, 1, timeout=window)


@require_http_methods(["GET", "POST"])
def correction_create(request, kind, pk):
    target = _correction_target(kind, pk)
    limit, window = _correction_limit()
    if request.method == "POST":
        if _over_limit(request):
            # The form again, with what the reader typed, under the limit's message: a 429
            # must not throw their text away.
            response = render(
                request,
                "partnerships/correction_limited.html",
                {
                    "form": CorrectionForm(request.POST),
                    "target": target,
                    "kind": kind,
                    "limit": limit,
                    "window_minutes": window // 60,
                },
                status=429,
            )
            response["Retry-After"] = str(window)
            return response
        form = CorrectionForm(request.POST)
        if form.is_valid():
            _count_submission(request)
            if not form.is_from_a_bot():
                services.submit_correction(
                    partnership=target if isinstance(target, Partnership) else None,
                    locality=target if isinstance(target, Locality) else None,
                    message=form.cleaned_data["message"],
                    source_url=form.cleaned_data["source_url"],
                    contact=form.cleaned_data["contact"],
                )
            thanks = reverse("partnerships:correction-thanks")
            return redirect(f"{thanks}?{urlencode({'back': target.get_absolute_url()})}")
    else:
        form = CorrectionForm()
    return render(
        request,
        "partnerships/correction_form.html",
        {"form": form, "target": target, "kind": kind},
    )


@require_GET
def correction_thanks(request):
    back = request.GET.get("back", "")
    if not (
        back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
    ):
        back = ""
    return render(request, "partnerships/correction_thanks.html", {"back": back})
