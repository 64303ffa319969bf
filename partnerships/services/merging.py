"""Merging two records of one place, and splitting a wrong merge.

``plan_merge`` reads only and says what ``merge_localities`` would do: the partnerships
that move, those that fold into one already recorded for the same pair (with the
differences a curator should look at), and what stops the merge. ``merge_localities``
(keyword-only, atomic, every record full_clean()ed and saved with its edit history and a
change reason naming the merge) moves B's partnerships, aliases, citations and children
to A, folds partnerships that become the same pair (the folded one's events, citations
and activities move to the one kept, which is then deleted: its history keeps it), keeps
B's names as aliases of A (provenance "merge:#B"), and leaves B as a tombstone with
``merged_into`` = A: its pages and API answer with a permanent redirect to A.

``mark_not_duplicate`` remembers a pair staff kept apart (the duplicate queue's answer).

``split_locality`` undoes a wrong merge: the chosen partnerships and aliases move to a
new locality, or back to the tombstone they came from (which stops redirecting)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model

from ..models import Activity, Citation, Locality, LocalityAlias, Partnership, StatusEvent
from ..text import normalize_name
from . import feed
from .changes import save_valid
from .inputs import acting_user
from .timeline import refresh_current_status, validate_timeline


@dataclass
class Fold:
    kept: Partnership
    folded: Partnership
    differences: list[str] = field(default_factory=list)


@dataclass
class MergePlan:
    source: Locality
    target: Locality
    moved: list[Partnership] = field(default_factory=list)
    folds: list[Fold] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)  # what stops the merge

    @property
    def conflicts(self) -> list[str]:
        """What a curator should look at before confirming (the merge still goes ahead)."""
        return [f"{fold.kept} (#{fold.kept.pk}): {d}" for fold in self.folds for d in fold.differences]


def _other(partnership: Partnership, locality: Locality) -> int:
    return (
        partnership.locality_b_id if partnership.locality_a_id == locality.pk else partnership.locality_a_id
    )


def _reason(record: Model, reason: str) -> None:
    record._change_reason = reason[:100]  # type: ignore[attr-defined]  # read by simple-history


def plan_merge(*, source: Locality, target: Locality) -> MergePlan:
    """What merging ``source`` (B) into ``target`` (A) would do; see the module's docstring."""
    plan = MergePlan(source=source, target=target)
    if source.pk == target.pk:
        plan.blockers.append("A locality cannot be merged into itself.")
        return plan
    if source.merged_into_id or target.merged_into_id:
        plan.blockers.append("One of the two was already merged into another locality.")
    if source.country != target.country:
        plan.blockers.append(
            f"{source} and {target} are in different countries: one place lies in one country."
        )
    if source.wikidata_id and target.wikidata_id and source.wikidata_id != target.wikidata_id:
        plan.blockers.append(
            f"They have different Wikidata ids ({source.wikidata_id}, {target.wikidata_id}): two places."
        )
    targets = {_other(p, target): p for p in Partnership.objects.involving(target).with_parties()}
    for partnership in Partnership.objects.involving(source).with_parties().order_by("id"):
        other = _other(partnership, source)
        if other == target.pk:
            plan.blockers.append(
                f"{partnership} (#{partnership.pk}) is a partnership between the two: a place is not "
                "its own partner. Delete it first, or keep them apart."
            )
        elif other in targets:
            kept = targets[other]
            fold = Fold(kept=kept, folded=partnership)
            if partnership.level != kept.level:
                fold.differences.append(
                    f"level {kept.get_level_display()} kept, {partnership.get_level_display()} dropped"
                )
            if partnership.established and kept.established and partnership.established != kept.established:
                fold.differences.append(
                    f"established {kept.established} kept, {partnership.established} dropped"
                )
            events = list(StatusEvent.objects.filter(partnership__in=[kept, partnership]))
            try:
                validate_timeline(events)
            except ValidationError as exc:
                plan.blockers.append(
                    f"The status timelines of #{kept.pk} and #{partnership.pk} ({kept}) do not fit "
                    f"together: {'; '.join(exc.messages)}"
                )
            plan.folds.append(fold)
        else:
            plan.moved.append(partnership)
    return plan


@transaction.atomic
def merge_localities(*, source: Locality, target: Locality, confirm_conflicts: bool = False) -> MergePlan:
    """Merge ``source`` (B) into ``target`` (A); see the module's docstring. Refused
    (ValidationError) when the plan has blockers, or conflicts not confirmed."""
    source = Locality.objects.select_for_update().get(pk=source.pk)
    target = Locality.objects.select_for_update().get(pk=target.pk)
    plan = plan_merge(source=source, target=target)
    if plan.blockers:
        raise ValidationError(plan.blockers)
    if plan.conflicts and not confirm_conflicts:
        raise ValidationError(["Confirm the conflicts first:", *plan.conflicts])
    reason = f"Merged {source.name} (#{source.pk}) into {target.name} (#{target.pk})"

    for partnership in plan.moved:
        if partnership.locality_a_id == source.pk:
            partnership.locality_a = target
        else:
            partnership.locality_b = target
        _reason(partnership, reason)
        save_valid(partnership)
    for fold in plan.folds:
        kept, folded = fold.kept, fold.folded
        for model in (StatusEvent, Activity):
            for record in model.objects.filter(partnership=folded):
                record.partnership = kept
                _reason(record, reason)
                record.save()
        for citation in Citation.objects.filter(partnership=folded):
            citation.partnership = kept
            _reason(citation, reason)
            citation.save()
        kept.organizations.add(*folded.organizations.all())
        kept.focus_areas.add(*folded.focus_areas.all())
        if not kept.established and folded.established:
            kept.established = folded.established
        if not kept.description and folded.description:
            kept.description = folded.description
        _reason(kept, reason)
        save_valid(kept)
        refresh_current_status(kept)
        _reason(folded, f"{reason}: the same partnership as #{kept.pk}")
        folded.delete()

    # Names: B's aliases move (unless A has the name already), B's own names become aliases.
    known = {normalize_name(n) for n in (target.name, target.native_name) if n}
    known |= set(target.aliases.values_list("name_key", flat=True))
    for alias in LocalityAlias.objects.filter(locality=source):
        if alias.name_key in known:
            _reason(alias, reason)
            alias.delete()
            continue
        known.add(alias.name_key)
        alias.locality = target
        _reason(alias, reason)
        save_valid(alias)
    for name, kind in (
        (source.name, LocalityAlias.Kind.VARIANT),
        (source.native_name, LocalityAlias.Kind.NATIVE),
    ):
        if name and normalize_name(name) not in known:
            known.add(normalize_name(name))
            alias = LocalityAlias(locality=target, name=name, kind=kind, provenance=f"merge:#{source.pk}")
            _reason(alias, reason)
            save_valid(alias)
    for citation in Citation.objects.filter(locality=source):
        citation.locality = target
        _reason(citation, reason)
        citation.save()
    for child in Locality.objects.filter(parent=source):
        child.parent = target
        _reason(child, reason)
        save_valid(child)

    # What A lacks, B may know; then B becomes the tombstone.
    wikidata = source.wikidata_id
    source.merged_into = target
    source.wikidata_id = ""
    _reason(source, reason)
    save_valid(source)
    if wikidata and not target.wikidata_id:
        target.wikidata_id = wikidata
    if target.latitude is None and source.latitude is not None:
        target.latitude, target.longitude = source.latitude, source.longitude
        target.coordinates_check = source.coordinates_check
    _reason(target, reason)
    save_valid(target)
    # The change feed: B "merged" into A (a mirror drops B and fetches A again).
    feed.record_merge(record_type="locality", merged_id=source.pk, into_id=target.pk)
    return plan


@transaction.atomic
def split_locality(
    *,
    locality: Locality,
    partnerships: Iterable[Partnership] = (),
    aliases: Iterable[LocalityAlias] = (),
    restore: Locality | None = None,
    name: str = "",
) -> Locality:
    """Move the chosen partnerships and aliases of ``locality`` to ``restore`` (a tombstone
    merged into it, which stops redirecting) or to a new locality named ``name`` in the
    same country. Returns the locality they moved to."""
    if restore is not None:
        if restore.merged_into_id != locality.pk:
            raise ValidationError(f"{restore} was not merged into {locality}.")
        other = restore
        other.merged_into = None
    else:
        if not name.strip():
            raise ValidationError({"name": "Name the locality to split off."})
        other = Locality(
            name=name.strip(),
            country=locality.country,
            kind=locality.kind,
            subdivision=locality.subdivision,
        )
    reason = f"Split from {locality.name} (#{locality.pk})"
    _reason(other, reason)
    save_valid(other)
    for partnership in partnerships:
        partnership.refresh_from_db()
        if partnership.locality_a_id == locality.pk:
            partnership.locality_a = other
        elif partnership.locality_b_id == locality.pk:
            partnership.locality_b = other
        else:
            raise ValidationError(f"{partnership} is not a partnership of {locality}.")
        _reason(partnership, reason)
        save_valid(partnership)
    own = {normalize_name(n) for n in (other.name, other.native_name) if n}
    for alias in aliases:
        alias.refresh_from_db()
        if alias.locality_id != locality.pk:
            raise ValidationError(f"“{alias}” is not a name of {locality}.")
        _reason(alias, reason)
        if alias.name_key in own:
            alias.delete()  # the restored record's own name again
            continue
        alias.locality = other
        save_valid(alias)
    return other


@transaction.atomic
def mark_not_duplicate(*, first: Model, second: Model, user: Any = None) -> Any:
    """Remember that two localities (or two partnerships) are not duplicates, so the
    duplicate queue stops offering the pair. Marking a pair twice is the same answer."""
    from ..models import LocalityNotDuplicate, PartnershipNotDuplicate

    models: dict[type[Model], Any] = {Locality: LocalityNotDuplicate, Partnership: PartnershipNotDuplicate}
    model = models.get(type(first))
    if model is None or type(second) is not type(first):
        raise ValidationError("Mark two localities or two partnerships.")
    if first.pk == second.pk:
        raise ValidationError("A record is not a duplicate of itself: choose two.")
    low, high = sorted((first.pk, second.pk))
    existing = model.objects.filter(first_id=low, second_id=high).first()
    if existing is not None:
        return existing
    record = model(first_id=low, second_id=high, dismissed_by=acting_user(user))
    try:
        with transaction.atomic():
            return save_valid(record)
    except IntegrityError:  # marked at the same moment by someone else: the same answer
        return model.objects.get(first_id=low, second_id=high)
