from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("dashboard.create.urls")),
    path("", include("dashboard.overview.urls")),
    path("", include("dashboard.sync.urls")),
    path("", include("dashboard.receivables.urls")),
    path("", include("dashboard.workbench.urls")),
]
if settings.SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/", include("seventime.sandbox.urls")))
# Last: its detail pages take any word after a list's address.
urlpatterns.append(path("", include("dashboard.browse.urls")))

handler403 = "dashboard.browse.views.permission_denied"
handler404 = "dashboard.browse.views.page_not_found"
handler500 = "dashboard.browse.views.server_error"
