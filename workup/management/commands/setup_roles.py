"""Create the roles (groups) and, for a local try-out, demo users with random passwords."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

# Group name -> permissions (app_label.codename). Hematologists review; everyone signed in may save.
ROLES: dict[str, tuple[str, ...]] = {
    "radiologist": (),
    "hematologist": ("workup.review_savedworkup",),
    "resident": (),
}
DEMO_USERS = {"demo-radiologist": "radiologist", "demo-hematologist": "hematologist", "demo-resident": "resident"}


def roles_setup() -> dict[str, Group]:
    """Create or update the groups with exactly their permissions (idempotent)."""
    groups = {}
    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([_permission(p) for p in perms])
        groups[name] = group
    return groups


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


class Command(BaseCommand):
    help = "Create the groups radiologist, hematologist and resident (and demo users with --demo-users)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-users", action="store_true",
            help="Also create one demo user per role with a new random password (printed once). Local try-out only.",
        )  # fmt: skip

    @transaction.atomic
    def handle(self, *args, demo_users: bool = False, **options):
        groups = roles_setup()
        self.stdout.write(f"Roles ready: {', '.join(groups)}.")
        if not demo_users:
            return
        user_model = get_user_model()
        for username, role in DEMO_USERS.items():
            password = secrets.token_urlsafe(12)
            user, _ = user_model.objects.get_or_create(username=username)
            user.set_password(password)
            user.save()
            user.groups.set([groups[role]])
            self.stdout.write(f"{username} ({role}): password {password}")
