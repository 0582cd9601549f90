"""The Django admin: each account's Seven Time user (the create forms' default
creator and our reference), and a read-only view of the create log."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from seventime import SevenTimeError

from .fetch import fetch
from .models import CreateAttempt, Profile

# The dashboard's name, not Django's, in the admin's header and the browser's title.
admin.site.site_header = _("Seven Time dashboard: administration")
admin.site.site_title = _("Seven Time dashboard")
admin.site.index_title = _("Administration")


class ProfileAdminForm(forms.ModelForm):
    """The Seven Time user picked by name from the API's users; when the API
    cannot be reached, typed as an id instead."""

    class Meta:
        model = Profile
        fields = ("user", "seventime_user_id")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        try:
            _results, lookups = fetch({}, ("users",))
        except SevenTimeError:
            return
        self.users = lookups["users"]
        choices = [(user.id, user.label) for user in sorted(self.users.values(), key=lambda u: u.label.casefold())]
        self.fields["seventime_user_id"] = forms.ChoiceField(
            label=_("Seven Time user"), required=False, choices=[("", _("Nobody: ask every time")), *choices]
        )

    def save(self, commit=True):
        users = getattr(self, "users", {})
        user_id = self.cleaned_data["seventime_user_id"]
        if user_id in users:
            self.instance.seventime_user_name = users[user_id].label
        elif not user_id:
            self.instance.seventime_user_name = ""
        return super().save(commit)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    form = ProfileAdminForm
    list_display = ("user", "seventime_user_name", "seventime_user_id")
    search_fields = ("user__username", "seventime_user_name", "seventime_user_id")
    autocomplete_fields = ("user",)


@admin.register(CreateAttempt)
class CreateAttemptAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "entity", "outcome", "upstream_id")
    list_filter = ("entity", "outcome")
    search_fields = ("username", "upstream_id", "error")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
