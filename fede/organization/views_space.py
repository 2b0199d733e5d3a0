"""The member's own space: activation from an invitation, the member's section page, and
the officers' screen of who has activated their space (with the invitations).

Writes go through :mod:`fede.organization.invitations`.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fede.core.access import object_view, public_view
from fede.core.audit import log_access
from fede.core.forms import submit
from fede.core.lists import paginate, render_partial
from fede.core.models import AccessLog
from fede.core.tasks import progress_start

from . import invitations, selectors
from .models import Member, MemberInvitation, Unit


class ActivationForm(forms.Form):
    password1 = forms.CharField(
        label=gettext_lazy("Mot de passe"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Mot de passe (encore)"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        elif one:
            try:
                validate_password(one)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


@public_view
@never_cache
@require_http_methods(["GET", "POST"])
def activate(request, token):
    """Activate one's space from the invitation link: choose a password, and it is done.

    The link works once, until it expires; a used or stale link says so plainly.
    """
    invitation = invitations.invitation_from_token(token)
    if invitation is None:
        return render(request, "organization/space/activate_invalid.html", status=410)
    member = invitation.member
    existing = get_user_model().objects.filter(email__iexact=member.email).exists()
    form = ActivationForm(request.POST or None, email=member.email)
    if existing:
        form = None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            user, created = invitations.invitation_accept(
                invitation=invitation,
                password=form.cleaned_data["password1"] if form is not None else None,
            )
        except (PermissionDenied, ValidationError) as error:
            text = " ".join(getattr(error, "messages", [])) or _("Ce lien ne fonctionne plus.")
            messages.error(request, text)
            return render(request, "organization/space/activate_invalid.html", status=410)
        if created:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Votre espace est activé. Bienvenue !"))
            return redirect("core:home")
        messages.success(
            request,
            _("Votre espace est activé : connectez-vous avec votre mot de passe habituel."),
        )
        return redirect("account_login")
    return render(
        request,
        "organization/space/activate.html",
        {"form": form, "member": member, "section": member.section, "existing": existing},
    )


# --- "Ma section" for a member ------------------------------------------------------------


def member_section_page(request, member: Member):
    """A member's read-only page of their section: presentation, place, officers."""
    section = member.section
    officers = selectors.section_officers(section)
    return render(
        request,
        "organization/space/my_section.html",
        {
            "member": member,
            "section": section,
            "officers": [
                {
                    "mandate": mandate,
                    "email": mandate.member.email if mandate.member.consent_share_contact else "",
                    "phone": mandate.member.phone if mandate.member.consent_share_contact else "",
                }
                for mandate in officers
            ],
            "breadcrumbs": [(_("Ma section"), None)],
        },
    )


# --- Officers: who activated their space, invitations -------------------------------------


def _latest_invitation_ids():
    return Subquery(
        MemberInvitation.objects.filter(member=OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )


@object_view(Unit, "members.invite", scope="members.view")
@require_GET
def section_invitations(request, unit):
    """The members of a section and the state of their space; invite one or all."""
    state = request.GET.get("etat") or ""
    members = (
        selectors.members_visible_to(request.user)
        .filter(section=unit, status__in=invitations.SPACE_STATUSES, anonymised_at__isnull=True)
        .annotate(latest_invitation_id=_latest_invitation_ids())
        .order_by("last_name", "first_name", "pk")
    )
    if state == "active":
        members = members.filter(user__isnull=False)
    elif state == "pending":
        members = members.filter(user__isnull=True)
    page = paginate(members, request.GET.get("page"), per_page=50)
    latest = MemberInvitation.objects.in_bulk(
        [m.latest_invitation_id for m in page.object_list if m.latest_invitation_id]
    )
    now = timezone.now()
    for member in page.object_list:
        member.latest_invitation = latest.get(member.latest_invitation_id)
        member.space = invitations.space_state(member, now=now)
        member.can_invite = not member.user_id and bool(member.email)
    counts = {
        "active": unit.members.filter(
            status__in=invitations.SPACE_STATUSES, user__isnull=False
        ).count(),
        "eligible": invitations.eligible_members().filter(section=unit).count(),
    }
    log_access(
        actor=request.user,
        action=AccessLog.Action.LIST,
        code="organization.invitation_list",
        params={"unit": unit.name},
        obj=unit,
        row_count=len(page.object_list),
    )
    return render_partial(
        request,
        "organization/space/invitations.html",
        {
            "unit": unit,
            "page": page,
            "state": state,
            "counts": counts,
            "breadcrumbs": [
                (unit.name, unit.get_absolute_url()),
                (_("Espaces adhérent·es"), None),
            ],
        },
    )


@object_view(
    lambda: Member.objects.select_related("section", "user"),
    "members.invite",
    scope="members.view",
)
@require_POST
def member_invite(request, member):
    """Send (again) one member the link that activates their space."""
    try:
        invitations.member_invite(actor=request.user, member=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Invitation envoyée à %(name)s (le lien vaut %(days)s jours).")
            % {"name": member.full_name, "days": invitations.INVITATION_DAYS},
        )
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = member.get_absolute_url()
    return redirect(target)


class InviteAllForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "J'envoie une invitation à chaque adhérent·e de la section qui n'a pas encore "
            "activé son espace (les invitations en cours sont renouvelées)."
        )
    )


@object_view(Unit, "members.invite", scope="members.view")
@require_POST
def section_invite_all(request, unit):
    """Invite the whole section, as a task with its progress page."""
    form = InviteAllForm(request.POST)

    def start(data):
        from fede.core.access import authorize

        authorize(request.user, "members.invite", unit)
        progress = progress_start(
            owner=request.user,
            label=_("Invitations de la section %(section)s") % {"section": unit.name},
        )
        transaction.on_commit(
            lambda: invitations.section_invite_task.enqueue(
                str(progress.pk), unit.pk, request.user.pk
            )
        )
        return progress

    if progress := submit(form, start):
        return redirect(progress)
    messages.error(request, _("Cochez la case pour confirmer l'envoi à toute la section."))
    return redirect("organization:section_invitations", unit.pk)
