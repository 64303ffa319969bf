"""Who the client is: its address, as far as the deployment says proxies can be trusted.

Any client can send ``X-Forwarded-For: <anything>``; only the entries appended by the
deployment's own proxies are true. ``NUM_PROXIES`` says how many there are: the client is
that many entries from the right of the header (the same rule as DRF's throttles, which
read ``REST_FRAMEWORK["NUM_PROXIES"]``, set from the same variable). With 0 (the default)
the header is ignored and the peer address (``REMOTE_ADDR``) is the client.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address, for the corrections limit and the admin login limit."""
    remote_addr: str = request.META.get("REMOTE_ADDR") or "unknown"
    num_proxies = int(getattr(settings, "NUM_PROXIES", 0))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if num_proxies == 0 or not forwarded:
        return remote_addr
    addresses = [address.strip() for address in forwarded.split(",")]
    return addresses[-min(num_proxies, len(addresses))] or remote_addr


def login_client_ip(request: HttpRequest) -> str | None:
    """The client's address for the admin login limit (django-axes), which stores it in
    an IP address column: None when the request has no valid address (a login made in
    code, e.g. a test client's force_login), which PostgreSQL's inet type would refuse."""
    address = client_ip(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address
