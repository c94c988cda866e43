"""Authentication for axios_python.

``AuthPlugin`` sets credentials on every attempt of every request of a client: a Bearer token
(fixed or from a provider asked each time, refreshed once on 401 for all concurrent requests),
HTTP Basic, an API key in a header or query parameter, or an OAuth2 client-credentials token.
The plugin registers where it puts the credential as secret on the client, so the core's
redirect guard keeps it (and every other credential) from other origins, and the core's
messages and logs mask it; reprs and the plugin's own errors never show a secret.

::

    from axios_python_plugin_auth import AuthPlugin

    api.plugin(AuthPlugin(scheme="Bearer", token_provider=vault.get_token))
"""

from __future__ import annotations

from ._errors import AuthError
from ._plugin import AuthPlugin
from ._version import __version__

__all__ = ["AuthError", "AuthPlugin", "__version__"]
