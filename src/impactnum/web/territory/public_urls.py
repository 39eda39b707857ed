"""The public, read-only pages (no login), namespace `public`; the exports are under
/api/open-data/ (api/territory.py)."""

from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    path("", views.public_index, name="index"),
    path("<slug:slug>/", views.public_page, name="organisation"),
]
