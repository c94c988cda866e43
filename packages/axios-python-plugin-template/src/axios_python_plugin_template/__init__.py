"""A sample axios_python plugin: copy this package to start your own.

::

    import axios_python
    from axios_python_plugin_template import TemplatePlugin

    api = axios_python.create({"base_url": "https://api.example.com"})
    api.plugin(TemplatePlugin(value="checkout-service/2.1"))
"""

from __future__ import annotations

from ._plugin import TemplatePlugin
from ._version import __version__

__all__ = ["TemplatePlugin", "__version__"]
