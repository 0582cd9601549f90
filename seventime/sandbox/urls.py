from django.urls import re_path

from . import views

app_name = "sandbox"
urlpatterns = [re_path(r"^api/1/(?P<path>.*)$", views.endpoint, name="api")]
