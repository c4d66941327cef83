"""The versioned JSON API: each app contributes a router."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Wangge API",
    version="1",
    urls_namespace="api-v1",
    docs_url="/docs",
)
api.add_router("/testing/", "wangge.testing.api.router")
api.add_router("/lab/", "wangge.testing.lab_api.router")
