"""Saved segments: the list, the builder (with the htmx live count), a segment's page (members,
size over runs, snapshots), freezing a snapshot, deleting, and the class thresholds.
Thin: parse, call one service or selector, render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.tenancy.permissions import tenant_permission_required
from segmentation import dashboard_selectors as dashboard
from segmentation import services
from segmentation.dashboard_views import member_page
from segmentation.forms import ClassSettingsForm, SegmentForm, SnapshotForm
from segmentation.models import Dimension, Segment, SegmentRunSize, SegmentSnapshot, Tier
from segmentation.segment_selectors import (
    SegmentCriteria,
    criteria_figures,
    extra_descriptions,
    hand_picked_customer,
    hand_picked_customers,
    hand_picked_segment_id,
    segment_members,
)
from segmentation.selectors import run_last_succeeded


def _segment_form(request: HttpRequest, *, data=None, instance=None, preview=False):
    return SegmentForm(
        data,
        instance=instance,
        tenant=request.tenant,
        industries=dashboard.dimension_values(tenant=request.tenant, dimension=Dimension.INDUSTRY),
        preview=preview,
    )


@login_required
@tenant_permission_required("segments.manage")
@require_GET
def segment_list(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    run = run_last_succeeded(tenant=request.tenant)
    size = SegmentRunSize.objects.filter(segment=OuterRef("pk"), run=run)
    segments = (
        Segment.objects.filter(tenant=request.tenant)
        .select_related("owner")
        .annotate(
            last_customers=Subquery(size.values("customers")[:1]),
            last_revenue=Subquery(size.values("revenue")[:1]),
        )
        .order_by("name", "id")
    )
    return render(request, "segmentation/segments.html", {"segments": segments, "last_run": run})


@login_required
@tenant_permission_required("segments.manage")
@require_http_methods(["GET", "POST"])
def segment_create(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    return _segment_edit(request, segment=None)


@login_required
@tenant_permission_required("segments.manage")
@require_http_methods(["GET", "POST"])
def segment_edit(request: HttpRequest, tenant_slug: str, segment_id: int) -> HttpResponse:
    return _segment_edit(request, segment=get_object_or_404(Segment, pk=segment_id))


def _segment_edit(request: HttpRequest, *, segment: Segment | None) -> HttpResponse:
    form = _segment_form(
        request, data=request.POST if request.method == "POST" else None, instance=segment
    )
    if request.method == "POST" and form.is_valid():
        try:
            if segment is None:
                data = form.service_data() | {"owner": request.user}
                segment = services.segment_create(
                    tenant=request.tenant, actor=request.user, data=data
                )
            else:
                segment = services.segment_update(
                    tenant=request.tenant,
                    segment=segment,
                    actor=request.user,
                    data=form.service_data(),
                )
        except services.SegmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The segment is saved."))
            return redirect(
                "segmentation:segment", tenant_slug=request.tenant.slug, segment_id=segment.pk
            )
    figures = None
    if segment is not None and not form.is_bound:
        figures = criteria_figures(
            tenant=request.tenant, criteria=SegmentCriteria.of(segment), segment_id=segment.pk
        )
    return render(
        request,
        "segmentation/segment_form.html",
        {"form": form, "segment": segment, "figures": figures},
    )


@login_required
@tenant_permission_required("segments.manage")
@require_GET
def segment_preview(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """The builder's live count and revenue share (htmx, on every change); editing a segment
    (?segment=<id>), its hand-picked customers count too."""
    form = _segment_form(request, data=request.GET, preview=True)
    segment_id = hand_picked_segment_id(tenant=request.tenant, value=request.GET.get("segment"))
    figures = None
    if form.is_valid():
        figures = criteria_figures(
            tenant=request.tenant, criteria=form.criteria(), segment_id=segment_id
        )
    return render(request, "segmentation/_segment_preview.html", {"figures": figures, "form": form})


@login_required
@tenant_permission_required("segments.manage")
@require_GET
def segment_detail(request: HttpRequest, tenant_slug: str, segment_id: int) -> HttpResponse:
    tenant = request.tenant
    segment = get_object_or_404(Segment.objects.select_related("owner"), pk=segment_id)
    criteria = SegmentCriteria.of(segment)
    return render(
        request,
        "segmentation/segment.html",
        {
            "segment": segment,
            "figures": criteria_figures(tenant=tenant, criteria=criteria, segment_id=segment.pk),
            "further_criteria": extra_descriptions(tenant=tenant, criteria=criteria),
            "tiers": Tier.objects.filter(tenant=tenant, pk__in=criteria.tier_ids).order_by(
                "position"
            ),
            "page": member_page(request, segment_members(tenant=tenant, segment=segment)),
            "query_string": "",
            "sizes": dashboard.segment_sizes(tenant=tenant, segment=segment),
            "snapshots": SegmentSnapshot.objects.filter(tenant=tenant, segment=segment)
            .select_related("created_by")
            .order_by("-created_at", "-id")[:10],
            "snapshot_form": SnapshotForm(),
            "hand_picked": hand_picked_customers(tenant=tenant, segment=segment),
        },
    )


@login_required
@tenant_permission_required("segments.manage")
@require_http_methods(["GET", "POST"])
def segment_customer_remove(
    request: HttpRequest, tenant_slug: str, segment_id: int, customer_id: int
) -> HttpResponse:
    """GET asks for confirmation; POST takes the hand-picked customer out and says so."""
    segment = get_object_or_404(Segment, pk=segment_id)
    picked = hand_picked_customer(tenant=request.tenant, segment=segment, customer_id=customer_id)
    if request.method == "POST":
        services.segment_customer_remove(
            tenant=request.tenant, actor=request.user, segment=segment, customer_id=customer_id
        )
        messages.success(
            request,
            _("“%(customer)s” is no longer hand-picked into “%(segment)s”.")
            % {"customer": picked.customer.display_name, "segment": segment.name},
        )
        return redirect(
            "segmentation:segment", tenant_slug=request.tenant.slug, segment_id=segment.pk
        )
    return render(
        request,
        "segmentation/segment_customer_remove.html",
        {"segment": segment, "customer": picked.customer},
    )


@login_required
@tenant_permission_required("segments.manage")
@require_POST
def segment_freeze(request: HttpRequest, tenant_slug: str, segment_id: int) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=segment_id)
    form = SnapshotForm(request.POST)
    if form.is_valid():
        snapshot = services.segment_snapshot_create(
            tenant=request.tenant,
            segment=segment,
            actor=request.user,
            note=form.cleaned_data["note"],
        )
        messages.success(
            request,
            _("Snapshot saved: %(count)s customers frozen.") % {"count": snapshot.members_count},
        )
    else:
        messages.error(request, _("The note is too long."))
    return redirect("segmentation:segment", tenant_slug=request.tenant.slug, segment_id=segment.pk)


@login_required
@tenant_permission_required("segments.manage")
@require_http_methods(["GET", "POST"])
def segment_delete(request: HttpRequest, tenant_slug: str, segment_id: int) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=segment_id)
    if request.method == "POST":
        name = segment.name
        services.segment_delete(tenant=request.tenant, segment=segment, actor=request.user)
        messages.success(
            request,
            _("Segment “%(name)s” deleted; its snapshots are kept.") % {"name": name},
        )
        return redirect("segmentation:segments", tenant_slug=request.tenant.slug)
    return render(request, "segmentation/segment_delete.html", {"segment": segment})


@login_required
@tenant_permission_required("settings.manage")
@require_http_methods(["GET", "POST"])
def class_settings(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    current = dashboard.class_settings(tenant=request.tenant)
    form = ClassSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.class_settings_update(
            tenant=request.tenant, actor=request.user, **form.cleaned_data
        )
        messages.success(
            request, _("Thresholds saved; the classes follow them from the next calculation.")
        )
        return redirect("segmentation:pyramid", tenant_slug=request.tenant.slug)
    return render(request, "segmentation/class_settings.html", {"form": form})
