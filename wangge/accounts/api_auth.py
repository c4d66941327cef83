"""Bearer-token authentication of field devices for the JSON API."""

from django.http import HttpRequest
from ninja.security import HttpBearer

from wangge.accounts.devices import authenticate_device
from wangge.accounts.models import DeviceToken


class DeviceTokenAuth(HttpBearer):
    """`Authorization: Bearer wgd_…`; the request's `auth` is the DeviceToken."""

    def authenticate(self, request: HttpRequest, token: str) -> DeviceToken | None:
        return authenticate_device(token)


device_auth = DeviceTokenAuth()
