"""Offline devices: one mechanism for every installable page that keeps working with no network.

A device shell (the sampling station, the checkpoint device) is a page that holds no personal
data and no session, so that a service worker can cache it and show it again offline; the
device authenticates its API calls with a bearer token kept in the browser, and queues what it
records in IndexedDB until the server has answered each item (docs/architecture.md, "Offline
devices: one queue-and-sync mechanism"). An app describes its shell once with a `DeviceShell`
and mounts `shell.urls()`; the views here serve the shell, its service worker (which names
the shell's static files by their deployed, hashed URLs) and its web manifest. The client
half is `wangge/static/core/offline/`. Only the setup page, which issues the device's token,
is the app's own: who may set a device up, and for what, is the app's business.
"""

import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import URLPattern, path, reverse
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

# The service worker every shell uses; it reads its configuration from the view.
SW_TEMPLATE = "offline/sw.js"
# The generic client files, loaded by every shell before its own.
OFFLINE_STATIC = (
    "core/offline/offline.css",
    "core/offline/offline-core.js",
    "core/offline/offline-db.js",
    "core/offline/offline-sync.js",
)


@dataclass(frozen=True)
class Icon:
    """One icon of a web manifest: a static file, its sizes and purpose."""

    static: str
    sizes: str
    type: str
    purpose: str = "any"


@dataclass(frozen=True)
class DeviceShell:
    """What makes one kind of device page installable and offline-capable.

    `namespace` is the URL namespace its urls are included under: the shell is
    `<namespace>:app` (the service worker's scope), `<namespace>:setup` the app's own setup
    page. `static` lists the files the shell needs to start with no network, besides the
    generic ones (`OFFLINE_STATIC`); `api_path` is its API under /api/v1/.
    """

    namespace: str
    template: str
    static: tuple[str, ...]
    api_path: str
    cache_prefix: str
    name: str | Promise
    short_name: str | Promise
    description: str | Promise
    icons: tuple[Icon, ...]
    theme_color: str = "#14355e"

    # --- Where things are -------------------------------------------------------------
    def url(self, name: str) -> str:
        return reverse(f"{self.namespace}:{name}")

    @property
    def all_static(self) -> tuple[str, ...]:
        return (*OFFLINE_STATIC, *self.static)

    def shell_urls(self) -> list[str]:
        return [
            self.url("app"),
            reverse("javascript-catalog"),
            self.url("manifest"),
            *(static(name) for name in self.all_static),
        ]

    # --- The version: a digest of the shell's files ------------------------------------
    def _compute_version(self) -> str:
        digest = hashlib.sha256()
        for name in self.all_static:
            digest.update(static(name).encode())
            found = finders.find(name)
            if isinstance(found, str):
                with open(found, "rb") as handle:
                    digest.update(handle.read())
        for template in (self.template, SW_TEMPLATE):
            with open(get_template(template).origin.name, "rb") as handle:  # type: ignore[attr-defined]
                digest.update(handle.read())
        return digest.hexdigest()[:16]

    def version(self) -> str:
        """A new deployment gives a new service worker. Files do not change under a running
        production server; in development they do."""
        if settings.DEBUG:
            return self._compute_version()
        if self.namespace not in _versions:
            _versions[self.namespace] = self._compute_version()
        return _versions[self.namespace]

    # --- The views ----------------------------------------------------------------------
    def app(self, request: HttpRequest) -> HttpResponse:
        """The shell. No session needed: the device's token, kept in the browser, is."""
        context = {
            "version": self.version(),
            "setup_url": self.url("setup"),
            "api_prefix": api_root() + self.api_path,
            "shell": self,
        }
        return _no_cache(render(request, self.template, context))

    def service_worker(self, request: HttpRequest) -> HttpResponse:
        """The service worker, served from the shell's path so that its scope is the shell."""
        config = {
            "version": self.version(),
            "cache_prefix": self.cache_prefix,
            "shell": self.shell_urls(),
            "app_url": self.url("app"),
            "catalog_url": reverse("javascript-catalog"),
            "api_prefix": api_root(),
        }
        response = render(
            request,
            SW_TEMPLATE,
            {"config_json": json.dumps(config)},
            content_type="text/javascript; charset=utf-8",
        )
        response.headers["Service-Worker-Allowed"] = self.url("app")
        return _no_cache(response)

    def manifest(self, request: HttpRequest) -> HttpResponse:
        """The web app manifest that makes the shell installable on a phone or a PC."""
        start = self.url("app")
        document = {
            "name": str(self.name),
            "short_name": str(self.short_name),
            "description": str(self.description),
            "lang": get_language(),
            "start_url": start,
            "scope": start,
            "id": start,
            "display": "standalone",
            "orientation": "any",
            "background_color": "#ffffff",
            "theme_color": self.theme_color,
            "icons": [
                {"src": static(i.static), "sizes": i.sizes, "type": i.type, "purpose": i.purpose}
                for i in self.icons
            ],
        }
        response = HttpResponse(
            json.dumps(document, ensure_ascii=False),
            content_type="application/manifest+json; charset=utf-8",
        )
        return _no_cache(response)

    def urls(self) -> list[URLPattern]:
        """The shell's three public routes; the app adds its `setup`."""
        return [
            path("", require_GET(self.app), name="app"),
            path("sw.js", require_GET(self.service_worker), name="service_worker"),
            path("manifest.webmanifest", require_GET(self.manifest), name="manifest"),
        ]


_versions: dict[str, str] = {}


def api_root() -> str:
    """/api/v1/, wherever the API is mounted."""
    return reverse("api-v1:openapi-json").rsplit("/", 1)[0] + "/"


def _no_cache(response: HttpResponse) -> HttpResponse:
    response.headers["Cache-Control"] = "no-cache"
    return response


def no_store(response: HttpResponse) -> HttpResponse:
    """For the setup page that hands a token over once: no cache may keep it."""
    response.headers["Cache-Control"] = "no-store"
    return response
