"""AWS Signature Version 4 for axios_python.

``SigV4Plugin`` signs every attempt of a client's requests to AWS (API Gateway, S3, SQS,
OpenSearch, Lambda function URLs...) with botocore's signer: fresh credentials and date on each
retry, the exact URL, headers and body hash that go on the wire, streamed bodies without
reading them into memory, and never a signature sent to a host it was not meant for.
``presign()`` makes presigned URLs.

::

    from axios_python_plugin_sigv4 import SigV4Plugin

    api.plugin(SigV4Plugin(service="execute-api", region="eu-west-1"))

botocore is imported when a ``SigV4Plugin`` is built, not when this package is imported.
"""

from __future__ import annotations

from ._errors import SigV4Error
from ._plugin import SigV4Plugin
from ._version import __version__

__all__ = ["SigV4Error", "SigV4Plugin", "__version__"]
