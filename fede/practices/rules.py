"""Who may reach the practices space (writes are checked by the services).

``practices.participate`` is granted by every office (registry.py) on its unit. A post
belongs to a federation, above the sections: ``practices.view`` answers "does the user
hold an office in this post's federation (or above it)?" — and, with no object, "does the
user hold an office anywhere?". ``practices.moderate`` and ``practices.highlight`` are
plain capabilities of the federation's offices, checked on the post's federation.
"""

import rules

from fede.organization.roles import capabilities_anywhere

from .models import PARTICIPATE, VIEW, reaches_federation


@rules.predicate
def takes_part(user, obj=None):
    if obj is None:
        return PARTICIPATE in capabilities_anywhere(user)
    federation = getattr(obj, "permission_unit", None)
    return federation is not None and reaches_federation(user, federation)


rules.add_perm(VIEW, takes_part)
