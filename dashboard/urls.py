from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .resources import RESOURCES

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("dashboard.create_urls")),
    path("", include("dashboard.overview_urls")),
]
if settings.SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/", include("seventime.sandbox.urls")))
for name, resource in RESOURCES.items():
    urlpatterns += [
        path(f"{name}/", views.list_view, {"resource": resource}, name=f"{name}_list"),
        path(f"{name}/<str:pk>/", views.detail_view, {"resource": resource}, name=f"{name}_detail"),
    ]

handler403 = "dashboard.views.permission_denied"
handler404 = "dashboard.views.page_not_found"
handler500 = "dashboard.views.server_error"
