"""factory-boy factories for the core. Tenant-owned factories create rows with scopes disabled,
so tests can build fixtures for any tenant without entering its scope."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django_scopes import scopes_disabled

from crm.models import Membership, Role, Tenant


class TenantOwnedFactory(factory.django.DjangoModelFactory):
    """Base for factories of tenant-owned models."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with scopes_disabled():
            return super()._create(model_class, *args, **kwargs)


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Şirket {n} A.Ş.")
    slug = factory.Sequence(lambda n: f"sirket-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Deniz"
    last_name = "Kaya"
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "parola-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    tenant = factory.SubFactory(TenantFactory)
    role = Role.SALES
