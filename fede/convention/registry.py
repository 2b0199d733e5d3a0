"""What the convention app declares to core (see fede.core.registry)."""

from fede.core.registry import AppDeclaration, register

register(AppDeclaration(label="convention"))
