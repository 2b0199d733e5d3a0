"""Every write of the convention app. Each service checks the capability and the phase,
writes, and records the action in the audit trail.

Phase rules (see :meth:`Convention.phase_at`):
- sections schedule their debate once the topics are published, until the deadline;
- contributions are deposited and edited only during the section debates, until the
  contributions deadline; one per section and topic (database constraint);
- rapporteurs write the synthesis from the deadline until the results;
- amendments are tabled only in the amendments phase, on a published synthesis;
- results are entered on the convention day (from the end of the amendments) and
  published once every synthesis has its vote.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from fede.core.access import authorize
from fede.core.audit import audit, changed_fields
from fede.core.models import TaskProgress
from fede.core.tasks import progress_start
from fede.organization.models import Unit

from . import selectors
from .models import (
    Amendment,
    Citation,
    Contribution,
    ContributionRevision,
    Convention,
    Paragraph,
    ParagraphRevision,
    Phase,
    SectionDebate,
    Topic,
    TopicDocument,
    VoteResult,
)

MANAGE = "convention.manage"
RAPPORTEUR = "convention.rapporteur"
CONTRIBUTE = "convention.contribute"

SYNTHESIS_PHASES = (Phase.SYNTHESIS, Phase.AMENDMENTS, Phase.CONVENTION)


def _fmt(moment) -> str:
    local = timezone.localtime(moment)
    return local.strftime("%d/%m/%Y à %H:%M")


def _check_votes(*, votes_for: int, votes_against: int, votes_abstain: int, present) -> None:
    if present is not None and present < 1:
        raise ValidationError(
            {"members_present": _("Indiquez le nombre d'adhérent·es présent·es.")}
        )
    if present is not None and votes_for + votes_against + votes_abstain > present:
        raise ValidationError(
            {
                "members_present": _(
                    "Il y a plus de voix (%(votes)s) que d'adhérent·es présent·es (%(present)s)."
                )
                % {"votes": votes_for + votes_against + votes_abstain, "present": present}
            }
        )


def _section_of_convention(convention: Convention, section: Unit) -> None:
    if section.kind != Unit.Kind.SECTION or not section.path.startswith(convention.federation.path):
        raise ValidationError(_("Cette section ne relève pas de la fédération de la convention."))


# --- Convention, topics, documents ---------------------------------------------------------


CONVENTION_FIELDS = (
    "year",
    "title",
    "presentation",
    "topics_published_on",
    "debates_start",
    "contributions_deadline",
    "amendments_open",
    "amendments_deadline",
    "convention_day",
    "place",
)


def _check_dates(data: dict) -> None:
    order = [
        ("debates_start", "topics_published_on", _("Les débats commencent après la publication.")),
        (
            "amendments_open",
            "debates_start",
            _("Les amendements s'ouvrent après le début des débats."),
        ),
        (
            "convention_day",
            "amendments_open",
            _("La convention se tient après l'ouverture des amendements."),
        ),
    ]
    errors = {later: message for later, earlier, message in order if data[later] < data[earlier]}
    if data["contributions_deadline"].date() < data["debates_start"]:
        errors["contributions_deadline"] = _(
            "La date limite des contributions tombe après le début des débats."
        )
    if timezone.localdate(data["contributions_deadline"]) > data["amendments_open"]:
        errors["amendments_open"] = _(
            "Les amendements s'ouvrent après la date limite des contributions."
        )
    if data["amendments_deadline"] <= data["contributions_deadline"]:
        errors["amendments_deadline"] = _(
            "La date limite des amendements suit celle des contributions."
        )
    if timezone.localdate(data["amendments_deadline"]) > data["convention_day"]:
        errors["amendments_deadline"] = _(
            "La date limite des amendements précède le jour de la convention."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def convention_create(*, actor, federation: Unit, **data) -> Convention:
    """Open a year's convention with the dates of its phases."""
    authorize(actor, MANAGE, federation)
    _check_dates(data)
    if Convention.objects.filter(federation=federation, year=data["year"]).exists():
        raise ValidationError(
            {"year": _("La convention %(year)s existe déjà.") % {"year": data["year"]}}
        )
    convention = Convention.objects.create(
        federation=federation, **{k: data[k] for k in CONVENTION_FIELDS if k in data}
    )
    audit(
        actor=actor,
        code="convention.convention_create",
        obj=convention,
        params={"year": convention.year},
    )
    return convention


@transaction.atomic
def convention_update(*, actor, convention: Convention, **data) -> Convention:
    authorize(actor, MANAGE, convention)
    if convention.results_published_at:
        raise ValidationError(_("Les résultats sont publiés : la convention ne se modifie plus."))
    merged = {k: data.get(k, getattr(convention, k)) for k in CONVENTION_FIELDS}
    _check_dates(merged)
    if (
        merged["year"] != convention.year
        and Convention.objects.filter(federation=convention.federation, year=merged["year"])
        .exclude(pk=convention.pk)
        .exists()
    ):
        raise ValidationError({"year": _("La convention %(year)s existe déjà.") % merged})
    changes = changed_fields(convention, merged)
    for key, value in merged.items():
        setattr(convention, key, value)
    convention.save()
    audit(
        actor=actor,
        code="convention.convention_update",
        obj=convention,
        params={"year": convention.year},
        changes=changes,
    )
    return convention


@transaction.atomic
def topic_save(
    *,
    actor,
    convention: Convention,
    scope: str,
    title: str,
    framing: str,
    topic: Topic | None = None,
) -> Topic:
    """Create or edit one of the three topics (one per scope)."""
    authorize(actor, MANAGE, convention)
    if convention.phase not in (Phase.DRAFT, Phase.TOPICS, Phase.DEBATES):
        raise ValidationError(_("Les débats sont clos : les sujets ne se modifient plus."))
    clash = convention.topics.filter(scope=scope)
    if topic is not None:
        clash = clash.exclude(pk=topic.pk)
    if clash.exists():
        raise ValidationError({"scope": _("Cette convention a déjà un sujet à cette échelle.")})
    data = {"scope": scope, "title": title, "framing": framing}
    if topic is None:
        topic = Topic.objects.create(convention=convention, **data)
        audit(
            actor=actor,
            code="convention.topic_create",
            obj=topic,
            params={"topic": title},
            scope=convention.federation,
        )
        return topic
    changes = changed_fields(topic, data)
    for key, value in data.items():
        setattr(topic, key, value)
    topic.save()
    audit(
        actor=actor,
        code="convention.topic_update",
        obj=topic,
        params={"topic": title},
        changes=changes,
        scope=convention.federation,
    )
    return topic


def _topic_changed(topic_id: int) -> None:
    """The topic's citations, documents or rapporteurs' notes changed: its ``updated_at``
    keys what every process keeps of them for a minute (``selectors.topic_citations``,
    ``topic_documents``, the coverage rows); this process drops its copies."""
    Topic.objects.filter(pk=topic_id).update(updated_at=timezone.now())
    selectors.forget_shared()


@transaction.atomic
def document_add(*, actor, topic: Topic, title: str, file) -> TopicDocument:
    authorize(actor, MANAGE, topic)
    document = TopicDocument.objects.create(
        topic=topic, title=title, file=file, original_name=getattr(file, "name", "")[:255]
    )
    _topic_changed(topic.pk)
    audit(
        actor=actor,
        code="convention.document_add",
        obj=document,
        params={"title": title, "topic": topic.pk},
        scope=topic.convention.federation,
    )
    return document


# --- Section debates and contributions -----------------------------------------------------


@transaction.atomic
def debate_schedule(
    *,
    actor,
    convention: Convention,
    section: Unit,
    starts_at,
    place: str = "",
    event=None,
    notes: str = "",
) -> SectionDebate:
    """Set (or move) the date of the section's debate; an agenda event may be linked."""
    authorize(actor, CONTRIBUTE, section)
    _section_of_convention(convention, section)
    if convention.phase not in (Phase.TOPICS, Phase.DEBATES):
        raise ValidationError(_("Les débats en section sont clos pour cette convention."))
    if event is not None and event.organiser_id != section.pk:
        raise ValidationError({"event": _("Choisissez un événement organisé par votre section.")})
    debate, created = SectionDebate.objects.update_or_create(
        convention=convention,
        section=section,
        defaults={"starts_at": starts_at, "place": place, "event": event, "notes": notes},
    )
    audit(
        actor=actor,
        code="convention.debate_schedule",
        obj=debate,
        params={"section": section.name, "created": created},
    )
    return debate


def _contribution_open(topic: Topic) -> None:
    convention = topic.convention
    phase = convention.phase
    if phase in (Phase.DRAFT, Phase.TOPICS):
        raise ValidationError(
            _("Les contributions s'ouvrent avec les débats en section, le %(date)s.")
            % {"date": convention.debates_start.strftime("%d/%m/%Y")}
        )
    if phase != Phase.DEBATES:
        raise ValidationError(
            _(
                "La date limite des contributions est passée (%(deadline)s) : "
                "la contribution ne peut plus être déposée ni modifiée."
            )
            % {"deadline": _fmt(convention.contributions_deadline)}
        )


@transaction.atomic
def contribution_submit(
    *,
    actor,
    topic: Topic,
    section: Unit,
    text: str,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    members_present: int,
    minority_opinion: str = "",
) -> Contribution:
    """Deposit the section's contribution on a topic (one per section and topic)."""
    authorize(actor, CONTRIBUTE, section)
    _section_of_convention(topic.convention, section)
    _contribution_open(topic)
    _check_votes(
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=votes_abstain,
        present=members_present,
    )
    if not text.strip():
        raise ValidationError({"text": _("Écrivez la contribution de la section.")})
    duplicate = ValidationError(
        _(
            "La section %(section)s a déjà déposé sa contribution sur ce sujet : "
            "modifiez-la plutôt que d'en déposer une seconde."
        )
        % {"section": section.name}
    )
    if Contribution.objects.filter(topic=topic, section=section).exists():
        raise duplicate
    try:
        with transaction.atomic():
            contribution = Contribution.objects.create(
                topic=topic,
                section=section,
                text=text.strip(),
                votes_for=votes_for,
                votes_against=votes_against,
                votes_abstain=votes_abstain,
                members_present=members_present,
                minority_opinion=minority_opinion.strip(),
                submitted_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError as exc:  # a concurrent double submit
        raise duplicate from exc
    audit(
        actor=actor,
        code="convention.contribution_submit",
        obj=contribution,
        params={"section": section.name, "topic": topic.number},
    )
    return contribution


@transaction.atomic
def contribution_update(*, actor, contribution: Contribution, **data) -> Contribution:
    """Edit the contribution until the deadline; the previous version is kept."""
    authorize(actor, CONTRIBUTE, contribution)
    contribution = (
        Contribution.objects.select_for_update()
        .select_related("topic__convention", "section")
        .get(pk=contribution.pk)
    )
    _contribution_open(contribution.topic)
    fields = (
        "text",
        "votes_for",
        "votes_against",
        "votes_abstain",
        "members_present",
        "minority_opinion",
    )
    merged = {k: data.get(k, getattr(contribution, k)) for k in fields}
    merged["text"] = merged["text"].strip()
    merged["minority_opinion"] = merged["minority_opinion"].strip()
    _check_votes(
        votes_for=merged["votes_for"],
        votes_against=merged["votes_against"],
        votes_abstain=merged["votes_abstain"],
        present=merged["members_present"],
    )
    changes = changed_fields(contribution, merged)
    if not changes:
        return contribution
    ContributionRevision.objects.create(
        contribution=contribution,
        version=contribution.version,
        author=contribution.submitted_by,
        saved_at=contribution.updated_at,
        **{k: getattr(contribution, k) for k in fields},
    )
    for key, value in merged.items():
        setattr(contribution, key, value)
    contribution.version += 1
    if getattr(actor, "pk", None):
        contribution.submitted_by = actor
    contribution.save()
    audit(
        actor=actor,
        code="convention.contribution_update",
        obj=contribution,
        params={"contribution": contribution.pk, "version": contribution.version},
        changes={k: ["…", "…"] if k == "text" else v for k, v in changes.items()},
    )
    return contribution


@transaction.atomic
def contribution_note(*, actor, contribution: Contribution, note: str) -> Contribution:
    """The rapporteurs say what the synthesis does with a contribution (and why not)."""
    authorize(actor, RAPPORTEUR, contribution.topic)
    contribution.rapporteur_note = note.strip()
    contribution.save(update_fields=["rapporteur_note", "updated_at"])
    _topic_changed(contribution.topic_id)
    audit(
        actor=actor,
        code="convention.contribution_note",
        obj=contribution,
        params={"contribution": contribution.pk},
        scope=contribution.topic.convention.federation,
    )
    return contribution


# --- Synthesis ---------------------------------------------------------------------------


def _synthesis_open(topic: Topic) -> None:
    phase = topic.convention.phase
    if phase in (Phase.DRAFT, Phase.TOPICS, Phase.DEBATES):
        raise ValidationError(
            _("La synthèse s'écrit après la date limite des contributions (%(deadline)s).")
            % {"deadline": _fmt(topic.convention.contributions_deadline)}
        )
    if phase == Phase.RESULTS:
        raise ValidationError(_("Les résultats sont publiés : la synthèse ne se modifie plus."))


@transaction.atomic
def paragraph_create(*, actor, topic: Topic, text: str, heading: str = "") -> Paragraph:
    """Add a paragraph at the end of a topic's synthesis."""
    authorize(actor, RAPPORTEUR, topic)
    _synthesis_open(topic)
    # Lock the topic so two rapporteurs adding at once get different positions.
    Topic.objects.select_for_update().filter(pk=topic.pk).first()
    last = topic.paragraphs.aggregate(last=Max("position"))["last"] or 0
    paragraph = Paragraph.objects.create(
        topic=topic, position=last + 1, heading=heading.strip(), text=text.strip()
    )
    audit(
        actor=actor,
        code="convention.paragraph_create",
        obj=paragraph,
        params={"label": paragraph.label},
        scope=topic.convention.federation,
    )
    return paragraph


def _revise(paragraph: Paragraph, *, actor, heading: str, text: str, amendment=None) -> dict:
    data = {"heading": heading.strip(), "text": text.strip()}
    changes = changed_fields(paragraph, data)
    if not changes:
        return {}
    ParagraphRevision.objects.create(
        paragraph=paragraph,
        version=paragraph.version,
        heading=paragraph.heading,
        text=paragraph.text,
        author=actor if getattr(actor, "pk", None) else None,
        amendment=amendment,
        saved_at=timezone.now(),
    )
    paragraph.heading, paragraph.text = data["heading"], data["text"]
    paragraph.version += 1
    paragraph.save()
    return changes


@transaction.atomic
def paragraph_update(*, actor, paragraph: Paragraph, text: str, heading: str = "") -> Paragraph:
    """Rewrite a paragraph; its citations stay, the previous wording is kept."""
    authorize(actor, RAPPORTEUR, paragraph)
    paragraph = (
        Paragraph.objects.select_for_update()
        .select_related("topic__convention")
        .get(pk=paragraph.pk)
    )
    _synthesis_open(paragraph.topic)
    if _revise(paragraph, actor=actor, heading=heading, text=text):
        audit(
            actor=actor,
            code="convention.paragraph_update",
            obj=paragraph,
            params={"label": paragraph.label, "version": paragraph.version},
            scope=paragraph.topic.convention.federation,
        )
    return paragraph


@transaction.atomic
def citation_set(
    *, actor, paragraph: Paragraph, contribution: Contribution, extent: str, note: str = ""
) -> Citation:
    """Link a paragraph to a contribution it draws on (or change how much it takes)."""
    authorize(actor, RAPPORTEUR, paragraph)
    _synthesis_open(paragraph.topic)
    if contribution.topic_id != paragraph.topic_id:
        raise ValidationError({"contribution": _("Cette contribution porte sur un autre sujet.")})
    # The version read now, from the database (the caller's copy may be older).
    version = Contribution.objects.values_list("version", flat=True).get(pk=contribution.pk)
    citation, _created = Citation.objects.update_or_create(
        paragraph=paragraph,
        contribution=contribution,
        defaults={"extent": extent, "note": note.strip(), "contribution_version": version},
    )
    _topic_changed(paragraph.topic_id)
    audit(
        actor=actor,
        code="convention.citation_set",
        obj=paragraph,
        params={"label": paragraph.label, "contribution": contribution.pk, "extent": extent},
        scope=paragraph.topic.convention.federation,
    )
    return citation


@transaction.atomic
def citation_remove(*, actor, citation: Citation) -> None:
    paragraph = citation.paragraph
    authorize(actor, RAPPORTEUR, paragraph)
    _synthesis_open(paragraph.topic)
    contribution_id = citation.contribution_id
    citation.delete()
    _topic_changed(paragraph.topic_id)
    audit(
        actor=actor,
        code="convention.citation_remove",
        obj=paragraph,
        params={"label": paragraph.label, "contribution": contribution_id},
        scope=paragraph.topic.convention.federation,
    )


@transaction.atomic
def synthesis_publish(*, actor, topic: Topic, introduction: str = "") -> Topic:
    """Publish a topic's synthesis: everyone reads it, sections may amend it."""
    authorize(actor, RAPPORTEUR, topic)
    _synthesis_open(topic)
    if not topic.paragraphs.exists():
        raise ValidationError(_("La synthèse n'a encore aucun paragraphe."))
    topic.synthesis_introduction = introduction.strip() or topic.synthesis_introduction
    if topic.synthesis_published_at is None:
        topic.synthesis_published_at = timezone.now()
    topic.save(update_fields=["synthesis_introduction", "synthesis_published_at", "updated_at"])
    audit(
        actor=actor,
        code="convention.synthesis_publish",
        obj=topic,
        params={"topic": topic.number},
        scope=topic.convention.federation,
    )
    return topic


@transaction.atomic
def grouping_request(*, actor, topic: Topic) -> TaskProgress:
    """Start grouping a topic's contributions by similarity (a task with progress)."""
    from .tasks import group_contributions

    authorize(actor, RAPPORTEUR, topic)
    progress = progress_start(
        owner=actor,
        label=_("Regroupement des contributions : %(topic)s") % {"topic": topic.title},
    )
    audit(
        actor=actor,
        code="convention.grouping_request",
        obj=topic,
        params={"topic": topic.number},
        scope=topic.convention.federation,
    )
    topic_id, progress_id, user_id = topic.pk, str(progress.pk), actor.pk
    transaction.on_commit(lambda: group_contributions.enqueue(progress_id, topic_id, user_id))
    return progress


# --- Amendments --------------------------------------------------------------------------


@transaction.atomic
def amendment_submit(
    *,
    actor,
    paragraph: Paragraph,
    section: Unit,
    proposed_text: str,
    rationale: str,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    members_present: int,
) -> Amendment:
    """A section tables an amendment to a paragraph of a published synthesis."""
    authorize(actor, CONTRIBUTE, section)
    topic = paragraph.topic
    convention = topic.convention
    _section_of_convention(convention, section)
    phase = convention.phase
    if topic.synthesis_published_at is None or phase in (
        Phase.DRAFT,
        Phase.TOPICS,
        Phase.DEBATES,
        Phase.SYNTHESIS,
    ):
        raise ValidationError(
            _("Les amendements s'ouvrent le %(date)s, sur la synthèse publiée.")
            % {"date": convention.amendments_open.strftime("%d/%m/%Y")}
        )
    if phase != Phase.AMENDMENTS:
        raise ValidationError(
            _("La date limite des amendements est passée (%(deadline)s).")
            % {"deadline": _fmt(convention.amendments_deadline)}
        )
    _check_votes(
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=votes_abstain,
        present=members_present,
    )
    duplicate = ValidationError(
        _("La section %(section)s a déjà déposé un amendement à ce paragraphe.")
        % {"section": section.name}
    )
    if Amendment.objects.filter(paragraph=paragraph, section=section).exists():
        raise duplicate
    try:
        with transaction.atomic():
            amendment = Amendment.objects.create(
                paragraph=paragraph,
                section=section,
                proposed_text=proposed_text.strip(),
                rationale=rationale.strip(),
                votes_for=votes_for,
                votes_against=votes_against,
                votes_abstain=votes_abstain,
                members_present=members_present,
                base_text=paragraph.text,
                submitted_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError as exc:
        raise duplicate from exc
    audit(
        actor=actor,
        code="convention.amendment_submit",
        obj=amendment,
        params={"amendment": amendment.pk, "section": section.name, "label": paragraph.label},
    )
    return amendment


@transaction.atomic
def amendment_answer(
    *, actor, amendment: Amendment, decision: str, answer: str = "", merged_text: str = ""
) -> Amendment:
    """Accept (the paragraph takes the proposed wording), merge (a wording written by the
    rapporteurs) or reject (with an answer) an amendment. The paragraph keeps its history
    and its citations."""
    authorize(actor, RAPPORTEUR, amendment.paragraph)
    amendment = (
        Amendment.objects.select_for_update()
        .select_related("paragraph__topic__convention", "section")
        .get(pk=amendment.pk)
    )
    if amendment.is_answered:
        raise ValidationError(_("Cet amendement a déjà reçu une réponse."))
    paragraph = Paragraph.objects.select_for_update().get(pk=amendment.paragraph_id)
    _synthesis_open(paragraph.topic)
    if decision not in (
        Amendment.Status.ACCEPTED,
        Amendment.Status.MERGED,
        Amendment.Status.REJECTED,
    ):
        raise ValidationError({"decision": _("Choisissez une réponse.")})
    if decision == Amendment.Status.REJECTED and not answer.strip():
        raise ValidationError(
            {"answer": _("Expliquez à la section pourquoi l'amendement est refusé.")}
        )
    if decision == Amendment.Status.MERGED and not merged_text.strip():
        raise ValidationError({"merged_text": _("Écrivez la rédaction qui intègre l'amendement.")})
    if decision == Amendment.Status.ACCEPTED:
        _revise(
            paragraph,
            actor=actor,
            heading=paragraph.heading,
            text=amendment.proposed_text,
            amendment=amendment,
        )
    elif decision == Amendment.Status.MERGED:
        _revise(
            paragraph, actor=actor, heading=paragraph.heading, text=merged_text, amendment=amendment
        )
    amendment.status = decision
    amendment.answer = answer.strip()
    amendment.answered_at = timezone.now()
    amendment.save(update_fields=["status", "answer", "answered_at", "updated_at"])
    audit(
        actor=actor,
        code="convention.amendment_answer",
        obj=amendment,
        params={"amendment": amendment.pk, "status": amendment.get_status_display()},
        scope=paragraph.topic.convention.federation,
    )
    return amendment


# --- Convention day ----------------------------------------------------------------------


@transaction.atomic
def result_record(
    *,
    actor,
    convention: Convention,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    topic: Topic | None = None,
    amendment: Amendment | None = None,
) -> VoteResult:
    """Enter the convention's vote on a synthesis or an amendment (a correction replaces
    it and is audited)."""
    authorize(actor, MANAGE, convention)
    if convention.phase != Phase.CONVENTION:
        raise ValidationError(
            _("Les résultats se saisissent le jour de la convention, avant leur publication.")
        )
    if (topic is None) == (amendment is None):
        raise ValidationError(_("Choisissez une synthèse ou un amendement."))
    if topic is not None and topic.convention_id != convention.pk:
        raise ValidationError(_("Ce sujet est celui d'une autre convention."))
    if amendment is not None and amendment.paragraph.topic.convention_id != convention.pk:
        raise ValidationError(_("Cet amendement porte sur une autre convention."))
    _check_votes(
        votes_for=votes_for, votes_against=votes_against, votes_abstain=votes_abstain, present=None
    )
    key = {"topic": topic} if topic is not None else {"amendment": amendment}
    previous = VoteResult.objects.filter(**key).first()
    result, _created = VoteResult.objects.update_or_create(
        **key,
        defaults={
            "convention": convention,
            "votes_for": votes_for,
            "votes_against": votes_against,
            "votes_abstain": votes_abstain,
        },
    )
    item = (
        _("synthèse du sujet n° %(n)s") % {"n": topic.number}
        if topic is not None
        else _("amendement n° %(n)s") % {"n": amendment.pk}
    )
    changes = {}
    if previous is not None:
        changes = {
            "votes": [
                [previous.votes_for, previous.votes_against, previous.votes_abstain],
                [votes_for, votes_against, votes_abstain],
            ]
        }
    audit(
        actor=actor,
        code="convention.result_record",
        obj=result,
        params={"year": convention.year, "item": item},
        changes=changes,
        scope=convention.federation,
    )
    return result


@transaction.atomic
def results_publish(*, actor, convention: Convention) -> Convention:
    """Publish the results once every synthesis has its vote."""
    authorize(actor, MANAGE, convention)
    convention = Convention.objects.select_for_update().get(pk=convention.pk)
    if convention.results_published_at is not None:
        return convention
    if convention.phase != Phase.CONVENTION:
        raise ValidationError(_("Les résultats se publient après le vote de la convention."))
    missing = convention.topics.filter(result__isnull=True)
    if missing.exists():
        raise ValidationError(
            _("Saisissez d'abord le vote sur la synthèse de chaque sujet (%(topics)s).")
            % {"topics": ", ".join(t.title for t in missing)}
        )
    convention.results_published_at = timezone.now()
    convention.save(update_fields=["results_published_at", "updated_at"])
    audit(
        actor=actor,
        code="convention.results_publish",
        obj=convention,
        params={"year": convention.year},
    )
    return convention


@transaction.atomic
def grouping_store(
    *, actor, topic: Topic, groups: list[dict], signature: str, count: int, requested_by_id=None
):
    """Keep the result of a grouping (the task acts as the system)."""
    from .models import Grouping

    authorize(actor, RAPPORTEUR, topic)
    return Grouping.objects.create(
        topic=topic,
        groups=groups,
        signature=signature,
        contribution_count=count,
        requested_by_id=requested_by_id,
    )
