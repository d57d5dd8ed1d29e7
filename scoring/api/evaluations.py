from . import extra_urls, router  # noqa: F401
