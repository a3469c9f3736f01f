"""Pure rules for spotting duplicate accounts (no Django): two accounts are possible duplicates
when their names are equal ignoring case and surrounding spaces, or their web domains are equal
once written the same way ("https://www.Example.com/about" and "example.com")."""
import re

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")


def normalize_domain(value: str) -> str:
    """A web domain written one way: lower case, no scheme, no "www.", no path, port or trailing dot.
    >>> normalize_domain(" HTTPS://www.Example.com/about ")
    'example.com'
    """
    text = (value or "").strip().lower()
    text = _SCHEME.sub("", text)
    text = text.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    text = text.rsplit("@", 1)[-1]  # user@host forms and plain emails
    text = text.split(":", 1)[0].rstrip(".")
    if text.startswith("www."):
        text = text[4:]
    return text


def normalize_name(value: str) -> str:
    """An account name compared without case and surrounding or repeated spaces."""
    return " ".join((value or "").split()).casefold()
