"""The versioned JSON API: each app contributes a router."""

from ninja import NinjaAPI

from wangge.core import api_input

api = NinjaAPI(
    title="Wangge API",
    version="1",
    urls_namespace="api-v1",
    docs_url="/docs",
)
# Bodies too large or not JSON, parameters out of bounds, and the last resort: JSON answers.
api_input.install(api)
api.add_router("/testing/", "wangge.testing.api.router")
api.add_router("/lab/", "wangge.testing.lab_api.router")
api.add_router("/checkpoints/", "wangge.checkpoints.api.router")
