"""gunicorn's configuration (README, "Running in production": `gunicorn -c gunicorn.conf.py`).

gunicorn announces itself in a `Server: gunicorn` header on every answer and has no setting to
stop it; telling every visitor the server software only helps someone looking for a known hole.
Drop that one header line (gunicorn's HTTP/1.1 responses; HTTP/2 is not enabled here: TLS ends
at the proxy). tests/qa_center/test_security_headers.py starts gunicorn with this file and checks
the header is gone, so an upgrade that moves the code fails there, not silently.
"""

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server
