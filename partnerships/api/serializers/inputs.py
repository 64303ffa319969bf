"""Request bodies: they only parse and check; the writes themselves go through
``partnerships.services``, like the admin's."""

from django.utils.text import slugify
from rest_framework import serializers

from ...dates import PartialDate
from ...models import Locality, Organization, Partnership, Source, StatusEvent


class StrictCharField(serializers.CharField):
    """Text, and only text: DRF's CharField would take a number or a boolean and turn it
    into text, which the schema (``type: string``) does not allow."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """true or false: DRF's BooleanField would also take "yes", 1 or "on"."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A record's id as a JSON integer: DRF's field would also take "5" or true."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class PartialDateInputField(StrictCharField):
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
    title = StrictCharField(max_length=500)
    publisher = StrictCharField(max_length=200, required=False, default="")
    author = StrictCharField(max_length=200, required=False, default="")
    published = PartialDateInputField(required=False, allow_null=True, default=None)
    url = serializers.URLField(max_length=1000, required=False, default="")
    language = StrictCharField(max_length=16, required=False, default="en")
    kind = serializers.ChoiceField(
        choices=Source.Kind.choices, required=False, default=Source.Kind.NEWS_ARTICLE
    )


class CitationInput(serializers.Serializer):
    """Cite an existing source by id (``source_id``) or describe a new one (``source``)."""

    source_id = StrictPrimaryKeyRelatedField(queryset=Source.objects.all(), required=False)
    # ``source`` is also the name of Field's own argument: the stubs type it as that.
    source = NewSourceInput(required=False)  # type: ignore[assignment]
    quote = StrictCharField(help_text="The source's exact words that support the claim.")
    locator = StrictCharField(max_length=200, required=False, default="")

    def validate(self, attrs):
        if ("source_id" in attrs) == ("source" in attrs):
            raise serializers.ValidationError(
                "Give either source_id (an existing source) or source (a new one)."
            )
        return attrs


class PartnershipInput(serializers.Serializer):
    locality_a = StrictPrimaryKeyRelatedField(queryset=Locality.objects.all())
    locality_b = StrictPrimaryKeyRelatedField(queryset=Locality.objects.all())
    kind = serializers.ChoiceField(choices=Partnership.Level.choices, default=Partnership.Level.SISTER_CITY)
    established = PartialDateInputField(required=False, allow_null=True, default=None)
    description = StrictCharField(required=False, allow_blank=True, default="")
    organizations = StrictPrimaryKeyRelatedField(
        queryset=Organization.objects.all(), many=True, required=False, default=list
    )
    focus_areas = serializers.ListField(child=StrictCharField(max_length=100), required=False, default=list)
    citations = CitationInput(many=True, required=False, default=list)
    internal_record = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "A partnership staff know of without a citable source: then give no citations; it is "
            "flagged for review. Without it, at least one citation is required."
        ),
    )

    def validate_focus_areas(self, names):
        # A focus area is found by the slug of its name: a name without letters or digits has none.
        unnamed = [name for name in names if not slugify(name)]
        if unnamed:
            raise serializers.ValidationError(f"“{unnamed[0]}” is not a name: use letters or digits.")
        return names


class StatusEventInput(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=StatusEvent.Kind.choices,
        required=False,
        default=StatusEvent.Kind.CHANGE,
        help_text=(
            "change (default): the status took effect on the date; attestation: a source reports "
            "the status on the date, which must agree with the timeline then."
        ),
    )
    status = serializers.ChoiceField(choices=Partnership.Status.choices)
    date = PartialDateInputField(help_text="When it took effect: YYYY, YYYY-MM or YYYY-MM-DD.")
    note = StrictCharField(required=False, allow_blank=True, default="")
    declared_by = serializers.ChoiceField(
        choices=StatusEvent.DeclaredBy.choices, required=False, allow_blank=True, default=""
    )
    declaring_organization = StrictPrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True, default=None
    )
    citations = CitationInput(many=True, required=False, default=list)
    internal_record = StrictBooleanField(
        required=False,
        default=False,
        help_text="A change staff know of without a citable source; flagged for review.",
    )


class PartnershipPatchInput(serializers.Serializer):
    """A partnership's own fields to change (PATCH): each one given replaces the stored
    value, the others are kept. The parties are not changed here (a different pair is a
    different partnership), nor the status, which follows the status events."""

    kind = serializers.ChoiceField(choices=Partnership.Level.choices, required=False)
    established = PartialDateInputField(
        required=False, allow_null=True, help_text="YYYY, YYYY-MM or YYYY-MM-DD; null clears it."
    )
    description = StrictCharField(required=False, allow_blank=True)
    organizations = StrictPrimaryKeyRelatedField(
        queryset=Organization.objects.all(), many=True, required=False, help_text="Replaces the list."
    )
    focus_areas = serializers.ListField(
        child=StrictCharField(max_length=100), required=False, help_text="Replaces the list."
    )

    validate_focus_areas = PartnershipInput.validate_focus_areas


class StatusEventPatchInput(serializers.Serializer):
    """A status event's fields to correct (PATCH): each one given replaces the stored
    value; the timeline must still make sense afterwards. ``declared_by`` and
    ``declaring_organization`` are replaced together when either is given. Citations are
    added and removed in the admin."""

    kind = serializers.ChoiceField(choices=StatusEvent.Kind.choices, required=False)
    status = serializers.ChoiceField(choices=Partnership.Status.choices, required=False)
    date = PartialDateInputField(required=False, help_text="YYYY, YYYY-MM or YYYY-MM-DD.")
    note = StrictCharField(required=False, allow_blank=True)
    declared_by = serializers.ChoiceField(
        choices=StatusEvent.DeclaredBy.choices, required=False, allow_blank=True
    )
    declaring_organization = StrictPrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True
    )
