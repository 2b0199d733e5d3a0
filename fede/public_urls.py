"""The one explicit list of URL names that anonymous visitors may open.

Each view named here is decorated with ``fede.core.access.public_view``. Every other URL
refuses anonymous users (redirect to the login page); ``tests/test_url_protection.py``
walks the resolver and fails on any view that is public without being listed here.
"""

PUBLIC_URL_NAMES = frozenset(
    {
        # Core
        "core:home",
        "core:healthz",
        "core:theme_css",
        "javascript-catalog",
        # Accounts (django-allauth): login, signup, verification, password reset, the
        # second step of login (MFA code). Names follow the enabled allauth features: turning
        # on login by code or reset by code adds account_request_login_code /
        # account_confirm_password_reset_code.
        "account_login",
        "account_signup",
        "account_confirm_login_code",
        "account_email_verification_sent",
        "account_confirm_email",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
        "account_inactive",
        "account_logout",
        "mfa_authenticate",
        "set_language",
        "admin:login",
        # Public pages of the feature apps are added below, one block per app.
        # Rooms: a room's calendar feed for calendar apps, at an unguessable per-room
        # address; it shows "Réservé — <section>" and times only.
        "rooms:room_ics",
        # Events: the agenda and the pages of public events (the views show only what
        # events_visible_to(user) allows: public events to anonymous visitors), the
        # federation's public calendar feed, the personal and unit feeds at a secret
        # per-user address, and the signed links of registration e-mails (ticket,
        # guest confirmation, cancellation).
        "events:agenda",
        "events:month",
        "events:event_short",
        "events:event_detail",
        "events:event_ics",
        "events:event_image",
        "events:material_download",
        "events:speaker_photo",
        "events:guest_register",
        "events:guest_confirm",
        "events:ticket",
        "events:ticket_ics",
        "events:ticket_cancel",
        "events:public_feed",
        "events:personal_feed",
        "events:unit_feed",
    }
)
