"""The proxies the environment names (``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``,
``NO_PROXY``, in either case), as httpx mount patterns.

httpx reads them only when it builds its own transport; the core always gives its client a
transport of its own (cancellable, guarded), so it reads them here, with ``trust_env`` (the
default), and mounts a transport through each proxy. The rules are httpx's and curl's:

- ``HTTP_PROXY`` / ``HTTPS_PROXY`` / ``ALL_PROXY`` proxy ``http://``, ``https://`` or every URL;
  a value without a scheme is an ``http://`` proxy;
- each ``NO_PROXY`` entry sends matching hosts direct: ``*`` turns every proxy off, an IP
  address or ``localhost`` matches that host, ``example.com`` matches it and its subdomains,
  ``.example.com`` its subdomains only, and an entry with a scheme (``http://host``) that URL
  prefix. Address ranges (``10.0.0.0/8``) are not understood, as in httpx.
"""

from __future__ import annotations

import ipaddress
from urllib.request import getproxies

__all__ = ["environment_proxies"]


def environment_proxies() -> dict[str, str | None]:
    """Mount pattern -> proxy URL (``None``: no proxy) for what the environment says now."""
    found = getproxies()
    mounts: dict[str, str | None] = {}
    for scheme in ("http", "https", "all"):
        url = found.get(scheme)
        if url:
            mounts[f"{scheme}://"] = url if "://" in url else f"http://{url}"
    for entry in (part.strip() for part in found.get("no", "").split(",")):
        if not entry:
            continue
        if entry == "*":
            return {}
        mounts[_direct_pattern(entry)] = None
    return mounts


def _direct_pattern(entry: str) -> str:
    if "://" in entry:
        return entry
    try:
        address = ipaddress.ip_address(entry.split("/", 1)[0])
    except ValueError:
        address = None
    if address is not None:
        return f"all://[{entry}]" if address.version == 6 else f"all://{entry}"
    if entry.lower() == "localhost":
        return f"all://{entry}"
    return f"all://*{entry}"
