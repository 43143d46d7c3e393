"""factory-boy factories for the core. Tenant-owned factories create rows with scopes disabled,
so tests can build fixtures for any tenant without entering its scope."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from crm.models import Membership, Role, Tenant
from crm.rls import every_tenant_unaudited


class TenantOwnedFactory(factory.django.DjangoModelFactory):
    """Base for factories of tenant-owned models."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Any tenant's rows, also from inside another tenant's scope: row-level security's
        # bypass too (crm/rls.py), not only the scopes'.
        with every_tenant_unaudited(reason="test factories"):
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


# --- customers -------------------------------------------------------------------------------

from decimal import Decimal  # noqa: E402

from django.utils import timezone  # noqa: E402

from customers.models import (  # noqa: E402
    ContactChannel,
    Customer,
    CustomerKind,
    Feedback,
    FeedbackKind,
    Interaction,
    Product,
    ProductCategory,
    Transaction,
)


class CustomerFactory(TenantOwnedFactory):
    class Meta:
        model = Customer

    tenant = factory.SubFactory(TenantFactory)
    kind = CustomerKind.PERSON
    first_name = factory.Faker("first_name", locale="tr_TR")
    last_name = factory.Faker("last_name", locale="tr_TR")
    city = "İstanbul"
    region = "Marmara"


class CompanyCustomerFactory(CustomerFactory):
    kind = CustomerKind.COMPANY
    first_name = ""
    last_name = ""
    company_name = factory.Faker("company", locale="tr_TR")


class ProductCategoryFactory(TenantOwnedFactory):
    class Meta:
        model = ProductCategory
        django_get_or_create = ("tenant", "name")

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Kategori {n}")


class ProductFactory(TenantOwnedFactory):
    class Meta:
        model = Product

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Ürün {n}")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    category = factory.SubFactory(ProductCategoryFactory, tenant=factory.SelfAttribute("..tenant"))


class TransactionFactory(TenantOwnedFactory):
    class Meta:
        model = Transaction

    customer = factory.SubFactory(CustomerFactory)
    tenant = factory.SelfAttribute("customer.tenant")
    occurred_at = factory.LazyFunction(timezone.now)
    amount = Decimal("100.00")
    cost = Decimal("60.00")


class InteractionFactory(TenantOwnedFactory):
    class Meta:
        model = Interaction

    customer = factory.SubFactory(CustomerFactory)
    tenant = factory.SelfAttribute("customer.tenant")
    channel = ContactChannel.PHONE
    subject = "Teklif görüşmesi"


class FeedbackFactory(TenantOwnedFactory):
    class Meta:
        model = Feedback

    customer = factory.SubFactory(CustomerFactory)
    tenant = factory.SelfAttribute("customer.tenant")
    kind = FeedbackKind.COMPLAINT
    text = "Teslimat gecikti."
