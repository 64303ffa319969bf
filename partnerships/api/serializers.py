"""Serializers of the public API, v1.

Output serializers are read-only and shape exactly what the contract promises; input
serializers (the ``*Input`` classes) only parse and check request bodies: the writes
themselves go through ``partnerships.services``, like the admin's.
"""

from django.urls import reverse
from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..dates import DatePrecision, PartialDate
from ..models import (
    Activity,
    Citation,
    FocusArea,
    Locality,
    Organization,
    Partnership,
    ReportedFigure,
    Source,
    StatusEvent,
)

# --------------------------------------------------------------------------- helpers


class PartialDateSerializer(serializers.Serializer):
    """A date with its precision: ``{"date": "2002-07-01", "precision": "month"}``. The date
    is the first day of its period; ``date`` and ``precision`` are null when unknown."""

    date = serializers.DateField(allow_null=True)
    precision = serializers.ChoiceField(choices=DatePrecision.choices, allow_null=True)


def partial_date(date, precision) -> dict:
    if date is None:
        return {"date": None, "precision": None}
    return {"date": date.isoformat(), "precision": precision or DatePrecision.DAY}


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


# drf-spectacular cannot see through a custom Field: tell it the shape.
PartialDateOutField = extend_schema_field(PartialDateSerializer)(PartialDateOutField)


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


ApiUrlField = extend_schema_field(OpenApiTypes.URI)(ApiUrlField)


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
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For 400: the messages for each bad parameter or field, by its name.",
    )


# --------------------------------------------------------------- small references


class LocalityRefSerializer(serializers.ModelSerializer):
    url = ApiUrlField("api:locality-detail")

    class Meta:
        model = Locality
        fields = ["id", "name", "country", "kind", "url"]


class OrganizationRefSerializer(serializers.ModelSerializer):
    url = ApiUrlField("api:organization-detail")

    class Meta:
        model = Organization
        fields = ["id", "name", "abbreviation", "url"]


class FocusAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = FocusArea
        fields = ["slug", "name"]


class SourceRefSerializer(serializers.ModelSerializer):
    """A source as a citation names it. ``url`` is the document's own address."""

    published = PartialDateOutField("published_on", "published_precision")
    api_url = ApiUrlField("api:source-detail")
    url = OptionalURLField(help_text="The document's own address; null when it has none.")

    class Meta:
        model = Source
        fields = ["id", "title", "publisher", "url", "published", "api_url"]


class CitationSerializer(serializers.ModelSerializer):
    source = SourceRefSerializer()

    class Meta:
        model = Citation
        fields = ["source", "quote", "locator"]


# ------------------------------------------------------------------- partnerships


class PartnershipSerializer(serializers.ModelSerializer):
    """A partnership in a list. ``status`` and ``status_since`` are as of the ``as_of``
    date when one is given, else current; null when unknown."""

    url = ApiUrlField("api:partnership-detail")
    html_url = ApiUrlField("partnerships:partnership-detail")
    kind = serializers.CharField(source="level", read_only=True)
    localities = serializers.SerializerMethodField()
    established = PartialDateOutField("established_on", "established_precision")
    status = serializers.SerializerMethodField()
    status_since = PartialDateOutField("status_since", "status_since_precision")
    organizations = OrganizationRefSerializer(many=True, read_only=True)
    focus_areas = FocusAreaSerializer(many=True, read_only=True)

    class Meta:
        model = Partnership
        fields = [
            "id",
            "url",
            "html_url",
            "kind",
            "localities",
            "established",
            "status",
            "status_since",
            "organizations",
            "focus_areas",
            "updated_at",
        ]

    @extend_schema_field(LocalityRefSerializer(many=True))
    def get_localities(self, obj):
        return LocalityRefSerializer([obj.locality_a, obj.locality_b], many=True, context=self.context).data

    @extend_schema_field(serializers.ChoiceField(choices=Partnership.Status.choices, allow_null=True))
    def get_status(self, obj) -> str | None:
        return getattr(obj, "status", None) or None


class StatusEventSerializer(serializers.ModelSerializer):
    date = PartialDateOutField("effective_on", "effective_precision")
    declaring_organization = OrganizationRefSerializer(read_only=True, allow_null=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = StatusEvent
        fields = [
            "id",
            "status",
            "date",
            "note",
            "declared_by",
            "declaring_organization",
            "is_internal_record",
            "citations",
        ]


class ActivitySerializer(serializers.ModelSerializer):
    date = PartialDateOutField("occurred_on", "occurred_precision")
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = Activity
        fields = ["id", "kind", "date", "is_planned", "description", "citations"]


class PartnershipDetailSerializer(PartnershipSerializer):
    events = StatusEventSerializer(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)
    activities = ActivitySerializer(many=True, read_only=True)

    class Meta(PartnershipSerializer.Meta):
        fields = [
            *PartnershipSerializer.Meta.fields,
            "description",
            "events",
            "citations",
            "activities",
            "created_at",
        ]


# --------------------------------------------------------------------- localities


class LocalitySerializer(serializers.ModelSerializer):
    url = ApiUrlField("api:locality-detail")
    html_url = ApiUrlField("partnerships:locality-detail")
    latitude = serializers.FloatField(read_only=True, allow_null=True)
    longitude = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = Locality
        fields = [
            "id",
            "url",
            "html_url",
            "name",
            "native_name",
            "kind",
            "country",
            "subdivision",
            "parent",
            "latitude",
            "longitude",
            "wikidata_id",
            "updated_at",
        ]


class AliasSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField()
    language = serializers.CharField()
    valid_from = PartialDateOutField("valid_from", "valid_from_precision")
    valid_to = PartialDateOutField("valid_to", "valid_to_precision")


class LocalityPartnershipSerializer(serializers.ModelSerializer):
    """One of a locality's partnerships, from that locality's side."""

    url = ApiUrlField("api:partnership-detail")
    kind = serializers.CharField(source="level", read_only=True)
    partner = serializers.SerializerMethodField()
    established = PartialDateOutField("established_on", "established_precision")
    status = serializers.SerializerMethodField()
    status_since = PartialDateOutField("current_status_since", "current_status_since_precision")

    class Meta:
        model = Partnership
        fields = ["id", "url", "kind", "partner", "established", "status", "status_since"]

    @extend_schema_field(LocalityRefSerializer)
    def get_partner(self, obj):
        me = self.context["locality"]
        other = obj.locality_b if obj.locality_a_id == me.pk else obj.locality_a
        return LocalityRefSerializer(other, context=self.context).data

    @extend_schema_field(serializers.ChoiceField(choices=Partnership.Status.choices, allow_null=True))
    def get_status(self, obj) -> str | None:
        return obj.current_status or None


class LocalityDetailSerializer(LocalitySerializer):
    aliases = AliasSerializer(many=True, read_only=True)
    partnerships = serializers.SerializerMethodField()
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(LocalitySerializer.Meta):
        fields = [*LocalitySerializer.Meta.fields, "description", "aliases", "partnerships", "citations"]

    @extend_schema_field(LocalityPartnershipSerializer(many=True))
    def get_partnerships(self, obj):
        context = {**self.context, "locality": obj}
        return LocalityPartnershipSerializer(obj.api_partnerships, many=True, context=context).data


# ------------------------------------------------------------------ organizations


class OrganizationSerializer(serializers.ModelSerializer):
    url = ApiUrlField("api:organization-detail")
    html_url = ApiUrlField("partnerships:organization-detail")
    website = OptionalURLField(source="url")
    partnerships_url = serializers.SerializerMethodField(
        help_text="The partnership list filtered to the partnerships it facilitates."
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            "url",
            "html_url",
            "name",
            "abbreviation",
            "kind",
            "country",
            "website",
            "partnerships_url",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_partnerships_url(self, obj) -> str:
        path = f"{reverse('api:partnership-list')}?organization={obj.pk}"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class OrganizationDetailSerializer(OrganizationSerializer):
    class Meta(OrganizationSerializer.Meta):
        fields = [*OrganizationSerializer.Meta.fields, "description"]


# ------------------------------------------------------------------------ sources


class CitedClaimSerializer(serializers.ModelSerializer):
    """What a citation supports: its kind, the claim's id and the partnership it concerns."""

    claim = serializers.SerializerMethodField()
    claim_id = serializers.SerializerMethodField()
    partnership = serializers.SerializerMethodField()

    class Meta:
        model = Citation
        fields = ["claim", "claim_id", "partnership", "quote", "locator"]

    @extend_schema_field(serializers.ChoiceField(choices=[(t, t) for t in Citation.TARGETS]))
    def get_claim(self, obj) -> str:
        return next(name for name in Citation.TARGETS if getattr(obj, f"{name}_id"))

    def get_claim_id(self, obj) -> int:
        return next(getattr(obj, f"{name}_id") for name in Citation.TARGETS if getattr(obj, f"{name}_id"))

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_partnership(self, obj) -> int | None:
        if obj.partnership_id:
            return obj.partnership_id
        if obj.status_event_id:
            return obj.status_event.partnership_id
        if obj.activity_id:
            return obj.activity.partnership_id
        return None


class SourceSerializer(serializers.ModelSerializer):
    api_url = ApiUrlField("api:source-detail")
    html_url = ApiUrlField("partnerships:source-detail")
    published = PartialDateOutField("published_on", "published_precision")
    url = OptionalURLField(help_text="The document's own address; null when it has none.")
    archived_url = OptionalURLField(help_text="A copy in a web archive; null when there is none.")
    cited_by = CitedClaimSerializer(source="citations", many=True, read_only=True)

    class Meta:
        model = Source
        fields = [
            "id",
            "api_url",
            "html_url",
            "title",
            "publisher",
            "author",
            "published",
            "url",
            "archived_url",
            "accessed_on",
            "language",
            "kind",
            "notes",
            "updated_at",
            "cited_by",
        ]


# ---------------------------------------------------------------- reported figures


class ReportedFigureSerializer(serializers.ModelSerializer):
    url = ApiUrlField("api:reported-figure-detail")
    as_of = PartialDateOutField("as_of", "as_of_precision")
    organization = OrganizationRefSerializer(read_only=True, allow_null=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = ReportedFigure
        fields = [
            "id",
            "url",
            "count",
            "qualifier",
            "measure",
            "country_a",
            "country_b",
            "status",
            "as_of",
            "organization",
            "description",
            "citations",
            "updated_at",
        ]


# -------------------------------------------------------------------------- stats


class StatsGroupSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The country code, status or kind.")
    label = serializers.CharField()
    count = serializers.IntegerField()
    by_status = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Counts per status (as of the as_of date, if given); `unknown` for no known status.",
    )


class StatsSerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=["country", "status", "kind"])
    as_of = serializers.DateField(allow_null=True)
    total = serializers.IntegerField(help_text="The registry's own count of partnerships in scope.")
    by_status = serializers.DictField(child=serializers.IntegerField())
    groups = StatsGroupSerializer(many=True)
    reported_figures = ReportedFigureSerializer(many=True, help_text="What sources say for the same scope.")


# ---------------------------------------------------------------------- changes


class ChangeSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=["partnership", "locality", "organization", "source", "reported_figure"]
    )
    id = serializers.IntegerField()
    action = serializers.ChoiceField(choices=["created", "updated", "deleted"])
    changed_at = serializers.DateTimeField()
    deleted_at = serializers.DateTimeField(required=False, help_text="Tombstones only.")
    url = serializers.URLField(allow_null=True, help_text="Where to fetch the record now; null when deleted.")


class ChangePageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="More changes are ready now; null when caught up.")
    cursor = serializers.CharField(help_text="Pass as `since` to continue after the last change shown.")
    results = ChangeSerializer(many=True)


# --------------------------------------------------------------------------- input


class PartialDateInputField(serializers.CharField):
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: the precision follows the form."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            return PartialDate.parse(text)
        except ValueError:
            raise serializers.ValidationError(
                f"“{text}” is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD."
            ) from None


class NewSourceInput(serializers.Serializer):
    title = serializers.CharField(max_length=500)
    publisher = serializers.CharField(max_length=200, required=False, default="")
    author = serializers.CharField(max_length=200, required=False, default="")
    published = PartialDateInputField(required=False, allow_null=True, default=None)
    url = serializers.URLField(max_length=1000, required=False, default="")
    language = serializers.CharField(max_length=16, required=False, default="en")
    kind = serializers.ChoiceField(
        choices=Source.Kind.choices, required=False, default=Source.Kind.NEWS_ARTICLE
    )


class CitationInput(serializers.Serializer):
    """Cite an existing source by id (``source_id``) or describe a new one (``source``)."""

    source_id = serializers.PrimaryKeyRelatedField(queryset=Source.objects.all(), required=False)
    source = NewSourceInput(required=False)
    quote = serializers.CharField(help_text="The source's exact words that support the claim.")
    locator = serializers.CharField(max_length=200, required=False, default="")

    def validate(self, attrs):
        if ("source_id" in attrs) == ("source" in attrs):
            raise serializers.ValidationError(
                "Give either source_id (an existing source) or source (a new one)."
            )
        return attrs


class PartnershipInput(serializers.Serializer):
    locality_a = serializers.PrimaryKeyRelatedField(queryset=Locality.objects.all())
    locality_b = serializers.PrimaryKeyRelatedField(queryset=Locality.objects.all())
    kind = serializers.ChoiceField(choices=Partnership.Level.choices, default=Partnership.Level.SISTER_CITY)
    established = PartialDateInputField(required=False, allow_null=True, default=None)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    organizations = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), many=True, required=False, default=list
    )
    focus_areas = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list
    )
    citations = CitationInput(many=True, required=False, default=list)

    def validate_focus_areas(self, names):
        # A focus area is found by the slug of its name: a name without letters or digits has none.
        unnamed = [name for name in names if not slugify(name)]
        if unnamed:
            raise serializers.ValidationError(f"“{unnamed[0]}” is not a name: use letters or digits.")
        return names


class StatusEventInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=Partnership.Status.choices)
    date = PartialDateInputField(help_text="When it took effect: YYYY, YYYY-MM or YYYY-MM-DD.")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    declared_by = serializers.ChoiceField(
        choices=StatusEvent.DeclaredBy.choices, required=False, allow_blank=True, default=""
    )
    declaring_organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True, default=None
    )
    citations = CitationInput(many=True, required=False, default=list)
    internal_record = serializers.BooleanField(
        required=False,
        default=False,
        help_text="A change staff know of without a citable source; flagged for review.",
    )
