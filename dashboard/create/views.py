"""Create pages. One set of views serves the five create forms (each declared with
its entity in dashboard/entities/); each view checks permission, fetches what it needs, renders.

What a submit can come to, and what the person sees:

* invalid input: the form again, each message at its field;
* the API rejects it (400): the form again with every value and the API's
  message, on the field it names when it names one;
* no answer, a timeout or a 5xx: the form again, intact, with a clear message
  and a way to try again - which first checks whether the record was created;
* created (or created already by an earlier submit of the same form): the
  record's page, with a confirmation.
"""

from __future__ import annotations

import logging
import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from seventime import SevenTimeError, ValidationError

from .. import api_errors
from ..api import account_key, get_client
from ..entities import CREATE_FORMS, PICKERS, RESOURCES
from ..fetch import fetch, forget_lookups, merge_pages
from ..forms import CreateForm, fill_lookup_choices, owners_first
from ..models import CreateAttempt, CreateToken, Profile
from ..sync import copy, read
from . import audit, idempotency
from .forms import ProfileForm

logger = logging.getLogger(__name__)

#: How many matches a picker shows; more means "type more".
PICK_LIMIT = 20


def _form_class(entity: str, user) -> type[CreateForm]:
    form_class = CREATE_FORMS.get(entity)
    if form_class is None:
        raise Http404
    if not user.has_perm(RESOURCES[entity].add_permission):
        raise PermissionDenied
    return form_class


def _me(user) -> tuple[str, str] | None:
    """The Seven Time user linked to this account, as (id, name)."""
    profile = Profile.objects.filter(user=user).exclude(seventime_user_id="").first()
    return (profile.seventime_user_id, profile.seventime_user_name) if profile else None


def _load(form: CreateForm, *, tolerant: bool, options: bool = True) -> SevenTimeError | None:
    """Fill the form's selects from the API. A submitted form must come back
    whatever happens, so with `tolerant` an API failure is returned (the selects
    keep the chosen values) instead of raised. Without `options` the pickers'
    lists are left out: checking a submit does not need them."""
    try:
        results, lookups = fetch(form.api_calls(get_client(), options=options), form.lookups)
    except SevenTimeError as error:
        if not tolerant:
            raise
        form.fill(None, None)
        return error
    form.fill(results, lookups)
    return None


def _load_picker_options(form: CreateForm) -> None:
    """The pickers' first records, for a submitted form shown again (they are
    the choices of a browser without JavaScript). Best effort."""
    try:
        results, _lookups = fetch(form.picker_calls(get_client()))
    except SevenTimeError:
        return
    form.fill_pickers(results)


def _render(request, form: CreateForm, token: str, *, problem: dict | None = None, status: int = 200):
    resource = RESOURCES[form.resource_name]
    if form.is_bound and not (problem and problem.get("offline")):
        _load_picker_options(form)
    if form.is_bound and form.show_errors:
        form.shown_again()
    layout = form.layout()
    context = {
        "form": form,
        "resource": resource,
        "token": token,
        "layout": layout,
        "problem": problem,
        "error_summary": _error_summary(form, layout),
        "validate_url": reverse(f"{resource.name}_validate"),
        "totals": form.row_totals() if hasattr(form, "row_totals") else None,
    }
    response = render(request, "create/form.html", context, status=status)
    if request.method == "POST":
        # A form shown again holds what was typed (personal numbers too): no cache may keep it.
        add_never_cache_headers(response)
    return response


def _error_summary(form: CreateForm, layout: list[dict]) -> list[dict[str, str]]:
    """Every message of a form shown again, in the order of the page, each with
    the id of the input it is about: the summary at the top links to each (on a
    long form the field in error may be screens away)."""
    if not (form.is_bound and form.show_errors):
        return []
    entries = [{"href": "", "label": "", "message": str(error)} for error in form.non_field_errors()]
    active = form.active_formsets()
    for fieldset in layout:
        for item in fieldset["items"]:
            if item["errors"]:
                bound = item["field"]
                # A group of radios or checkboxes: its first one.
                target = f"{bound.auto_id}_0" if item["kind"] in ("choices", "swatches") else bound.auto_id
                entries.append({"href": f"#{target}", "label": bound.label, "message": " ".join(item["errors"])})
        name = fieldset["formset_name"]
        if name not in active or not fieldset["show_errors"]:
            continue
        formset = active[name]
        for number, row in enumerate(formset.forms, 1):
            row_label = (_("Person %(number)d") if name == "distribution" else _("Row %(number)d")) % {"number": number}
            for bound in row:
                if bound.errors:
                    label = _("%(row)s, %(field)s") % {"row": row_label, "field": bound.label}
                    entries.append({"href": f"#{bound.auto_id}", "label": label, "message": " ".join(bound.errors)})
        for error in formset.non_form_errors():
            entries.append({"href": f"#{name}-editor", "label": str(fieldset["legend"]), "message": str(error)})
    return entries


def _confirm(request, resource, upstream_id: str, label: str, *, repeated: bool = False):
    """The record's page with the confirmation - also for a repeated submit,
    which must show the same result; one message even when both submits of a
    double click stored theirs."""
    kind = resource.verbose_name
    text = _("%(kind)s “%(label)s” was created.") % {"kind": kind.capitalize(), "label": label}
    queued = messages.get_messages(request)
    already = [str(message) for message in queued]
    queued.used = False  # looking must not drop them
    if text not in already:
        messages.success(request, text)
    if repeated:
        note = _(
            "This form had been submitted before, so nothing new was created. "
            "To create another %(kind)s, start from “New %(kind)s”."
        ) % {"kind": kind}
        if note not in already:
            messages.info(request, note)
    return redirect(f"{resource.name}_detail", pk=upstream_id)


def _too_many_rows(request, form_class: type[CreateForm]):
    """A 400 answer when a formset's counts in the submitted data are beyond
    its maximum, else None. The counts come from the browser: checked before
    anything loops over them, or one request could ask for billions of rows."""
    for prefix, formset_class in form_class.formset_classes.items():
        for key in ("TOTAL_FORMS", "INITIAL_FORMS"):
            count = request.POST.get(f"{prefix}-{key}", "")
            if count and not (count.isascii() and count.isdigit() and int(count) <= formset_class.max_num):
                context = {
                    "title": _("Too many rows"),
                    "explanation": _(
                        "The form was sent with more rows than it can have (at most %(max)d), so nothing was "
                        "created. Go back to the form, or start a new one."
                    )
                    % {"max": formset_class.max_num},
                    "retry": False,
                    "status": 400,
                }
                template = "errors/inline.html" if request.htmx else "errors/api.html"
                return render(request, template, context, status=400)
    return None


@sensitive_post_parameters("password", "personal_number")
def create_view(request, entity: str):
    form_class = _form_class(entity, request.user)
    me = _me(request.user)
    if request.method == "POST":
        return _too_many_rows(request, form_class) or _submit(request, form_class, me)
    initial = {name: request.GET[name] for name in ("customer", "project", "work_order") if request.GET.get(name)}
    form = form_class(initial=initial, me=me)
    _load(form, tolerant=False)  # nothing typed yet: an API failure is simply the error page
    return _render(request, form, idempotency.new_token())


def _submit(request, form_class: type[CreateForm], me):
    resource = RESOURCES[form_class.resource_name]
    token = request.POST.get("token", "")
    if row_action := request.POST.get("_rows", ""):
        return _with_rows_changed(request, form_class, me, token, row_action)
    form = form_class(request.POST, me=me)
    previous = idempotency.outcome_so_far(token, user=request.user, entity=resource.name) if token else None
    if not _token_of_this_form(token, previous, request.user, resource):
        return _unmatched(request, form)
    if answered := _answer_of_earlier_submit(request, form, token, previous, resource):
        return answered
    error = _load(form, tolerant=True, options=False)
    if error is not None:
        return _render_problem(request, form, token, api_errors.form_problem(error))
    if not form.is_valid():
        return _render(request, form, token)
    return _answer(request, form, token, resource, _create(request, form, token, resource))


def _with_rows_changed(request, form_class: type[CreateForm], me, token: str, row_action: str):
    """The "Add row" or "Remove" button without JavaScript: the same form, one row more or less."""
    form = form_class(_change_rows(request.POST, row_action, form_class), me=me)
    form.show_errors = False
    _load(form, tolerant=True, options=False)
    return _render(request, form, token)


def _token_of_this_form(token: str, previous: CreateToken | None, user, resource) -> bool:
    """Whether the token is well formed and, if submitted before, by this person for this entity."""
    if not idempotency.valid_token(token):
        return False
    return previous is None or (previous.user_id == user.pk and previous.entity == resource.name)


def _unmatched(request, form: CreateForm):
    """The form again, with a new token, when its token is not this form's."""
    form.show_errors = False
    _load(form, tolerant=True, options=False)
    problem = {
        "title": _("Please check and submit again"),
        "explanation": _("This form could not be matched to the page it came from, so nothing was created."),
        "retry": True,
    }
    return _render(request, form, idempotency.new_token(), problem=problem, status=400)


def _answer_of_earlier_submit(request, form: CreateForm, token: str, previous: CreateToken | None, resource):
    """What a form submitted before gets: the record's page when that submit created
    it, "still being saved" while it runs; None when it failed (this submit tries again)."""
    if previous and previous.status == CreateToken.Status.SUCCEEDED:
        audit.record(
            request.user, resource.name, token, {}, CreateAttempt.Outcome.DUPLICATE, upstream_id=previous.upstream_id
        )
        return _confirm(request, resource, previous.upstream_id, previous.label, repeated=True)
    if previous and previous.status == CreateToken.Status.PENDING:
        return _render(request, form, token, problem=_busy(resource), status=409)
    return None


def _create(request, form: CreateForm, token: str, resource) -> idempotency.Result:
    """Create the record of a valid form, at most once for its token."""
    form_class = type(form)
    client = get_client()
    return idempotency.submit(
        token,
        user=request.user,
        entity=resource.name,
        payload=form.payload(),
        create=_kept_in_copy(resource, getattr(client, form_class.create_method)),
        find_existing=_kept_in_copy(resource, lambda payload, since: form_class.find_existing(client, payload, since)),
        describe=form_class.describe,
    )


def _kept_in_copy(resource, call):
    """`call` (a create, or the search for an earlier attempt's record), with the record
    it gives written into the local copy: the list the user returns to shows it at once,
    before the sync's next pass reads it."""

    def run(*args):
        record = call(*args)
        if record is not None:
            try:
                with transaction.atomic():
                    copy.put(account_key(), resource.copy_entity, [record.document()], timezone.now())
            except DatabaseError:
                # The record exists in Seven Time; the sync's next pass brings it into the copy.
                logger.exception("Could not write the created %s into the local copy", resource.name)
        return record

    return run


def _answer(request, form: CreateForm, token: str, resource, result: idempotency.Result):
    """The page a submit that reached the API ends on."""
    if result.succeeded:
        return _created(request, form, resource, result)
    if result.kind == "failed" and isinstance(result.error, ValidationError):
        return _rejected(request, form, token, resource, result.error)
    if result.kind in ("failed", "unknown"):
        problem = api_errors.form_problem(result.error, unknown=result.kind == "unknown", kind=resource.verbose_name)
        return _render_problem(request, form, token, problem)
    if result.kind == "busy":
        return _render(request, form, token, problem=_busy(resource), status=409)
    form.show_errors = False  # "foreign": the token is someone else's
    return _render(request, form, idempotency.new_token(), status=400)


def _created(request, form: CreateForm, resource, result: idempotency.Result):
    if result.kind != "duplicate":
        forget_lookups()  # new names (a new user, say) show at once
    if form.cleaned_data.get("remember_me") and form.cleaned_data.get("created_by_user"):
        _remember(request.user, form)
    return _confirm(request, resource, result.upstream_id, result.label, repeated=result.kind == "duplicate")


def _rejected(request, form: CreateForm, token: str, resource, error: ValidationError):
    """The form again with the API's message, at the field it blames when it names one."""
    placed = form.add_api_error(error.message, error.field, shown=api_errors.explain(error.message))
    problem = api_errors.rejected_problem(error, kind=resource.verbose_name, placed=placed)
    return _render(request, form, token, problem=problem, status=400)


def _render_problem(request, form: CreateForm, token: str, problem: dict):
    return _render(request, form, token, problem=problem, status=problem["status"])


def _busy(resource) -> dict:
    return {
        "title": _("Still being saved"),
        "explanation": _(
            "This form was submitted a moment ago and Seven Time has not answered that submit yet. "
            "Wait a little and press “Try again”: the %(kind)s will not be created twice."
        )
        % {"kind": resource.verbose_name},
        "retry": True,
    }


def _change_rows(data: QueryDict, action: str, form_class: type[CreateForm]) -> QueryDict:
    """Add a row to, or remove one from, a formset in submitted data (the
    buttons' work when JavaScript does not do it in the page)."""
    verb, _colon, target = action.partition(":")
    prefix, _dash, index = target.rpartition("-") if verb == "remove" else (target, "", "")
    if prefix not in form_class.formset_classes:
        return data
    data = data.copy()
    total_key = f"{prefix}-TOTAL_FORMS"
    total = int(data.get(total_key) or 0)  # checked by _too_many_rows
    if verb == "add" and total < form_class.formset_classes[prefix].max_num:
        # The new row starts as the page's empty row does: with the defaults.
        for name, field in form_class.formset_classes[prefix].form.base_fields.items():
            if field.initial not in (None, False):
                data[f"{prefix}-{total}-{name}"] = "on" if field.initial is True else str(field.initial)
        data[total_key] = str(total + 1)
    elif verb == "remove" and index.isdigit() and int(index) < total:
        pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)-(.+)$")
        rows: dict[int, dict[str, list[str]]] = {}
        for key in list(data.keys()):
            match = pattern.match(key)
            if match:
                rows.setdefault(int(match.group(1)), {})[match.group(2)] = data.getlist(key)
                del data[key]
        kept = [rows.get(i, {}) for i in range(total) if i != int(index)]
        for position, row in enumerate(kept):
            for name, values in row.items():
                data.setlist(f"{prefix}-{position}-{name}", values)
        data[total_key] = str(len(kept))
    return data


def _remember(user, form: CreateForm) -> None:
    user_id = form.cleaned_data["created_by_user"]
    name = dict(form.fields["created_by_user"].choices).get(user_id, "")
    Profile.objects.update_or_create(
        user=user, defaults={"seventime_user_id": user_id, "seventime_user_name": str(name)}
    )


@require_POST
def validate_field(request, entity: str):
    """One field's messages, checked as on submit while the person moves on
    (htmx). Uses only cached lookup lists: no API call per keystroke."""
    form_class = _form_class(entity, request.user)
    refused = _too_many_rows(request, form_class)
    if refused:
        return refused
    form = form_class(request.POST, me=_me(request.user))
    html_name = request.GET.get("field", "")
    try:
        _results, lookups = fetch({}, form.lookups)
    except SevenTimeError:
        lookups = None  # checked on submit instead
    form.fill(None, lookups)
    form.is_valid()
    errors = form.errors_for(html_name)
    return render(request, "create/form.html#error", {"error_id": f"id_{html_name}-error", "errors": errors})


@require_GET
def contact_persons(request, entity: str):
    """The contact person select for the chosen customer (htmx, when it changes)."""
    form_class = _form_class(entity, request.user)
    if not request.user.has_perm("dashboard.view_customers"):
        raise PermissionDenied
    customer = request.GET.get("customer", "")
    form = form_class(initial={"customer": customer}, me=_me(request.user))
    failed = False
    contacts = read.related("contact_persons", "customer_id", customer, order="name_key") if customer else None
    try:
        if customer and contacts is None:  # the copy not complete yet
            contacts = get_client().list_contact_persons(customer_id=customer, sort_by="name")
    except SevenTimeError:
        contacts, failed = None, True
    form.fill({"contacts": contacts} if contacts is not None else {}, None)
    if failed:
        form.fields["contact_person"].choices = [("", api_errors.contacts_failed())]
    return render(request, "create/form.html#field", {"item": form.describe_field("contact_person"), "form": form})


@require_GET
def pick(request, kind: str):
    """Matches for a live-search picker: options for its listbox (htmx)."""
    source = PICKERS.get(kind)
    if source is None:
        raise Http404
    if not request.user.has_perm(RESOURCES[source.resource].permission):
        raise PermissionDenied
    field = request.GET.get("field", kind)
    query = request.GET.get(f"{field}_search", "").strip()
    owner = request.GET.get("customer", "")  # sent by pickers narrowed by the chosen customer
    context = {"field": field, "query": query, "items": [], "more": False, "failed": ""}
    # Every record, ranked, from the local copy; until its first sync is complete, from Seven Time.
    found = source.from_copy(query, owner=owner, limit=PICK_LIMIT)
    if found is None:
        client = get_client()
        calls = source.search(client, query) if query else {"first": source.first(client)}
        try:
            results, _lookups = fetch(calls)
        except SevenTimeError:
            context["failed"] = api_errors.picker_failed()
            return render(request, "create/picker_results.html", context)
        records, truncated = merge_pages(results.values())
        if owner:
            records = owners_first(records, owner)
        found = records[:PICK_LIMIT], truncated or len(records) > PICK_LIMIT
    records, context["more"] = found
    context["items"] = [
        {
            "id": record.id,
            "label": source.label(record),
            "detail": source.detail(record),
            "payment_days": getattr(record, "payment_days", None),
        }
        for record in records
    ]
    return render(request, "create/picker_results.html", context)


def my_settings(request):
    """Who the signed-in person is in Seven Time (for created-by and our reference).
    Only for people who can create something: it lists every Seven Time user."""
    if not any(request.user.has_perm(resource.add_permission) for resource in RESOURCES.values()):
        raise PermissionDenied
    profile = Profile.objects.filter(user=request.user).first()
    form = ProfileForm(request.POST or None, initial={"seventime_user": profile.seventime_user_id if profile else ""})
    _results, lookups = fetch({}, ("users",))
    fill_lookup_choices(form, lookups)
    if request.method == "POST" and form.is_valid():
        user_id = form.cleaned_data["seventime_user"]
        name = lookups["users"][user_id].label if user_id else ""
        Profile.objects.update_or_create(
            user=request.user, defaults={"seventime_user_id": user_id, "seventime_user_name": name}
        )
        messages.success(request, _("Your settings were saved."))
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("my_settings")
        return redirect(target)
    return render(request, "create/settings.html", {"form": form, "next": request.GET.get("next", "")})
