from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import include, path


def profile(request, kind="metadata"):
    response = render(request, "profile.html", {"kind": kind})
    if kind == "header":
        # discovery by the HTTP Link header only
        response["Link"] = '</indieweb/auth/metadata/>; rel="indieauth-metadata"'
    return response


urlpatterns = [
    path("", profile),
    path("legacy/", profile, {"kind": "legacy"}),
    path("header/", profile, {"kind": "header"}),
    path("elsewhere/", profile, {"kind": "elsewhere"}),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("indieweb/", include("indieweb.urls")),
]
