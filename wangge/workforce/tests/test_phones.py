from tests.factories import UserFactory
from wangge.notifications import actions
from wangge.notifications.actions import Message
from wangge.notifications.tests.test_sending import gateway  # noqa: F401 - a fixture
from wangge.workforce.tests.factories import make_worker


def test_an_sms_goes_to_the_phone_of_the_worker_linked_to_the_account(
    tree,
    clock,
    settings,
    gateway,  # noqa: F811
):
    settings.WANGGE_NOTIFY_CHANNEL = "sms"
    settings.WANGGE_SMS_GATEWAY_URL = gateway.url
    cadre = UserFactory(username="cadre")
    make_worker(tree["grid_a"], "驻守干部", phone="13912345678", user=cadre)
    left = UserFactory(username="left")
    make_worker(tree["grid_a"], "已离岗", phone="13987654321", user=left, active=False)
    actions.notify([cadre, left], Message("阳性混管", "", "/"), area=None, at=clock.now)
    actions.send_due(clock.now)
    sent = {request.document["account"]: request.document["to"] for request in gateway.requests}
    assert sent == {"cadre": "13912345678", "left": ""}
