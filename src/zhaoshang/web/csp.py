"""A strict Content-Security-Policy on every response: scripts only from our own static files.

Pages carry no inline script and no inline handler (data goes through ``json_script``, behaviour through page
modules in ``static/``), so ``script-src 'self'`` holds without ``unsafe-inline`` or ``unsafe-eval``. Styles keep
``unsafe-inline``: Leaflet, ECharts and Bootstrap position things with style attributes. The one outside host is
the map tile server of ``MAP_TILES`` (and of its label layer ``MAP_TILES_LABELS``), if one is configured: images
from exactly those origins are allowed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings

HEADER = "Content-Security-Policy"
# A placeholder of a tile URL template: {s} subdomains, {z}/{x}/{y}, {r}, or a named one such as {key}.
PLACEHOLDER = re.compile(r"\{[^}]*\}")
SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)
HOST = re.compile(r"(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*")


@functools.lru_cache(maxsize=8)
def tile_source(template: str) -> str:
    """The CSP source of the tile server of a Leaflet URL template ('' when none, or on our own site).

    ``https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png`` gives ``https://*.tile.openstreetmap.org``; a host
    with a placeholder inside a label (``https://t{s}.tianditu.gov.cn/...``) gives a wildcard for that label and
    those left of it, since CSP allows ``*`` only as the leftmost label.
    """
    scheme, slashes, rest = template.strip().partition("//")
    if not slashes or (scheme and not SCHEME.fullmatch(scheme)):
        return ""  # a path on our own server: 'self' covers it
    netloc = re.split(r"[/?#]", rest, maxsplit=1)[0].rsplit("@", 1)[-1]  # never credentials into a header
    host, _, port = netloc.partition(":")
    labels = host.lower().split(".")
    templated = [i for i, label in enumerate(labels) if PLACEHOLDER.search(label)]
    if templated:
        labels = ["*", *labels[templated[-1] + 1 :]]
        if len(labels) < 3:  # "*.com" would let in the world
            return ""
    host = ".".join(labels)
    port = "*" if PLACEHOLDER.search(port) else port
    if not HOST.fullmatch(host) or not re.fullmatch(r"\*|\d{0,5}", port):
        return ""  # not a host name: nothing that could break the header
    source = host + (f":{port}" if port else "")
    return f"{scheme}//{source}" if scheme else source  # "//host/..." takes the page's scheme


def policy() -> str:
    tiles = tile_source(getattr(settings, "MAP_TILES", "") or "")
    labels = tile_source(getattr(settings, "MAP_TILES_LABELS", "") or "")
    images = " ".join(dict.fromkeys(filter(None, ["'self'", "data:", "blob:", tiles, labels])))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src {images}",
            "connect-src 'self'",
            "font-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'self'",
            "form-action 'self'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    """Sets the policy on every response that has none of its own."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = policy()
        return response
