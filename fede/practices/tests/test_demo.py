import io

import pytest

from fede.core.models import OutgoingMail
from fede.kits.tests.factories import load_all_kits
from fede.organization.models import Role
from fede.organization.tests.factories import make_federation, make_officer, make_section
from fede.practices import demo
from fede.practices.models import Comment, KitProposal, Post, Vote

pytestmark = pytest.mark.django_db


def test_demo_fills_a_lively_space_once():
    federation = make_federation(code="FED75")
    make_officer(federation, Role.FIRST_SECRETARY, mfa=False)
    for n in range(4):
        section = make_section(federation, name=f"Paris {n + 10}", code=f"S75-{n + 10}-1")
        make_officer(section, Role.SECTION_SECRETARY, mfa=False)
    load_all_kits()
    demo.load(stdout=io.StringIO())
    posts = Post.objects.filter(federation=federation)
    assert posts.count() == len(demo.POSTS) >= 40
    assert posts.filter(kind=Post.Kind.QUESTION).count() >= 15
    assert posts.filter(accepted_answer__isnull=False).count() >= 10
    assert posts.filter(highlighted_at__isnull=False).count() >= 3
    assert Comment.objects.count() > 50 and Vote.objects.exists()
    assert KitProposal.objects.get().kit.slug == "preparer-election"
    assert not OutgoingMail.objects.exists()  # past answers mail nobody
    counts = (Post.objects.count(), Comment.objects.count(), Vote.objects.count())
    demo.load(stdout=io.StringIO())
    assert (Post.objects.count(), Comment.objects.count(), Vote.objects.count()) == counts


def test_demo_is_deterministic():
    """Loaded again from scratch on the same federation, the same people write the same
    posts and cast the same votes."""
    federation = make_federation(code="FED75")
    for n in range(3):
        section = make_section(federation, code=f"S75-{n + 10}-1")
        make_officer(section, Role.SECTION_SECRETARY, mfa=False)

    def run():
        demo.load(stdout=io.StringIO())
        rows = sorted(Post.objects.values_list("title", "author_id"))
        votes = sorted(Vote.objects.values_list("post__title", "user_id"))
        Post.objects.all().delete()
        return rows, votes

    first = run()
    assert first == run()
    assert len(first[0]) == len(demo.POSTS) and first[1]
