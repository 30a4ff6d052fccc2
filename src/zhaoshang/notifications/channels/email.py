"""E-mail through Django's mail settings (EMAIL_BACKEND, EMAIL_HOST, … from the environment)."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage

from zhaoshang.notifications.channels.base import Message, SendError, text_of


def send_email(message: Message) -> None:
    mail = EmailMessage(
        subject=message.subject,
        body=text_of(message),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.address],
    )
    try:
        sent = mail.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as error:
        raise SendError(f"{type(error).__name__}: {error}"[:300]) from None
    if not sent:
        raise SendError("not sent")
