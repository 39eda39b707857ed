from django.contrib.auth import views as auth_views
from django.urls import path

from . import oidc, views
from .login import RateLimitedLoginView

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", RateLimitedLoginView.as_view(), name="login"),
    # Django's sign-out, which also ends the identity provider's session for a person who
    # signed in through OpenID Connect (oidc.py, ProConnect).
    path("logout/", oidc.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke-token"),
]
