"""Who may reach the kits pages (writes are checked by the services with kits.* capabilities).

``kits.author`` (federation) and ``kits.run`` (section officers, on their section; federal
offices on their subtree) are capabilities defined in registry.py. On top of them:

- ``kits.library``: the library is for whoever runs or writes kits;
- ``kits.task``: a task may be updated by the officers of its section or by its assignee.
"""

import rules

from fede.organization.roles import can, capabilities_anywhere


@rules.predicate
def runs_or_writes_kits(user):
    caps = capabilities_anywhere(user)
    return "kits.run" in caps or "kits.author" in caps


@rules.predicate
def is_assignee(user, task):
    return task is not None and user.is_authenticated and task.assignee_id == user.pk


@rules.predicate
def runs_the_section(user, task):
    return task is not None and can(user, "kits.run", task.run.section)


rules.add_perm("kits.library", runs_or_writes_kits)
rules.add_perm("kits.task", is_assignee | runs_the_section)
