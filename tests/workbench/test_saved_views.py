"""Saved views (issue 16): a list's filters and sort saved under a name, in the
navigation, renamed and deleted by their owner, and shared as the list's own link."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from dashboard.models import SavedView
from tests.browse.pages import text

pytestmark = pytest.mark.django_db


def menu(page: str) -> list[tuple[str, str]]:
    found = re.search(r'<details class="dropdown saved-views-menu">(.*?)</details>', page, re.S)
    assert found, "no saved views menu"
    return [(href.replace("&amp;", "&"), text(body)) for href, body in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', found.group(1), re.S)]


def save(client, name, kind="invoices", query="state=overdue&sort=due_date&dir=ascending&page=3&export=csv", follow=True):
    return client.post("/views/save/", {"name": name, "kind": kind, "query": query, "next": "/"}, follow=follow)


def test_a_saved_view_keeps_filters_and_sort_and_opens_from_the_navigation(copied, office_client):
    response = save(office_client, "Overdue, oldest first")
    # Back on the list, with its filters: the page number and the download are not kept.
    assert response.redirect_chain[-1][0] == "/invoices/?state=overdue&sort=due_date&dir=ascending"
    page = response.content.decode()
    assert "Saved the view “Overdue, oldest first”" in text(page)
    assert ("/invoices/?state=overdue&sort=due_date&dir=ascending", "Overdue, oldest first · Invoices") in menu(page)
    # On every page.
    assert ("/invoices/?state=overdue&sort=due_date&dir=ascending", "Overdue, oldest first · Invoices") in menu(
        office_client.get("/customers/").content.decode()
    )
    # The list page offers to save, with the current query.
    list_page = office_client.get("/invoices/?state=overdue&sort=due_date&dir=ascending").content.decode()
    assert 'name="query" value="state=overdue&amp;sort=due_date&amp;dir=ascending"' in list_page
    # The link restores the filters: the state select shows "Overdue".
    assert re.search(r'<option value="overdue" selected>', list_page)


def test_saving_the_same_name_again_replaces_the_query(office_client):
    save(office_client, "Mine", query="state=draft")
    save(office_client, "Mine", query="state=paid")
    assert list(SavedView.objects.values_list("name", "query")) == [("Mine", "state=paid")]


def test_the_link_works_for_another_user_who_may_see_the_list_and_not_for_one_who_may_not(
    copied, office_client, manager_user, plain_user
):
    save(office_client, "Overdue", query="state=overdue")
    view = SavedView.objects.get()
    other = Client()
    other.force_login(manager_user)
    shared = other.get(f"/invoices/?{view.query}")
    assert shared.status_code == 200
    assert re.search(r'<option value="overdue" selected>', shared.content.decode())
    # Shared, not given: the other user's menu holds only their own views.
    assert menu(shared.content.decode()) == [("/views/", "Manage saved views")]
    other.force_login(plain_user)
    assert other.get(f"/invoices/?{view.query}").status_code == 403


def test_a_view_of_a_list_the_user_may_not_see_is_not_saved(office_client):
    response = save(office_client, "Users", kind="users", query="", follow=False)
    assert response.status_code == 403
    assert not SavedView.objects.exists()


def test_a_view_without_a_name_is_not_saved_and_says_why(office_client):
    response = save(office_client, "  ")
    assert "The view was not saved: give it a name" in text(response.content.decode())
    assert not SavedView.objects.exists()


def test_rename_and_delete_from_the_saved_views_page(office_client):
    save(office_client, "Draft invoices", query="state=draft")
    save(office_client, "Paid", query="state=paid")
    draft, paid = SavedView.objects.order_by("name")
    page = office_client.get("/views/").content.decode()
    assert "http://testserver/invoices/?state=draft" in page  # the link to share
    response = office_client.post(f"/views/{draft.pk}/rename/", {"name": "Not sent"}, follow=True)
    assert "Renamed “Draft invoices” to “Not sent”." in text(response.content.decode())
    response = office_client.post(f"/views/{draft.pk}/rename/", {"name": "Paid"}, follow=True)
    assert "you already have a view of this list called “Paid”" in text(response.content.decode())
    response = office_client.post(f"/views/{paid.pk}/delete/", follow=True)
    assert "Deleted the view “Paid”." in text(response.content.decode())
    assert list(SavedView.objects.values_list("name", flat=True)) == ["Not sent"]


def test_nobody_renames_or_deletes_another_users_view(office_client, manager_user):
    save(office_client, "Mine", query="state=draft")
    view = SavedView.objects.get()
    other = Client()
    other.force_login(manager_user)
    assert other.post(f"/views/{view.pk}/rename/", {"name": "Theirs"}).status_code == 404
    assert other.post(f"/views/{view.pk}/delete/").status_code == 404
    assert other.get("/views/").content.decode().count("Mine") == 0
    assert SavedView.objects.get().name == "Mine"


def test_a_name_with_html_is_shown_as_text(office_client):
    save(office_client, "<b>bold</b>", query="state=draft")
    page = office_client.get("/views/").content.decode()
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
