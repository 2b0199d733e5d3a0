"""The text, paragraph and synthesis pages written in Python (``consultations.rows``): the
same HTML as the templates they replace, every value escaped, and the per-process caches
never showing one reader what belongs to another, nor an outdated counter."""

import re

import pytest
from django.middleware.csrf import get_token
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fede.consultations import rows, selectors, services
from fede.consultations.models import Chapter, Paragraph
from fede.consultations.tests.factories import make_consultation, paragraphs
from fede.core.lists import with_row_links
from fede.core.memo import clear_all

pytestmark = pytest.mark.django_db

#: The loop of ``consultation_detail.html`` before it moved to ``rows.text_html``.
OLD_TEXT_LOOP = """{% load i18n fede %}{% translate "Je soutiens" as label_support %}\
{% with allowed=state.allowed %}
{% for chapter in chapters %}
  <section class="mb-4" aria-labelledby="chapitre-{{ chapter.pk }}">
    <h2 id="chapitre-{{ chapter.pk }}" class="h4">{{ chapter.title }}</h2>
    {% for paragraph in chapter.paragraphs.all %}
      <div class="consultation-paragraph mb-3" id="paragraphe-{{ paragraph.pk }}">
        {{ paragraph.text|markdown }}
        <div class="d-flex flex-wrap gap-2 align-items-center small">
          <a href="{{ paragraph.row_url }}" aria-label="{{ paragraph.link_label }}">\
{{ paragraph.counts_label }}</a>
          <span>{{ paragraph.support_label }}</span>
          {% if allowed %}
            <form method="post" action="{{ paragraph.support_url }}">{% csrf_token %}\
<input type="hidden" name="next" value="texte">
              {% if paragraph.pk in supported %}<input type="hidden" name="action" \
value="retirer"><button class="btn btn-sm btn-success" type="submit" aria-pressed="true">\
{{ label_support }} ✓</button>
              {% else %}<button class="btn btn-sm btn-outline-success" type="submit">\
{{ label_support }}</button>{% endif %}
            </form>
          {% endif %}
        </div>
      </div>
    {% empty %}
      <p class="text-body-secondary">{% translate "Ce chapitre n'a pas de paragraphe." %}</p>
    {% endfor %}
  </section>
{% empty %}
  <div class="alert alert-info">{% translate "Le texte n'est pas encore disponible." %}</div>
{% endfor %}
{% endwith %}"""

#: The rewordings loop of ``paragraph_detail.html`` before it moved to ``RewordingWriter``.
OLD_REWORDINGS_LOOP = """{% load i18n consultations %}
  {% translate "Je soutiens cette rédaction" as label_support_rewording %}
  {% for rewording in rewordings %}
    <article class="card mb-3 consultation-contribution" id="reformulation-{{ rewording.pk }}">\
<div class="card-body">
      {% if rewording.hidden_at %}
        <p class="text-body-secondary fst-italic mb-1">{% blocktranslate with \
reason=rewording.hidden_reason %}Proposition masquée par la modération : {{ reason }}\
{% endblocktranslate %}</p>
        {% if can_moderate %}<form method="post" action="{{ rewording.unhide_url }}">\
{% csrf_token %}<button class="btn btn-sm btn-link p-0" type="submit">{% translate "Rétablir" %}\
</button></form>{% endif %}
      {% else %}
        <p class="small mb-1"><strong>{{ rewording.first_name }}</strong> · \
{{ rewording.section_name }} · {{ rewording.created_label }}</p>
        <div class="consultation-diff mb-2">{% word_diff paragraph.text rewording.text %}</div>
        {% if rewording.explanation %}<p class="small consultation-text mb-2"><em>\
{{ rewording.explanation }}</em></p>{% endif %}
        <div class="d-flex flex-wrap gap-2 align-items-center small">
          <span>{{ rewording.support_label }}</span>
          {% if state.allowed and is_current %}
            <form method="post" action="{{ rewording.support_url }}">{% csrf_token %}
              {% if rewording.pk in supported_rewordings %}<input type="hidden" name="action" \
value="retirer"><button class="btn btn-sm btn-success" type="submit" aria-pressed="true">\
{{ label_support_rewording }} ✓</button>
              {% else %}<button class="btn btn-sm btn-outline-success" type="submit">\
{{ label_support_rewording }}</button>{% endif %}
            </form>
          {% endif %}
          {% if can_manage %}<a href="{{ rewording.answer_url }}">{% if rewording.answer %}\
{% translate "Modifier la réponse" %}{% else %}{% translate "Répondre à la proposition" %}\
{% endif %}</a>{% endif %}
          {% if can_moderate %}<a class="text-danger" href="{{ rewording.hide_url }}">\
{% translate "Masquer" %}</a>{% endif %}
        </div>
        {% if rewording.answer %}{% include "consultations/includes/answer.html" with \
item=rewording %}{% endif %}
      {% endif %}
    </div></article>
  {% empty %}
    <p class="text-body-secondary">{% translate "Aucune proposition de rédaction pour \
l'instant." %}</p>
  {% endfor %}"""

#: The chapters loop of ``synthesis.html`` before it moved to ``rows.synthesis_html``.
OLD_SYNTHESIS_LOOP = """{% load i18n %}{% for chapter in chapters %}
  <h2 class="h4 mt-4">{{ chapter.title }}</h2>
  <div class="table-responsive">
  <table class="table table-sm align-middle">
    <caption class="visually-hidden">{% blocktranslate with title=chapter.title %}Contributions \
du chapitre {{ title }}{% endblocktranslate %}</caption>
    <thead><tr><th scope="col">{% translate "Paragraphe" %}</th><th scope="col" \
class="text-end">{% translate "Soutiens" %}</th><th scope="col" class="text-end">\
{% translate "Commentaires" %}</th><th scope="col" class="text-end">{% translate "Propositions" %}\
</th><th scope="col">{% translate "Rédactions les plus soutenues" %}</th></tr></thead>
    <tbody>
    {{ chapter.rows_html }}
    </tbody>
  </table>
  </div>
{% empty %}
  <div class="alert alert-info">{% translate "Pas encore de texte." %}</div>
{% endfor %}"""

SOURCE = """# Un <script>alert(1)</script> & cie

Premier paragraphe **gras** <script>alert(2)</script>.

Deuxième paragraphe.

# Chapitre sans paragraphe

# Trois

Dernier paragraphe.
"""


def _same(html, old) -> bool:
    """Equal, character for character, but for the CSRF tokens (masked anew each time)."""
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    return token.sub("TOKEN", str(html)) == token.sub("TOKEN", str(old))


def _request(user=None):
    request = RequestFactory().get("/")
    request.user = user
    request.META["CSRF_COOKIE"] = "x" * 32
    return request


def _old_paragraph_display(chapters):
    """What the view computed for the old template, per paragraph: links and labels."""
    links = {"row_url": "consultations:paragraph", "support_url": "consultations:paragraph_support"}
    for chapter in chapters:
        with_row_links(chapter.paragraphs.all(), links)
        for ref, p in enumerate(chapter.paragraphs.all(), start=1):
            p.link_label = _("Paragraphe %(chapter)s.%(ref)s : commentaires et propositions") % {
                "chapter": chapter.position,
                "ref": ref,
            }
            p.counts_label = (
                ngettext("%(n)s commentaire", "%(n)s commentaires", p.comment_count)
                % {"n": p.comment_count}
                + " · "
                + ngettext("%(n)s proposition", "%(n)s propositions", p.rewording_count)
                % {"n": p.rewording_count}
            )
            p.support_label = ngettext("%(n)s soutien", "%(n)s soutiens", p.support_count) % {
                "n": p.support_count
            }
    return chapters


def _old_text(request, version, supported, allowed):
    chapters = _old_paragraph_display(selectors.version_chapters(version))
    context = Context(
        {
            "chapters": chapters,
            "state": selectors.Participation(allowed),
            "supported": supported,
            "csrf_token": get_token(request),
        }
    )
    return Template(OLD_TEXT_LOOP).render(context)


@pytest.mark.parametrize("allowed", [True, False])
def test_text_html_is_the_old_template_loop(federation, member_a, allowed):
    consultation = make_consultation(federation, source=SOURCE)
    first, second, _last = paragraphs(consultation)
    services.paragraph_support(actor=member_a, paragraph=first)
    services.comment_create(actor=member_a, paragraph=second, text="Un avis")
    version = selectors.current_version(consultation)
    member = member_a.member
    request = _request(member_a)
    html = rows.text_html(request, version, allowed=allowed, member=member)
    supported = selectors.supported_paragraphs(member, version) if allowed else set()
    assert _same(html, _old_text(request, version, supported, allowed))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; cie" in html
    assert "<strong>gras</strong>" in html and "alert(2)" not in html
    assert ("aria-pressed" in html) is allowed


def test_text_html_without_a_text(rf):
    old = Template(OLD_TEXT_LOOP).render(Context({"chapters": [], "state": None}))
    assert _same(rows.text_html(_request(), None, allowed=False), old)


def test_rewordings_html_is_the_old_template_loop(author, paragraph, member_a, member_b):
    hidden = services.rewording_create(
        actor=member_b, paragraph=paragraph, text="Masquée <i>", explanation=""
    )
    services.rewording_hide(actor=author, rewording=hidden, reason="Hors <sujet>")
    answered = services.rewording_create(
        actor=member_a,
        paragraph=paragraph,
        text="Des kits <b>relus</b> & pratiques",
        explanation="Plus <em>précis</em>",
    )
    services.rewording_answer(
        actor=author, rewording=answered, answer="considered", answer_text="Vu & noté"
    )
    services.rewording_create(actor=member_b, paragraph=paragraph, text="Autre rédaction")
    services.rewording_support(actor=member_a, rewording=answered)
    member = member_a.member
    request = _request(member_a)
    for allowed, can_manage, can_moderate in [(True, False, False), (False, True, True)]:
        items = selectors.with_rewording_display(
            selectors.rewordings_of(paragraph, supported_by=member)
        )
        supported = {r.pk for r in items if r.member_supports}
        assert supported == {answered.pk}
        ctx = rows.CommentContext(
            request=request,
            allowed=allowed,
            is_current=True,
            authenticated=True,
            can_manage=can_manage,
            can_moderate=can_moderate,
            create_url="/",
        )
        html = rows.RewordingWriter(ctx, paragraph.text).page(items, supported)
        old = Template(OLD_REWORDINGS_LOOP).render(
            Context(
                {
                    "rewordings": items,
                    "paragraph": paragraph,
                    "state": selectors.Participation(allowed),
                    "is_current": True,
                    "supported_rewordings": supported,
                    "can_manage": can_manage,
                    "can_moderate": can_moderate,
                    "csrf_token": get_token(request),
                }
            )
        )
        # The loop sits after two lines (its "{% load %}" and its "{% translate … as %}").
        assert _same(html, old.removeprefix("\n  \n  "))
        assert "<i>" not in html and "<b>relus" not in html and "Hors &lt;sujet&gt;" in html
        assert "Vu &amp; noté" in html and "Plus &lt;em&gt;précis&lt;/em&gt;" in html
    empty = rows.RewordingWriter(ctx, "").page([], set())
    old = Template(OLD_REWORDINGS_LOOP).render(Context({"rewordings": []}))
    assert _same(empty, old.removeprefix("\n  \n  "))


def test_synthesis_cells_are_escaped_and_counts_current(client, author, paragraph, member_a):
    consultation = paragraph.chapter.version.consultation
    Chapter.objects.filter(pk=paragraph.chapter_id).update(title="Titre <script>")
    clear_all()
    services.rewording_create(
        actor=member_a, paragraph=paragraph, text="Rédaction <script>x</script> & co"
    )
    client.force_login(author)
    url = reverse("consultations:synthesis", args=[consultation.pk])
    page = client.get(url).content.decode()
    assert "<script>" not in page
    assert "Rédaction &lt;script&gt;x&lt;/script&gt; &amp; co" in page
    assert "Titre &lt;script&gt;" in page
    assert "<strong>1</strong> participant·es" in page
    # A new participant shows at once: the kept count is keyed on the text's totals.
    other = services.comment_create(actor=author, paragraph=paragraph, text="Avis")
    assert other.pk
    page = client.get(url).content.decode()
    assert "<strong>2</strong> participant·es" in page


def test_kept_text_shows_each_reader_their_own_supports_and_current_counts(
    client, federation, member_a, member_b
):
    """The text's HTML is kept per process; the counters and the reader's own supports
    are read on every request: nobody sees another member's « Je soutiens ✓ »."""
    consultation = make_consultation(federation, audience="public")
    first = paragraphs(consultation)[0]
    services.paragraph_support(actor=member_a, paragraph=first)
    url = consultation.get_absolute_url()

    client.force_login(member_a)
    page = client.get(url).content.decode()
    assert page.count('aria-pressed="true"') == 1
    assert "1 soutien" in page

    client.force_login(member_b)
    page = client.get(url).content.decode()
    assert 'aria-pressed="true"' not in page
    assert "1 soutien" in page
    services.paragraph_support(actor=member_b, paragraph=first)
    page = client.get(url).content.decode()
    assert page.count('aria-pressed="true"') == 1 and "2 soutiens" in page

    client.logout()
    page = client.get(url).content.decode()
    assert "Je soutiens" not in page and "2 soutiens" in page


def test_a_new_version_shows_its_own_text(client, author, federation, member_a):
    consultation = make_consultation(federation)
    client.force_login(member_a)
    assert "Création de kits" in client.get(consultation.get_absolute_url()).content.decode()
    services.version_create(
        actor=author, consultation=consultation, source="# Nouveau\n\nUn texte neuf."
    )
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "Un texte neuf." in page and "Création de kits" not in page
    assert Paragraph.objects.filter(text="Un texte neuf.").exists()


def test_paragraph_forms_are_the_forms_fields(client, paragraph, member_a):
    from fede.consultations.forms import CommentForm, RewordingForm

    client.force_login(member_a)
    page = client.get(paragraph.get_absolute_url()).content.decode()
    form = RewordingForm(initial={"text": paragraph.text}, auto_id="reformulation_%s")
    assert str(form["text"].as_field_group()) in page
    assert str(form["explanation"].as_field_group()) in page
    assert str(CommentForm(auto_id="commentaire_%s")["text"].as_field_group()) in page


def _old_synthesis_rows(chapters):
    """The rows the view wrote for the old template (``with_synthesis_rows``)."""
    empty = '<span class="text-body-secondary small">—</span>'
    for chapter in chapters:
        out = []
        for p in chapter.paragraphs.all():
            tops = "".join(
                f'<div class="small mb-1"><strong>{escape(r.support_cell)}</strong> — '
                f"{escape(r.excerpt)}"
                + (
                    f' <span class="badge text-bg-light border">'
                    f"{escape(r.get_answer_display())}</span>"
                    if r.answer
                    else ""
                )
                + "</div>"
                for r in p.top_rewordings
            )
            out.append(
                "<tr>\n"
                f'<td><a href="{escape(p.row_url)}">{escape(p.ref)}</a> {escape(p.excerpt)}</td>\n'
                f'<td class="text-end">{escape(p.support_cell)}</td>\n'
                f'<td class="text-end">{escape(p.comment_cell)}</td>\n'
                f'<td class="text-end">{escape(p.rewording_cell)}</td>\n'
                f"<td>{tops or empty}</td>\n"
                "</tr>\n"
            )
        chapter.rows_html = mark_safe("".join(out))
    return chapters


def test_synthesis_html_is_the_old_template_loop(author, federation, member_a, member_b):
    consultation = make_consultation(federation, source=SOURCE)
    first, second, _last = paragraphs(consultation)
    for i in range(5):
        services.rewording_create(
            actor=member_a if i % 2 else member_b,
            paragraph=first,
            text=f"Rédaction {i} <b>{'très ' * 20}longue</b> & co",
        )
    answered = services.rewording_create(actor=member_a, paragraph=second, text="Autre")
    services.rewording_answer(
        actor=author, rewording=answered, answer="accepted", answer_text="Oui"
    )
    services.comment_create(actor=member_b, paragraph=second, text="Avis")
    services.paragraph_support(actor=member_b, paragraph=second)
    version = selectors.current_version(consultation)
    html, totals = rows.synthesis_html(version)
    chapters, old_totals = selectors.synthesis(version)
    old = Template(OLD_SYNTHESIS_LOOP).render(Context({"chapters": _old_synthesis_rows(chapters)}))
    assert _same(html, old)
    assert totals == old_totals and totals["participants"] == 2
    assert "<b>" not in html and "&lt;b&gt;" in html and "Retenu" in html
    empty = Template(OLD_SYNTHESIS_LOOP).render(Context({"chapters": []}))
    assert _same(rows.synthesis_html(None)[0], empty)


def test_kept_parts_follow_the_reader_s_language(client, federation):
    """The kept text and synthesis parts are per language: a French reader then an English
    one each get their own labels."""
    consultation = make_consultation(federation, audience="public")
    url = consultation.get_absolute_url()
    # The middleware leaves the last request's language active: restored after the test.
    with translation.override(translation.get_language()):
        page = client.get(url, headers={"accept-language": "fr"}).content.decode()
        assert "0 commentaires · 0 propositions" in page
        assert "Paragraphe 1.1 : commentaires et propositions" in page
        page = client.get(url, headers={"accept-language": "en"}).content.decode()
        assert "0 comments" in page and "0 commentaires" not in page
        assert "Paragraphe 1.1 : commentaires et propositions" not in page


def test_comment_pages_hold_their_comments_and_replies_in_order(paragraph, member_a, section_a):
    """Each page: the next 20 comments (oldest first, ties by id) with their replies."""
    from fede.consultations.models import Comment
    from fede.organization.tests.factories import MemberFactory

    author = MemberFactory(section=section_a)
    same_time = paragraph.chapter.version.created_at
    tops = Comment.objects.bulk_create(
        Comment(paragraph=paragraph, author=author, text=f"C{i}", created_at=same_time)
        for i in range(45)
    )
    Comment.objects.bulk_create(
        Comment(paragraph=paragraph, author=author, parent=tops[i % 45], text=f"R{i}")
        for i in range(60)
    )
    expected = list(
        Comment.objects.filter(paragraph=paragraph, parent=None)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    for number, has_next in ((1, True), (2, True), (3, False), (4, False)):
        page = selectors.comment_page(paragraph, str(number), 20)
        assert [c.pk for c in page.object_list] == expected[(number - 1) * 20 : number * 20]
        assert page.has_next is has_next and page.number == number
        for comment in page.object_list:
            replies = list(
                Comment.objects.filter(parent_id=comment.pk)
                .order_by("created_at", "pk")
                .values_list("pk", flat=True)
            )
            assert [r.pk for r in comment.reply_list] == replies
    assert selectors.comment_page(paragraph, "abc", 20).number == 1


def _page_fields(paragraph):
    consultation = paragraph.chapter.version.consultation
    return (
        paragraph.pk,
        paragraph.text,
        paragraph.comment_count,
        paragraph.chapter.title,
        paragraph.chapter.version.number,
        consultation.title,
        consultation.audience,
        consultation.unit.name,
        paragraph.current_version_id,
        paragraph.member_supports,
    )


def test_paragraph_for_page_is_get_in_scope_for_every_reader(
    rf, federation, section_a, author, member_a, member_b, lyon_member, lyon_author
):
    """The paragraph page's statement, compiled once per reader's scope, reads what
    get_in_scope_or_404 reads for each reader — and is a 404 where it is: another
    federation's members, a visitor for a federation's text, a section's text for another
    section. Readers whose scope is written alike share one statement."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    from fede.core.access import get_in_scope_or_404
    from fede.core.statements import _STATEMENTS

    federal = paragraphs(make_consultation(federation))[0]
    public = paragraphs(make_consultation(federation, audience="public", title="Ouvert"))[0]
    own_section = paragraphs(
        make_consultation(federation, audience="section", section=section_a, title="Section")
    )[0]
    services.paragraph_support(actor=member_a, paragraph=federal, support=True)
    readers = [AnonymousUser(), author, member_a, member_b, lyon_member, lyon_author]
    for reader in readers:
        for paragraph in (federal, public, own_section):
            try:
                expected = get_in_scope_or_404(
                    selectors.paragraph_page_queryset(reader),
                    actor=reader,
                    capability="consultations.view",
                    pk=paragraph.pk,
                )
            except Http404:
                with pytest.raises(Http404):
                    selectors.paragraph_for_page(reader, paragraph.pk)
                continue
            got = selectors.paragraph_for_page(reader, paragraph.pk)
            assert _page_fields(got) == _page_fields(expected)
    assert selectors.paragraph_for_page(member_a, federal.pk).member_supports is True
    assert selectors.paragraph_for_page(member_b, federal.pk).member_supports is False
    with pytest.raises(Http404):
        selectors.paragraph_for_page(lyon_member, federal.pk)
    with pytest.raises(Http404):
        selectors.paragraph_for_page(member_a, 2**63)
    # member_b and another member of section_b share a scope: no new statement.
    from fede.organization.tests.factories import make_member_user

    other_b = make_member_user(member_b.member.section)
    kept = len([k for k in _STATEMENTS._data if k[0] == "consultations.paragraph_page"])
    selectors.paragraph_for_page(other_b, public.pk)
    assert len([k for k in _STATEMENTS._data if k[0] == "consultations.paragraph_page"]) == kept
