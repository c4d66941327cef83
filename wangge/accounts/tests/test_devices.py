import datetime as dt

from django.utils import timezone

from tests.factories import UserFactory, grant
from wangge.accounts.devices import authenticate_device, issue_device_token, revoke_device_token
from wangge.accounts.models import DeviceToken
from wangge.core.permissions import Perm, Role


def test_token_is_stored_hashed_and_authenticates(tree, alice):
    token, device = issue_device_token(alice, tree["grid_a"], "desk 1", acting_user=alice)
    assert token not in device.token_hash
    assert authenticate_device(token) == device
    assert authenticate_device(token + "x") is None


def test_revoked_and_expired_tokens_fail(tree, alice):
    token, device = issue_device_token(alice, tree["grid_a"], "desk 1", acting_user=alice)
    revoke_device_token(device, acting_user=alice)
    assert authenticate_device(token) is None
    token, device = issue_device_token(alice, tree["grid_a"], "desk 2", acting_user=alice)
    DeviceToken.objects.filter(pk=device.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert authenticate_device(token) is None


def test_device_scope_is_its_area_within_its_users_scope(tree):
    sampler = grant(UserFactory(username="sampler"), Role.SAMPLER, tree["community"])
    _, device = issue_device_token(sampler, tree["grid_a"], "desk", acting_user=sampler)
    assert device.scope_paths(Perm.REGISTER_SAMPLES) == [tree["grid_a"].path]
    assert device.scope_paths(Perm.VIEW_REGISTRY) == []
