"""Staff's review work: verifying a partnership against its sources, and the public's
correction requests, submitted and decided."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import CorrectionRequest, Locality, Partnership


@transaction.atomic
def verify_partnership(*, partnership: Partnership, user) -> Partnership:
    """A reviewer has checked the record against its sources: it leaves the review queue
    until a year has passed or new status changes that need review are recorded."""
    partnership.last_verified_at = timezone.now()
    partnership.last_verified_by = user
    partnership.save(update_fields=["last_verified_at", "last_verified_by"])
    return partnership


@transaction.atomic
def review_corrections(*, corrections: Iterable[CorrectionRequest], status: str, user, note: str = ""):
    """Staff's decision on public correction requests: accepted or rejected, by whom and
    when. Each one is saved on its own so that its edit history records the decision."""
    if status not in (CorrectionRequest.Status.ACCEPTED, CorrectionRequest.Status.REJECTED):
        raise ValidationError({"status": "A reviewed correction is accepted or rejected."})
    reviewed = []
    for correction in corrections:
        correction.status = status
        correction.reviewed_by = user
        correction.reviewed_at = timezone.now()
        if note:
            correction.staff_note = note
        correction.full_clean()
        correction.save()
        reviewed.append(correction)
    return reviewed


@transaction.atomic
def submit_correction(
    *,
    message: str,
    partnership: Partnership | None = None,
    locality: Locality | None = None,
    source_url: str = "",
    contact: str = "",
) -> CorrectionRequest:
    """Store a visitor's suggested correction for staff to read. Nothing else changes:
    staff decide in the admin whether and how the records are corrected."""
    correction = CorrectionRequest(
        partnership=partnership,
        locality=locality,
        message=message.strip(),
        source_url=source_url.strip(),
        contact=contact.strip(),
    )
    correction.full_clean()
    correction.save()
    return correction
