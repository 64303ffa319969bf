"""Building blocks of the serializers: partial dates, URLs of records, and the shape of
every error."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...dates import DatePrecision


class PartialDateSerializer(serializers.Serializer):
    """A date with its precision: ``{"date": "2002-07-01", "precision": "month"}``. The date
    is the first day of its period; ``date`` and ``precision`` are null when unknown."""

    date = serializers.DateField(allow_null=True)
    precision = serializers.ChoiceField(choices=DatePrecision.choices, allow_null=True)


def partial_date(date, precision) -> dict:
    if date is None:
        return {"date": None, "precision": None}
    return {"date": date.isoformat(), "precision": precision or DatePrecision.DAY}


@extend_schema_field(PartialDateSerializer)  # drf-spectacular cannot see through a custom Field
class PartialDateOutField(serializers.Field):
    """Reads ``<prefix>`` and ``<prefix>_precision`` style attribute pairs."""

    def __init__(self, date_attr: str, precision_attr: str, **kwargs):
        self.date_attr = date_attr
        self.precision_attr = precision_attr
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, obj):
        return partial_date(getattr(obj, self.date_attr, None), getattr(obj, self.precision_attr, None))


@extend_schema_field(OpenApiTypes.URI)
class ApiUrlField(serializers.Field):
    """The absolute URL of a record's API endpoint (or its public page)."""

    def __init__(self, view_name: str, pk_attr: str = "pk", **kwargs):
        self.view_name = view_name
        self.pk_attr = pk_attr
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, obj):
        pk = getattr(obj, self.pk_attr)
        path = reverse(self.view_name, kwargs={"pk": pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class OptionalURLField(serializers.URLField):
    """A URL the record may not have: null rather than an empty string, which is no URL."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value or None


class ErrorSerializer(serializers.Serializer):
    """Every error of the API has this shape."""

    status = serializers.IntegerField(help_text="The HTTP status code, repeated.")
    detail = serializers.CharField(help_text="What went wrong, in a sentence.")
    # The error body's ``errors`` is also the name of Serializer.errors (never used here:
    # this serializer only documents the shape).
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For 400: the messages for each bad parameter or field, by its name.",
    )
