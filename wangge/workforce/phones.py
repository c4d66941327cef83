"""A worker's phone for the SMS channel (registered in WorkforceConfig.ready())."""

from wangge.accounts.models import User
from wangge.workforce.models import Worker


def phone_of_user(user: User) -> str:
    """The phone of the active worker linked to `user`, in full; "" when there is none."""
    worker = Worker.objects.filter(user=user, active=True).only("phone_cipher").first()
    return worker.reveal_phone() if worker else ""
