"""The create capability's own form. The entity forms live with their entity
(dashboard/entities/<kind>.py), built with the form framework in dashboard/forms.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import LookupChoiceField, html_attrs


class ProfileForm(forms.Form):
    """Who the signed-in person is in Seven Time."""

    seventime_user = LookupChoiceField(
        "users", label=_("I am, in Seven Time"), empty_label=_("Nobody: ask me every time")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        html_attrs(self)
