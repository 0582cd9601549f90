"""Template tags of the workbench (issue 16): the saved views menu and the start
page's blocks, rendered where base.html and home.html include them."""

from decimal import Decimal

from django import template

from ..workbench import savedviews, start
from .dashboard import money

register = template.Library()


@register.inclusion_tag("workbench/saved_menu.html", takes_context=True)
def saved_views_menu(context):
    request = context["request"]
    views = list(savedviews.visible(request.user))
    return {
        "request": request,
        "views": [(view, savedviews.url(view), savedviews.kind_label(view)) for view in views],
    }


@register.inclusion_tag("workbench/start.html", takes_context=True)
def start_page(context):
    request = context["request"]
    return {"request": request, "perms": context.get("perms"), **start.context(request.user)}


@register.filter
def signed_money(amount, currency: str = "") -> str:
    """A change: "+1,234.00 SEK", "−56.00 SEK", "±0.00 SEK"."""
    value = Decimal(str(amount or 0))
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return sign + money(abs(value), currency)
