"""Staff's review work: verifying a partnership against its sources, and the public's
correction requests, submitted and decided."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import CorrectionRequest, Locality, Partnership
from .changes import save_valid
from .inputs import Actor, acting_user


@transaction.atomic
def verify_partnership(*, partnership: Partnership, user: Actor) -> Partnership:
    """A reviewer has checked the record against its sources: it leaves the review queue
    until a year has passed or new status changes that need review are recorded."""
    partnership.last_verified_at = timezone.now()
    partnership.last_verified_by = acting_user(user)
    partnership.save(update_fields=["last_verified_at", "last_verified_by"])
    return partnership


@transaction.atomic
def review_corrections(
    *, corrections: Iterable[CorrectionRequest], status: str, user: Actor, note: str = ""
) -> list[CorrectionRequest]:
    """Staff's decision on public correction requests: accepted or rejected, by whom and
    when. Each one is saved on its own so that its edit history records the decision."""
    if status not in (CorrectionRequest.Status.ACCEPTED, CorrectionRequest.Status.REJECTED):
        raise ValidationError({"status": "A reviewed correction is accepted or rejected."})
    reviewer = acting_user(user)
    reviewed = []
    for correction in corrections:
        correction.status = status
        correction.reviewed_by = reviewer
        correction.reviewed_at = timezone.now()
        if note:
            correction.staff_note = note
        save_valid(correction)
        reviewed.append(correction)
    return reviewed


@transaction.atomic
def annotate_correction(*, correction: CorrectionRequest, staff_note: str) -> CorrectionRequest:
    """Staff's note on a correction request, for colleagues; its status changes only
    through review_corrections()."""
    correction.staff_note = staff_note.strip()
    return save_valid(correction)


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
    return save_valid(correction)
