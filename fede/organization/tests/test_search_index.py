"""Member search on PostgreSQL: trigram indexes (migration 0002) and the search order."""

import pytest
from django.db import connection
from django.urls import reverse

from fede.organization import selectors

from . import screens
from .factories import MemberFactory

pytestmark = pytest.mark.django_db
paris = screens.paris  # fixture

INDEXES = {
    "organization_member_last_name_trgm": "upper((last_name)::text) gin_trgm_ops",
    "organization_member_first_name_trgm": "upper((first_name)::text) gin_trgm_ops",
    "organization_member_email_trgm": "upper((email)::text) gin_trgm_ops",
    "organization_member_number_trgm": "upper((membership_number)::text) gin_trgm_ops",
}


@pytest.mark.postgres
def test_member_search_trigram_indexes(client, paris):
    """The migration builds one GIN trigram index per searched column, on the expression
    Django's icontains writes, and a search still finds the same members in name order."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'organization_member'"
        )
        found = dict(cursor.fetchall())
    for name, expression in INDEXES.items():
        assert name in found
        assert "USING gin" in found[name] and expression in found[name]

    names = ["Martinez", "Lamartine", "Dupont", "Martin", "Bernard"]
    for i, last_name in enumerate(names):
        section = paris.s11 if i % 2 else paris.s15
        MemberFactory(section=section, last_name=last_name, first_name="Jeanne")
    MemberFactory(section=paris.s11, last_name="Petit", first_name="Martine")
    MemberFactory(section=paris.s15, last_name="Roux", email="r.martin@example.org")
    user = paris.user("first_secretary")

    found = list(selectors.member_search(user, q="mArTiN").values_list("last_name", flat=True))
    assert found == ["Lamartine", "Martin", "Martinez", "Petit", "Roux"]
    reverse_order = selectors.member_search(user, q="martin", sort="-name")
    assert list(reverse_order.values_list("last_name", flat=True)) == found[::-1]

    client.force_login(user)
    response = client.get(reverse("organization:member_list"), {"q": "martin"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "LAMARTINE" in page and "ROUX" in page and "DUPONT" not in page
