"""{% till_notices till as notices %}: what the apps above the till warn of on its pages
(till.hooks.register_notices), without the till's views knowing who they are."""

from django import template

from till import hooks

register = template.Library()


@register.simple_tag
def till_notices(till) -> list[dict]:
    return hooks.till_notices(till) if till is not None else []
