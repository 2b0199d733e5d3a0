from .roles import capabilities_anywhere


def offices(request):
    """``user_caps``: the capabilities the user holds somewhere (navigation adapts to it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_caps": frozenset()}
    return {"user_caps": capabilities_anywhere(user)}
