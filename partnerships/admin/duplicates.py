"""The duplicate review queue and the merge of two localities, for staff.

- **Duplicates** (``…/locality/duplicates/``): likely duplicate localities and likely
  duplicate partnerships (partnerships.duplicates), each pair with "Not a duplicate"
  (remembered: services.mark_not_duplicate) and, for localities, "Merge…".
- **Merge** (``…/locality/merge/?source=B&target=A``, also the locality list's action
  "Merge the two selected localities"): what the merge would do — the partnerships that
  move, those that fold into one already recorded and their conflicts, what stops it —
  then, confirmed, services.merge_localities."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from .. import services
from ..duplicates import likely_duplicate_localities, likely_duplicate_partnerships
from ..models import Locality, Partnership


def _may_curate(request: HttpRequest) -> bool:
    return request.user.has_perm("partnerships.change_locality") and request.user.has_perm(
        "partnerships.change_partnership"
    )


def _render(
    model_admin: ModelAdmin, request: HttpRequest, template: str, context: dict[str, Any]
) -> HttpResponse:
    return TemplateResponse(
        request,
        template,
        {**model_admin.admin_site.each_context(request), "opts": model_admin.opts, **context},
    )


def duplicates_view(model_admin: ModelAdmin, request: HttpRequest) -> HttpResponse:
    if not _may_curate(request):
        raise PermissionDenied
    if request.method == "POST":
        model = {"locality": Locality, "partnership": Partnership}.get(request.POST.get("kind", ""))
        if model is None:
            raise PermissionDenied
        first = get_object_or_404(model, pk=request.POST.get("first"))
        second = get_object_or_404(model, pk=request.POST.get("second"))
        try:
            services.mark_not_duplicate(first=first, second=second, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"“{first}” and “{second}” are kept apart; the queue will not offer them again."
            )
        return HttpResponseRedirect(request.get_full_path())
    return _render(
        model_admin,
        request,
        "admin/partnerships/duplicates.html",
        {
            "title": "Likely duplicates",
            "localities": likely_duplicate_localities(),
            "partnerships": likely_duplicate_partnerships(),
            "merge_url": reverse("admin:partnerships_locality_merge"),
        },
    )


def merge_view(model_admin: ModelAdmin, request: HttpRequest) -> HttpResponse:
    if not _may_curate(request):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else request.GET
    source = get_object_or_404(Locality, pk=data.get("source"))
    target = get_object_or_404(Locality, pk=data.get("target"))
    plan = services.plan_merge(source=source, target=target)
    if request.method == "POST" and data.get("confirm") == "yes":
        try:
            services.merge_localities(source=source, target=target, confirm_conflicts=True)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"Merged {source} into {target}: {len(plan.moved)} partnership(s) moved, "
                f"{len(plan.folds)} folded into one already recorded.",
            )
            return HttpResponseRedirect(reverse("admin:partnerships_locality_change", args=[target.pk]))
    return _render(
        model_admin,
        request,
        "admin/partnerships/merge.html",
        {"title": f"Merge {source} into {target}", "plan": plan, "source": source, "target": target},
    )


def merge_selected(model_admin: ModelAdmin, request: HttpRequest, queryset: Any) -> HttpResponse | None:
    """The list action: two localities selected, the later one merged into the earlier."""
    chosen = list(queryset.order_by("pk")[:3])
    if len(chosen) != 2:
        model_admin.message_user(request, "Select exactly two localities to merge.", messages.WARNING)
        return None
    target, source = chosen
    url = reverse("admin:partnerships_locality_merge")
    return HttpResponseRedirect(f"{url}?source={source.pk}&target={target.pk}")
