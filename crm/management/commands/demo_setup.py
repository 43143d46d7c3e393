"""Create (or reuse) the demo tenant with one user per role, and load each app's demo data."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django_scopes import scope

from crm.demo import run_demo_loaders
from crm.models import Role, Tenant
from crm.services import demo_user_ensure, membership_set, tenant_create

DEMO_SLUG = "demo"
DEMO_PASSWORD = "demo-parola-2026"
DEMO_USERS = [
    ("yonetici", "Ayşe", "Yıldız", Role.ADMIN),
    ("mudur", "Mehmet", "Şahin", Role.MANAGER),
    ("satis", "Elif", "Güneş", Role.SALES),
]


class Command(BaseCommand):
    help = "Create the demo tenant, its users (one per role) and demo data; safe to run again."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--size", choices=["small", "medium"], default="small")
        parser.add_argument(
            "--url",
            default="",
            help="Where the site will be served (make run passes it): printed with the logins.",
        )
        parser.add_argument(
            "--reload",
            action="store_true",
            help="Load demo data even if the demo tenant already has some.",
        )

    def handle(self, *args, size: str, reload: bool, url: str = "", **options) -> None:
        tenant = Tenant.objects.filter(slug=DEMO_SLUG).first()
        fresh = tenant is None
        if fresh:
            tenant = tenant_create(name="Demo Ticaret A.Ş.", slug=DEMO_SLUG)
        for username, first_name, last_name, role in DEMO_USERS:
            user = demo_user_ensure(
                username=username,
                password=DEMO_PASSWORD,
                first_name=first_name,
                last_name=last_name,
                email=f"{username}@demo.example",
            )
            membership_set(tenant=tenant, user=user, role=role)
        if fresh or reload:
            with scope(tenant=tenant):
                for line in run_demo_loaders(tenant=tenant, size=size):
                    self.stdout.write(f"  {line}")
        else:
            self.stdout.write("Demo tenant exists; keeping its data (use --reload to add more).")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {DEMO_PASSWORD}):"))
        for username, _first, _last, role in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {role.label}  → /{DEMO_SLUG}/")
        if url:
            self.stdout.write(self.style.SUCCESS(f"Open {url}"))
