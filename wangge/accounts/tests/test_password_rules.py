"""A password like the account's user name or display name is refused, wherever it is set:
the user-creation page, one's own password page, and `createsuperuser`."""

import io

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management import call_command

from tests.factories import UserFactory, grant
from wangge.accounts.models import User
from wangge.core.permissions import Role

OLD_PASSWORD = "an old and unusual passphrase 42"


@pytest.fixture
def manager(tree):
    return grant(UserFactory(username="manager"), Role.ADMINISTRATOR, tree["district"])


def _create(client, tree, username: str, display_name: str, password: str):
    return client.post(
        "/accounts/users/new/",
        {
            "username": username,
            "display_name": display_name,
            "password1": password,
            "password2": password,
            "role": Role.GRID_MEMBER,
            "area": tree["grid_a"].pk,
        },
    )


@pytest.mark.django_db
def test_new_account_with_a_password_like_its_user_name_is_refused(client, tree, manager):
    client.force_login(manager)
    response = _create(client, tree, "liuxiaoming2022", "", "liuxiaoming2022!")
    assert response.status_code == 200
    assert not User.objects.filter(username="liuxiaoming2022").exists()
    assert "too similar" in response.content.decode() or "太相似" in response.content.decode()


@pytest.mark.django_db
def test_new_account_with_a_password_like_its_display_name_is_refused(client, tree, manager):
    client.force_login(manager)
    response = _create(client, tree, "gm0042", "zhangxiuying", "zhangxiuying1960")
    assert response.status_code == 200
    assert not User.objects.filter(username="gm0042").exists()


@pytest.mark.django_db
def test_new_account_with_an_unrelated_password_is_created(client, tree, manager):
    client.force_login(manager)
    response = _create(client, tree, "gm0043", "zhangxiuying", "river stones under 7 bridges")
    assert response.status_code == 302
    assert User.objects.filter(username="gm0043").exists()


@pytest.mark.django_db
def test_changing_ones_password_to_ones_user_name_is_refused(client, tree):
    user = grant(UserFactory(username="wangfang1985"), Role.GRID_MEMBER, tree["grid_a"])
    user.set_password(OLD_PASSWORD)
    user.save()
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": OLD_PASSWORD,
            "new_password1": "wangfang1985a",
            "new_password2": "wangfang1985a",
        },
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(OLD_PASSWORD)


@pytest.mark.django_db
def test_display_name_counts_for_similarity():
    user = User(username="gm0044", display_name="chenguilan")
    with pytest.raises(ValidationError):
        password_validation.validate_password("chenguilan1958", user)


@pytest.mark.django_db
def test_createsuperuser_refuses_a_password_like_the_user_name(monkeypatch):
    """Interactive createsuperuser runs the same validators; declining its offer to bypass
    them asks again, and giving up creates nothing."""
    typed = iter(["zhaolei_admin1", "zhaolei_admin1"])

    def getpass(prompt: str = "") -> str:
        try:
            return next(typed)
        except StopIteration:
            raise KeyboardInterrupt from None

    monkeypatch.setattr("getpass.getpass", getpass)
    monkeypatch.setattr("builtins.input", lambda prompt="": "n")
    monkeypatch.setattr(
        "django.contrib.auth.management.commands.createsuperuser.Command.get_input_data",
        lambda self, field, message, default=None: (
            "zhaolei_admin" if field.name == "username" else ""
        ),
    )
    errors = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("createsuperuser", interactive=True, stdin=_Tty(), stderr=errors)
    assert "similar" in errors.getvalue() or "相似" in errors.getvalue()
    assert not User.objects.filter(username="zhaolei_admin").exists()


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True
