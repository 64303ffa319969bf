"""Page-number pagination whose parameters are validated like every other one: a bad
``page`` or ``page_size`` is a 400 naming the parameter, not a silent default."""

from collections import OrderedDict

from django.core.paginator import InvalidPage
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


def _positive_int(request, name: str, *, maximum: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    message = f"Give a whole number from 1 to {maximum}." if maximum else "Give a whole number from 1."
    # Only plain ASCII digits: int() would also take " 7", "+7", "7_0" and Arabic-Indic digits.
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise ValidationError({name: [message]})
    value = int(raw)
    if value < 1 or (maximum is not None and value > maximum):
        raise ValidationError({name: [message]})
    return value


class ApiPagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_size_query_description = f"Results per page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE})."
    page_query_description = "Page number, from 1. A page past the last one is a 404."

    def get_page_size(self, request):
        return _positive_int(request, self.page_size_query_param, maximum=MAX_PAGE_SIZE) or self.page_size

    def paginate_queryset(self, queryset, request, view=None, count=None):
        """``count``: the number of rows when the caller knows it more cheaply than
        ``queryset.count()`` (the partnership list's index count)."""
        page_size = self.get_page_size(request)
        number = _positive_int(request, self.page_query_param) or 1
        paginator = self.django_paginator_class(queryset, page_size)
        if count is not None:
            paginator.count = count  # Paginator.count is a cached property
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            raise NotFound(f"There is no page {number}: the last page is {paginator.num_pages}.") from None
        self.request = request
        return list(self.page)

    def get_paginated_response(self, data):
        assert self.page is not None, "paginate_queryset() sets the page first"
        return Response(
            OrderedDict(
                [
                    ("count", self.page.paginator.count),
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("results", data),
                ]
            )
        )
