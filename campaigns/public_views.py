"""The two pages a customer reaches from a campaign message, without signing in: the tracked
link (records the click, then leads to the offer) and the unsubscribe page. The signed token
names the tenant; the page runs inside that tenant's scope."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from django_scopes import scope

from campaigns import links, services
from crm.models import Tenant


def _tenant_of(target: links.LinkTarget) -> Tenant:
    tenant = Tenant.objects.filter(pk=target.tenant_id, is_active=True).first()
    if tenant is None:
        raise Http404
    return tenant


def _target(token: str, salt: str) -> links.LinkTarget:
    try:
        return links.read_token(token, salt=salt)
    except links.InvalidLink as exc:
        raise Http404 from exc


@require_GET
def click(request: HttpRequest, token: str) -> HttpResponse:
    target = _target(token, links.CLICK_SALT)
    tenant = _tenant_of(target)
    with scope(tenant=tenant):
        url = services.click_record(tenant=tenant, recipient_id=target.recipient_id)
    if url is None:
        raise Http404
    return redirect(url)


# Mail programs send the one-click unsubscribe (RFC 8058) as a POST without a CSRF token; the
# signed token is what authorises it.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    target = _target(token, links.UNSUBSCRIBE_SALT)
    tenant = _tenant_of(target)
    with scope(tenant=tenant):
        recipient = services.unsubscribe_target(tenant=tenant, recipient_id=target.recipient_id)
        if recipient is None:
            raise Http404
        context = {"tenant": tenant, "recipient": recipient, "done": False}
        if request.method == "POST":
            services.unsubscribe(tenant=tenant, recipient=recipient)
            context["done"] = True
        return render(request, "campaigns/unsubscribe.html", context)
