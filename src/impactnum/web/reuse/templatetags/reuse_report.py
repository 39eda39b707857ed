"""Template tags of the reuse report: the materials estimate of one WEEE shipment, for the block
included on the shipment page (`reuse/report_shipment_materials.html`)."""

from typing import Any

from django import template

from impactnum.web.core.permissions import VIEW_BENEFICIARIES, organisations_for
from impactnum.web.reuse.materials import shipment_materials as _estimate
from impactnum.web.reuse.views_report import material_rows

register = template.Library()


@register.simple_tag
def shipment_materials(shipment: Any) -> dict[str, Any]:
    """`{% shipment_materials shipment as est %}`: the estimate with French material labels."""
    est = _estimate(shipment)
    return {**est, "materials": material_rows(est)}


@register.simple_tag(takes_context=True)
def people_access(context: Any) -> dict[str, bool]:
    """`{% people_access as pa %}`: may the user see beneficiaries (pa.people), and the privacy
    log (pa.manager)? Used by the reuse navigation to hide links that would answer 403."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"people": False, "manager": False}
    orgs = organisations_for(user, VIEW_BENEFICIARIES)
    return {
        "people": orgs.exists(),
        "manager": orgs.filter(
            memberships__user=user, memberships__role__in=("administrator", "manager")
        ).exists(),
    }
