"""The service navigation: each domain registers its own links and who sees them."""
from dataclasses import dataclass

from flask import url_for

_ITEMS: list[tuple[int, str, str, frozenset]] = []


@dataclass(frozen=True)
class NavItem:
    text: str
    href: str


def register_nav(text: str, endpoint: str, *roles, order: int = 50) -> None:
    """Show a link to holders of any of `roles`."""
    if (order, text, endpoint, frozenset(roles)) not in _ITEMS:
        _ITEMS.append((order, text, endpoint, frozenset(roles)))
        _ITEMS.sort(key=lambda item: item[0])


def nav_items(user) -> list[NavItem]:
    """The links this person's roles give them, in order."""
    return [NavItem(text, url_for(endpoint)) for _, text, endpoint, roles in _ITEMS if user.has_role(*roles)]
