from django.db import models
from django.utils.translation import gettext_lazy as _


class SendStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Given up")
