"""Users: the list (filters, columns) and the create form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..forms import (
    CLOCK_SKEW,
    CODE_LENGTH,
    EMAIL_LENGTH,
    NAME_LENGTH,
    PASSWORD_LENGTH,
    PHONE_LENGTH,
    CreateForm,
    Fieldset,
    LookupChoiceField,
    compact,
    first_created_after,
    same_text,
)
from ..identifiers import PhoneField
from ..templatetags.dashboard import lookup_name
from ..collation import fold
from ..vocabulary import LANGUAGES
from . import cells
from .base import YES_NO, Column, FilterForm, Resource, lookup_field, lookup_label


class UserFilters(FilterForm):
    api_filters = (
        "name",
        "person_number",
        "department",
        "user_role",
        "is_active",
        "is_activated",
        "default_salary_type",
        "user_skills",
    )
    name = forms.CharField(label=_("Name"), required=False)
    person_number = forms.CharField(label=_("Personal number"), required=False)
    department = lookup_field(_("Department"), "departments")
    user_role = lookup_field(_("Role"), "user_roles")
    is_active = forms.ChoiceField(label=_("Active"), choices=YES_NO, required=False)
    is_activated = forms.ChoiceField(label=_("Activated"), choices=YES_NO, required=False)
    default_salary_type = lookup_field(_("Salary type"), "salary_types")
    user_skills = lookup_field(_("Skill"), "user_skills")
    # The name (first, last and user name), activation, salary type and skills: in Python (Users.api_match).
    copy_lookups = {"department": "department", "user_role": "role", "is_active": "active"}


# --- the create form ---


RETYPE_PASSWORD = _("Type the password again: a password is never shown again in the page.")


class RetypedPasswordInput(forms.PasswordInput):
    """A password input that never writes a typed password back into the page.
    When a submitted form comes back, a hidden marker says that one had been
    typed, so that the form asks for it again rather than losing it unnoticed."""

    marker = "password_typed"
    typed = False  # set per form

    def __init__(self, attrs=None):
        super().__init__(attrs, render_value=False)

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        return html + format_html('<input type="hidden" name="{}" value="1">', self.marker) if self.typed else html


class UserForm(CreateForm):
    resource_name = "users"
    create_method = "create_user"
    lookups = ("user_roles",)

    first_name = forms.CharField(label=_("First name"), max_length=NAME_LENGTH)
    last_name = forms.CharField(label=_("Last name"), max_length=NAME_LENGTH)
    email = forms.EmailField(label=_("E-mail"), max_length=EMAIL_LENGTH)
    user_name = forms.CharField(
        label=_("Username"),
        max_length=NAME_LENGTH,
        help_text=_("What the person logs in to Seven Time with. Must be unique."),
    )
    user_role = LookupChoiceField("user_roles", label=_("Role"), required=True, empty_label=_("Choose…"))
    employee_number = forms.CharField(label=_("Employee number"), required=False, max_length=CODE_LENGTH)
    work_phone = PhoneField(label=_("Work phone"), required=False, max_length=PHONE_LENGTH)
    cell_phone = PhoneField(label=_("Mobile phone"), required=False, max_length=PHONE_LENGTH)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, initial="SV")
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    is_activated = forms.BooleanField(
        label=_("Activated"), required=False, help_text=_("Tick if the account can be used at once.")
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=PASSWORD_LENGTH,
        required=False,
        widget=RetypedPasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Optional. Never stored by the dashboard."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].widget.typed = self.is_bound and bool(
            self.data.get("password") or self.data.get(RetypedPasswordInput.marker)
        )

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not password and self.data.get(RetypedPasswordInput.marker):
            # Typed before, and the page could not keep it: never create the user without it unnoticed.
            raise ValidationError(RETYPE_PASSWORD)
        return password

    def shown_again(self) -> None:
        if self.fields["password"].widget.typed and "password" not in self.errors:
            self.add_error("password", RETYPE_PASSWORD)

    fieldsets = (
        Fieldset(_("Person"), ("first_name", "last_name", "email", "work_phone", "cell_phone", "employee_number")),
        Fieldset(_("Account"), ("user_name", "user_role", "language", "is_active", "is_activated", "password")),
    )
    api_names = {"userRoleId": "user_role", "userRolesId": "user_role"}

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        role = data["user_role"]
        return compact(
            {
                "firstName": data["first_name"],
                "lastName": data["last_name"],
                "email": data["email"],
                "userName": data["user_name"],
                # Roles are numbered; the reference's example sends the number.
                "userRoleId": int(role) if role.isdigit() else role,
                "employeeNumber": data["employee_number"],
                "workPhone": data["work_phone"],
                "cellPhone": data["cell_phone"],
                "isActive": data["is_active"],
                "isActivated": data["is_activated"],
                "password": data["password"],
                "language": data["language"],
            }
        )

    @classmethod
    def find_existing(cls, client, payload, since):
        # The username is unique: a user who has it and was created since the
        # attempt began is the one that attempt made.
        wanted = payload["userName"]
        found = (u for u in client.list_users(name=wanted) if same_text(u.user_name, wanted))
        return first_created_after(found, since - CLOCK_SKEW, "created_date")

    @staticmethod
    def describe(record) -> str:
        return f"{record.full_name} ({record.user_name})"


# --- the list ---


class Users(Resource):
    name = "users"
    verbose_name = _("user")
    verbose_name_plural = _("users")
    permission = "dashboard.view_users"
    list_method = "list_users"
    get_method = "get_user"
    filter_form = UserFilters
    all_columns = (
        # Sorted by last name (then first name), so shown "Last, First": order and names agree.
        Column("name", _("Name"), cells.link("users", "sorted_name"), sort="lastName", card="title"),
        Column("first_name", _("First name"), export="first_name"),
        Column("last_name", _("Last name"), export="last_name"),
        Column("user_name", _("Username"), cells.text("user_name"), sort="userName", export="user_name", card="sub"),
        Column("email", _("E-mail"), cells.email("email"), sort="email", export="email"),
        Column("employee_number", _("Employee number"), export="employee_number", export_kind="id"),
        Column(
            "role",
            _("Role"),
            cells.name_of("user_roles", "user_role_id"),
            sort="userRoleId",
            shown_name=lambda user, lookups: lookup_name(lookups["user_roles"], user.user_role_id),
            export=lambda user, lookups: lookup_label(lookups["user_roles"], user.user_role_id),
            card="sub",
        ),
        Column(
            "department",
            _("Department"),
            cells.name_of("departments", "department", fallback="department_name", optional=True),
            sort="departmentName",
            export=lambda user, lookups: lookup_label(lookups["departments"], user.department) or user.department_name,
        ),
        Column("mobile", _("Mobile"), export="cell_phone"),
        Column("active", _("Active"), cells.active, sort="isActive", export="is_active", card="state"),
    )
    default_sort = ("name", "ascending")
    copy_entity = "users"
    copy_sorts = {"lastName": "name_key", "isActive": "active"}  # name: last name, then first name
    lookups = ("user_roles", "departments", "salary_types", "user_skills")
    search_hint = _("Narrow the list by name, department or role.")
    create_form = UserForm

    def api_match(self, record, data, fields):
        # As Seven Time matches them (the sandbox mirrors it): text anywhere, case folded.
        checks = {
            "name": lambda: fold(data["name"]) in fold(f"{record.first_name} {record.last_name} {record.user_name}"),
            "person_number": lambda: fold(data["person_number"]) in fold(record.personal_number),
            "department": lambda: record.department == data["department"],
            "user_role": lambda: str(record.user_role_id) == data["user_role"],
            "is_active": lambda: record.is_active == (data["is_active"] == "true"),
            "is_activated": lambda: record.is_activated == (data["is_activated"] == "true"),
            "default_salary_type": lambda: record.default_salary_type == data["default_salary_type"],
            "user_skills": lambda: data["user_skills"] in record.user_skills,
        }
        return all(checks[field]() for field in fields)
