"""The error the auth plugin raises when it cannot obtain credentials."""

from __future__ import annotations

from axios_python import AxiosPythonError

__all__ = ["AuthError"]


class AuthError(AxiosPythonError):
    """Credentials could not be obtained, e.g. the OAuth2 token endpoint failed.

    ``url`` is the token endpoint (user info masked, no query string) and ``status_code`` the
    HTTP status it answered with (``None`` when it could not be reached). The message names both
    and never contains a secret.
    """

    def __init__(self, message: str, *, url: str | None = None, status_code: int | None = None):
        super().__init__(message)
        self.url = url
        self.status_code = status_code
