"""Where a webhook may be sent: never into the server's own network (SSRF).

A subscription's URL is checked when it is saved and again before every delivery (a host name may
resolve elsewhere later): the scheme is http or https and every address the host resolves to is a
public one (`ipaddress.is_global`: no loopback, private, link-local -- e.g. the cloud metadata address
169.254.169.254 --, shared, multicast or reserved ranges; IPv4-mapped IPv6 addresses are unwrapped).
`INTEGRATIONS_WEBHOOK_ALLOW_PRIVATE` turns the check off for a development machine or a receiver
on the same network, and the test suite, whose receivers are local or mocked.

What remains: a host can answer a public address to this check and a private one to the request a
moment later (DNS rebinding). Deliveries do not follow redirects (`allow_redirects=False`), so a
public receiver cannot bounce a delivery inward.
"""
import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


# IPv6 forms that carry an IPv4 address a gateway may forward to: NAT64 (RFC 6052, RFC 8215) and the
# deprecated IPv4-compatible ::a.b.c.d. They are refused outright, whatever IPv4 address they wrap.
_EMBEDDING_IPV4 = [ipaddress.ip_network(n) for n in ("64:ff9b::/96", "64:ff9b:1::/48", "::/96")]


def _blocked(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id ("fe80::1%eth0") is not part of it
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in network for network in _EMBEDDING_IPV4):
            return True
        if ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        elif ip.sixtofour:  # 6to4 (2002::/16): judged by the IPv4 address it routes to
            ip = ip.sixtofour
    return not ip.is_global or ip.is_multicast  # Python counts some multicast ranges as global


def check_target(url: str) -> None:
    """Raise ValidationError({"url": …}) unless `url` may receive webhooks."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": _("Enter an http or https address.")})
    if settings.INTEGRATIONS_WEBHOOK_ALLOW_PRIVATE:
        return
    host = parts.hostname
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (socket.gaierror, UnicodeError, ValueError):
        raise ValidationError({"url": _("The host %(host)s cannot be resolved.") % {"host": host}}) from None
    if not addresses or any(_blocked(address) for address in addresses):
        raise ValidationError({"url": _(
            "Webhooks cannot be sent to %(host)s: it is an address of a private or local network.") % {"host": host}})
