"""The fast row filters give exactly what the Django tags they replace give."""

import datetime as dt

import pytest
from django.template import engines
from django.urls import reverse, set_script_prefix
from django.utils import timezone

UTC = dt.UTC


def render(source: str, **context) -> str:
    return engines["django"].from_string("{% load dashboard %}" + source).render(context)


MOMENTS = [
    dt.datetime(2020, 11, 4, 23, 0, tzinfo=UTC),  # 5 Nov 00:00 in Stockholm
    dt.datetime(2020, 11, 4, 22, 59, 59, tzinfo=UTC),  # still 4 Nov 23:59
    dt.datetime(2026, 3, 29, 0, 59, tzinfo=UTC),  # just before summer time starts
    dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # 03:00 summer time
    dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # the hour that happens twice
    dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC),  # New Year in Stockholm
]


@pytest.mark.parametrize("moment", MOMENTS, ids=str)
def test_ymd_and_ymd_hm_equal_the_date_filter_in_stockholm(moment):
    assert render("{{ m|ymd }}", m=moment) == render('{{ m|date:"Y-m-d" }}', m=moment)
    assert render("{{ m|ymd_hm }}", m=moment) == render('{{ m|date:"Y-m-d H:i" }}', m=moment)


def test_ymd_shows_the_stockholm_day_and_nothing_for_no_date():
    assert render("{{ m|ymd }}", m=dt.datetime(2020, 11, 4, 23, 0, tzinfo=UTC)) == "2020-11-05"
    assert render("{{ m|ymd_hm }}", m=dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) == "2026-03-29 03:00"
    assert render("{{ m|ymd }}", m=dt.date(2026, 1, 2)) == "2026-01-02"
    assert render("[{{ m|ymd }}][{{ m|ymd_hm }}]", m=None) == "[][]"


def test_ymd_follows_the_active_time_zone():
    moment = dt.datetime(2020, 11, 4, 23, 0, tzinfo=UTC)
    with timezone.override("UTC"):
        assert render("{{ m|ymd }}", m=moment) == "2020-11-04"


IDS = ["5bae34dca878bd790d02065g", "59d05abdc471b72e4901079", "a b", "100%", "åäö", "<x>&'\"", "a:b@c;d=e"]


@pytest.mark.parametrize("record_id", IDS)
@pytest.mark.parametrize("kind", ["customers", "projects", "workorders", "users", "invoices"])
def test_detail_url_equals_the_url_tag(kind, record_id):
    expected = render(f"{{% url '{kind}_detail' record_id %}}", record_id=record_id)
    assert render(f"{{{{ record_id|detail_url:'{kind}' }}}}", record_id=record_id) == expected
    assert reverse(f"{kind}_detail", args=[record_id]).startswith(f"/{kind}/")


def test_detail_url_keeps_the_script_prefix_of_the_request():
    set_script_prefix("/dashboard/")
    try:
        assert render("{{ i|detail_url:'invoices' }}", i="inv-1") == "/dashboard/invoices/inv-1/"
    finally:
        set_script_prefix("/")
    assert render("{{ i|detail_url:'invoices' }}", i="inv-1") == "/invoices/inv-1/"


def test_detail_url_of_no_id_is_empty():
    assert render("[{{ i|detail_url:'customers' }}]", i=None) == "[]"
