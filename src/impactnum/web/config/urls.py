"""All routes, one list: pages per app, the JSON API under /api/, language switching."""

from django.urls import include, path

urlpatterns = [
    path("", include("impactnum.web.core.urls")),
    path("oidc/", include("impactnum.web.core.oidc")),
    path("projects/", include("impactnum.web.reports.urls")),
    path("projects/", include("impactnum.web.projects.urls")),
    path("fleet/", include("impactnum.web.fleet.urls")),
    path("reuse/", include("impactnum.web.reuse.urls")),
    path("plan/", include("impactnum.web.plan.urls")),
    path("territory/", include("impactnum.web.territory.urls")),
    path("ecodesign/", include("impactnum.web.ecodesign.urls")),
    path("public/", include("impactnum.web.territory.public_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("impactnum.web.api.urls")),
]
