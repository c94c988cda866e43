"""The names of the stable HTTP semantic conventions this plugin emits.

Written out here rather than imported from ``opentelemetry-semantic-conventions``: that package
is a 0.x beta pinned to one exact ``opentelemetry-api`` version, which would tie every user's
OpenTelemetry upgrades to this plugin's releases. The names below are stable (HTTP semantic
conventions 1.23 and later) and cannot change without a new major version of the conventions.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_PORTS",
    "DURATION_BUCKETS",
    "ERROR_TYPE",
    "HTTP_CLIENT_REQUEST_BODY_SIZE",
    "HTTP_CLIENT_REQUEST_DURATION",
    "HTTP_CLIENT_RESPONSE_BODY_SIZE",
    "HTTP_REQUEST_METHOD",
    "HTTP_REQUEST_METHOD_ORIGINAL",
    "HTTP_REQUEST_RESEND_COUNT",
    "HTTP_RESPONSE_STATUS_CODE",
    "KNOWN_METHODS",
    "NETWORK_PEER_ADDRESS",
    "NETWORK_PEER_PORT",
    "NETWORK_PROTOCOL_VERSION",
    "OTHER",
    "SCHEMA_URL",
    "SERVER_ADDRESS",
    "SERVER_PORT",
    "URL_FULL",
    "USER_AGENT_ORIGINAL",
    "request_header_attribute",
    "response_header_attribute",
]

#: The version of the semantic conventions the attributes follow.
SCHEMA_URL = "https://opentelemetry.io/schemas/1.26.0"

HTTP_REQUEST_METHOD = "http.request.method"
HTTP_REQUEST_METHOD_ORIGINAL = "http.request.method_original"
HTTP_REQUEST_RESEND_COUNT = "http.request.resend_count"
HTTP_RESPONSE_STATUS_CODE = "http.response.status_code"
URL_FULL = "url.full"
SERVER_ADDRESS = "server.address"
SERVER_PORT = "server.port"
NETWORK_PROTOCOL_VERSION = "network.protocol.version"
NETWORK_PEER_ADDRESS = "network.peer.address"
NETWORK_PEER_PORT = "network.peer.port"
USER_AGENT_ORIGINAL = "user_agent.original"
ERROR_TYPE = "error.type"

HTTP_CLIENT_REQUEST_DURATION = "http.client.request.duration"
HTTP_CLIENT_REQUEST_BODY_SIZE = "http.client.request.body.size"
HTTP_CLIENT_RESPONSE_BODY_SIZE = "http.client.response.body.size"

#: ``http.client.request.duration``'s bucket boundaries, in seconds (the conventions' advice).
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)

#: The value of ``http.request.method`` for a method the instrumentation does not know.
OTHER = "_OTHER"

#: The methods known by default: RFC 9110's and PATCH (RFC 5789). Case-sensitive;
#: ``OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS`` replaces the list.
KNOWN_METHODS = frozenset(
    {"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"}
)

#: The port a URL without one uses (``server.port`` is set for default ports too).
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def request_header_attribute(name: str) -> str:
    """``http.request.header.<name>``, the name lower-cased as the conventions ask."""
    return f"http.request.header.{name.lower()}"


def response_header_attribute(name: str) -> str:
    """``http.response.header.<name>``."""
    return f"http.response.header.{name.lower()}"
