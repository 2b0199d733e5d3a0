"""The shared UI kit and definitions: access helpers, form renderer, lists, periods."""

import datetime
from types import SimpleNamespace

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.template import Context, Template
from django.test import RequestFactory

from fede.core import registry
from fede.core.access import (
    SYSTEM,
    authorize,
    get_in_scope_or_404,
    login_view,
    object_view,
    permission_required,
    public_view,
)
from fede.core.forms import FAILED, apply_errors, submit
from fede.core.lists import page_number, paginate, render_partial
from fede.core.models import TaskProgress
from fede.core.periods import overlap_q, overlaps

from .factories import UserFactory


class _Actor(SimpleNamespace):
    is_active = True
    is_authenticated = True

    def has_perm(self, perm, obj=None):
        return perm in self.perms and (obj is None or obj in self.on)


def test_authorize_raises_unless_the_actor_holds_the_capability():
    unit = object()
    actor = _Actor(perms={"rooms.book"}, on=[unit])
    authorize(actor, "rooms.book", unit)
    with pytest.raises(PermissionDenied):
        authorize(actor, "rooms.approve", unit)
    with pytest.raises(PermissionDenied):
        authorize(actor, "rooms.book", object())
    with pytest.raises(PermissionDenied):
        authorize(None, "rooms.book")
    with pytest.raises(PermissionDenied):
        authorize(_Actor(perms={"rooms.book"}, on=[unit], is_active=False), "rooms.book", unit)
    authorize(SYSTEM, "anything.at_all")


def test_view_decorators_mark_the_view_and_check():
    request = RequestFactory().get("/")
    request.user = _Actor(perms={"x.view"}, on=[])

    @permission_required("x.view")
    def allowed(request):
        return HttpResponse("ok")

    @permission_required("x.change")
    def denied(request):
        return HttpResponse("ok")

    assert allowed(request).content == b"ok"
    with pytest.raises(PermissionDenied):
        denied(request)
    assert allowed.fede_access == {"kind": "permission", "capability": "x.view"}
    assert public_view(lambda r: None).fede_access["kind"] == "public"
    assert login_view(lambda r: None).fede_access["kind"] == "login"


@pytest.mark.django_db
def test_object_view_fetches_in_scope_or_404():
    owner = UserFactory()
    other = UserFactory()
    mine = TaskProgress.objects.create(owner=owner, label="Import")

    class Scoped(type(TaskProgress.objects.all())):
        def in_scope(self, actor, capability):
            return self.filter(owner=actor)

    queryset = Scoped(model=TaskProgress)

    @object_view(lambda: queryset, "tasks.view")
    def detail(request, taskprogress):
        return HttpResponse(taskprogress.label)

    request = RequestFactory().get("/")
    request.user = owner
    assert detail(request, pk=mine.pk).content == b"Import"
    request.user = other
    with pytest.raises(Http404):
        detail(request, pk=mine.pk)
    for bad in ("99999999999999999999999", "x"):
        with pytest.raises(Http404):
            get_in_scope_or_404(queryset, actor=owner, capability="tasks.view", pk=bad)
    with pytest.raises(TypeError):
        get_in_scope_or_404(TaskProgress, actor=owner, capability="tasks.view", pk=mine.pk)


class _Form(forms.Form):
    name = forms.CharField(label="Nom", max_length=10)
    day = forms.DateField(label="Jour", required=False)
    kind = forms.ChoiceField(label="Type", choices=[("a", "A")])
    ok = forms.BooleanField(label="D'accord", required=False)


def test_every_form_gets_bootstrap_classes_and_errors_next_to_the_field():
    form = _Form(data={"name": "x" * 11, "kind": "a"})
    assert not form.is_valid()
    html = str(form)
    assert 'class="form-control is-invalid"' in html
    assert 'aria-describedby="id_name_error"' in html or "id_name_error" in html
    assert 'class="form-select"' in html
    assert 'class="form-check-input"' in html
    assert 'id="id_name_error"' in html
    assert "alert alert-danger" in html


def test_submit_maps_service_errors_onto_the_form():
    form = _Form(data={"name": "Salle", "kind": "a"})

    def service(data):
        raise ValidationError({"name": "Déjà pris.", "room": "Salle fermée."})

    assert submit(form, service) is FAILED
    assert not FAILED
    assert form.errors["name"] == ["Déjà pris."]
    assert form.non_field_errors() == ["Salle fermée."]
    form = _Form(data={"name": "Salle", "kind": "a"})
    assert submit(form, lambda data: data["name"].upper()) == "SALLE"
    form = _Form(data={"name": "Salle", "kind": "a"})
    form.is_valid()
    apply_errors(form, ValidationError("Refusé."))
    assert form.non_field_errors() == ["Refusé."]


def test_page_numbers_never_overflow():
    assert page_number("99999999999999999999") == 100_000
    assert page_number("-3") == 1
    assert page_number("abc") == 1
    assert page_number(None) == 1


@pytest.mark.django_db
def test_paginate_without_count_reads_one_extra_row(django_assert_num_queries):
    owner = UserFactory()
    TaskProgress.objects.bulk_create(
        [TaskProgress(owner=owner, label=f"t{i:02d}") for i in range(7)]
    )
    queryset = TaskProgress.objects.order_by("label")
    with django_assert_num_queries(1):
        page = paginate(queryset, "2", per_page=3, count=False)
    assert [t.label for t in page] == ["t03", "t04", "t05"]
    assert page.has_next and page.has_previous and page.num_pages is None
    page = paginate(queryset, "99999999999999999999", per_page=3)
    assert page.number == 3 and [t.label for t in page] == ["t06"] and not page.has_next


@pytest.mark.django_db
def test_render_partial_answers_history_restore_with_the_full_page(rf, settings, tmp_path):
    (tmp_path / "list.html").write_text(
        '{% load partials %}<html><body>{% partialdef rows inline %}<ul id="rows">'
        "</ul>{% endpartialdef %}</body></html>"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    from django_htmx.middleware import HtmxDetails

    def request(**headers):
        req = rf.get("/", **headers)
        req.htmx = HtmxDetails(req)
        req.user = SimpleNamespace(is_authenticated=False)
        return req

    full = render_partial(request(), "list.html", {})
    partial = render_partial(request(HTTP_HX_REQUEST="true"), "list.html", {})
    restore = render_partial(
        request(HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"), "list.html", {}
    )
    assert b"<html" in full.content and b"<html" in restore.content
    assert b"<html" not in partial.content and b'id="rows"' in partial.content
    assert "HX-Request" in partial["Vary"] and "HX-Request" in full["Vary"]


def test_spans_overlap_half_open_in_both_orders():
    t = [datetime.datetime(2026, 12, 17, h) for h in range(17, 23)]
    assert not overlaps(t[1], t[3], t[3], t[5])  # back to back
    assert not overlaps(t[3], t[5], t[1], t[3])  # the other order
    assert overlaps(t[1], t[4], t[3], t[5])
    assert overlaps(t[3], t[5], t[1], t[4])
    assert overlaps(t[1], t[5], t[2], t[3])  # one inside the other
    assert str(overlap_q(t[1], t[3])) == str(
        overlap_q(t[1], t[3], start_field="start", end_field="end")
    )


def test_the_menu_and_home_cards_follow_the_users_capabilities():
    context = {"user": SimpleNamespace(is_authenticated=True), "user_caps": frozenset()}
    rendered = Template(
        "{% load fede %}{% main_menu as m %}{% for e in m %}{{ e.label }};{% endfor %}"
    )
    names = rendered.render(Context(context))
    assert "Accueil;" in names and "Adhérents" not in names
    names = rendered.render(Context({**context, "user_caps": frozenset({"members.view"})}))
    assert "Adhérents;" in names
    anonymous = rendered.render(
        Context({"user": SimpleNamespace(is_authenticated=False), "user_caps": frozenset()})
    )
    assert "Accueil;" in anonymous and "Salles" not in anonymous


def test_the_kept_navigation_bar_is_each_users_own():
    """The bar is kept per set of offices, language and highlighted entry: each user still
    reads their own e-mail (escaped), their own entries, the entry of the page they are on."""
    from django.test import RequestFactory
    from django.utils import translation

    rendered = Template("{% load fede %}{% site_nav %}")

    def bar(email, caps, path="/", authenticated=True):
        request = RequestFactory().get(path)
        user = SimpleNamespace(is_authenticated=authenticated, email=email)
        context = {"user": user, "user_caps": frozenset(caps), "request": request}
        return rendered.render(Context(context))

    first = bar("alice@example.org", set())
    second = bar("bob&<b>@example.org", set())
    assert "alice@example.org" in first and "bob" not in first
    assert "bob&amp;&lt;b&gt;@example.org" in second and "alice" not in second
    assert "Adhérents" not in second
    officer = bar("carol@example.org", {"members.view"}, path="/organisation/adherents/")
    assert "Adhérents" in officer and "carol@example.org" in officer
    assert officer.count('aria-current="page"') == 1
    assert "Adhérents" not in bar("dave@example.org", set())
    anonymous = bar("", set(), authenticated=False)
    assert "Se connecter" in anonymous and "Se déconnecter" not in anonymous
    with translation.override("en"):
        english = bar("alice@example.org", set())
    assert "Se déconnecter" in first and "Se déconnecter" not in english


def test_every_declared_capability_is_granted_by_some_role():
    granted = set().union(*registry.grants().values())
    assert set(registry.capabilities()) == granted
    assert {"members.view", "rooms.book", "events.manage"} <= granted


def test_quick_select_writes_the_same_html_as_djangos_select():
    """QuickSelect is a faster Select, not another one: same options, groups, attributes,
    selection (first match only, or all in a multiple select) and escaping."""
    import re

    from django import forms

    from fede.core.forms import QuickSelect, SearchableSelect

    def squeeze(html):
        return re.sub(r">\s+<", "><", str(html)).strip()

    choices = [
        ("", "Tous"),
        ("Paris", [(1, "Paris 1 <Louvre>"), (2, "Paris 2 & Bourse")]),
        (3, "Lyon"),
        (3, "Lyon (doublon)"),
    ]
    for value in (None, "", 2, "3", [1, 3]):
        for quick, plain in (
            (QuickSelect(choices=choices), forms.Select(choices=choices)),
            (
                QuickSelect(attrs={"class": "form-select"}, choices=choices),
                forms.Select(attrs={"class": "form-select"}, choices=choices),
            ),
            (
                SearchableSelect(choices=choices),
                forms.Select(attrs={"data-searchable": ""}, choices=choices),
            ),
        ):
            if isinstance(value, list):
                quick.allow_multiple_selected = plain.allow_multiple_selected = True
            assert squeeze(quick.render("f", value, {"id": "id_f"})) == squeeze(
                plain.render("f", value, {"id": "id_f"})
            ), value
    html = QuickSelect(choices=choices).render("f", 2)
    assert "Paris 1 &lt;Louvre&gt;" in html and '<option value="2" selected>' in html


def test_quick_checkboxes_write_the_same_html_as_djangos_checkboxes():
    """QuickCheckboxes is a faster CheckboxSelectMultiple, not another one: the whole
    widget and each choice's tag (as ``core/forms/field.html`` prints a
    ``checkboxselectmultiple``), with groups,
    attributes in their order, ticked boxes and escaping — through the site's renderer."""
    from django import forms

    from fede.core.forms import QuickCheckboxes

    choices = [
        (1, "Paris 1 <Louvre>"),
        ("Groupe & co", [(2, "Paris 2 & Bourse"), (3, "Lyon")]),
        (4, 'Lille "centre"'),
    ]

    class Both(forms.Form):
        plain = forms.MultipleChoiceField(
            choices=choices, required=False, widget=forms.CheckboxSelectMultiple
        )
        quick = forms.MultipleChoiceField(choices=choices, required=False, widget=QuickCheckboxes)

    def same(html):
        return str(html).replace("quick", "plain")

    for data in ({}, {"plain": ["1"], "quick": ["1"]}, {"plain": ["2", "4"], "quick": ["2", "4"]}):
        form = Both(data or None)
        assert same(form["quick"]) == str(form["plain"]), data
        for quick, plain in zip(form["quick"], form["plain"], strict=True):
            assert same(quick.tag()) == plain.tag()
            assert same(quick) == str(plain)
    for value in (None, [], ["3"], [1, "4"]):
        attrs = {"id": "id_f", "class": "form-check-input", "data-x": True, "hidden": False}
        assert QuickCheckboxes(choices=choices).render("f", value, attrs) == (
            forms.CheckboxSelectMultiple(choices=choices).render("f", value, attrs)
        ), value
    html = str(Both({"quick": ["2"]})["quick"])
    assert "Paris 1 &lt;Louvre&gt;" in html and 'id="id_quick_1_0" checked>' in html


def test_csrf_input_writes_what_the_csrf_token_tag_writes():
    from django.test import RequestFactory

    from fede.core.forms import csrf_input

    html = Template("{% csrf_token %}").render(Context({"csrf_token": "a&b"}))
    assert str(csrf_input(token="a&b")) == html
    request = RequestFactory().get("/")
    written = str(csrf_input(request))
    assert written.startswith('<input type="hidden" name="csrfmiddlewaretoken" value="')
    assert len(written) > len(html)
