"""factory_boy factories for the accounts app: users, all with the one test password."""

from __future__ import annotations

import factory
from django.contrib.auth.hashers import make_password

from sectorwise.accounts.models import User
from sectorwise.core.roles import Role

TEST_PASSWORD = "correct horse battery staple"
# Hashed once, with the test settings' first (fast) hasher.
TEST_PASSWORD_HASH = make_password(TEST_PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.VIEWER
    password = factory.LazyFunction(lambda: TEST_PASSWORD_HASH)
