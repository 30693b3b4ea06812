from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """User administration (pages, forms, services), the sign-in backend and `demo_users`.

    The users' party memberships and role names stay in agreements: membership decides the
    visibility rule every app uses, so the ground app states it.
    """

    name = "people"
    verbose_name = "People"
