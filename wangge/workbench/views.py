"""The workbench: the home page where every role lands on today's work.

It owns no data: the cards come from the apps through `wangge.core.cards`, each scoped to
the user, so a new app puts its work here by registering one provider.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wangge.core import cards
from wangge.core.http import AuthedRequest


@login_required
@require_GET
def home(request: AuthedRequest) -> HttpResponse:
    """The user's cards, alarms first; "nothing waiting" when no card asks for them."""
    found = cards.collect(request)
    return render(
        request,
        "workbench/home.html",
        {"cards": found, "waiting": any(card.waiting for card in found)},
    )
