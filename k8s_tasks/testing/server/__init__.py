"""The HTTP face of the local cluster: the Kubernetes REST API on aiohttp, served from a Store."""

from .app import make_app

__all__ = ["make_app"]
