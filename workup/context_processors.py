"""Template context shared by every page."""

from django.http import HttpRequest

THEME_COOKIE = "theme"
THEMES = ("dark", "light")


def theme_from(request: HttpRequest) -> str:
    """The reader's remembered theme; dark (reading room) until they choose."""
    value = request.COOKIES.get(THEME_COOKIE)
    return value if value in THEMES else "dark"


def preferences(request: HttpRequest) -> dict[str, str]:
    return {"theme": theme_from(request)}
