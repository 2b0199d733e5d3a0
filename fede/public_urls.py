"""The URL names anonymous visitors may open: each app declares its own in ``registry.py``.

Each view named there is decorated with ``fede.core.access.public_view``. Every other URL
refuses anonymous users (redirect to the login page); ``tests/test_url_protection.py``
walks the resolver and fails on a view that is public without being declared, or that
carries none of the access decorators.
"""

from fede.core import registry


def public_url_names() -> frozenset[str]:
    return registry.public_url_names()
