"""02-notification-email: the talk's example, sending subscribers mail in the background.

The view that publishes a page only enqueues one small task per subscriber and returns at once; task
pods render and send each mail. If the mail gateway is slow or down, no web request waits or fails, and
one bad address does not stop the other mails. The demo project uses Django's file e-mail backend, so it
works offline: every sent message is a file under ``$K8S_DEMO_WORKDIR/mail``.
"""

from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.tasks import TaskResult, task
from django.template.loader import render_to_string


@task()
def send_email_to_user(page_title: str, user_id: int) -> str:
    """Render and send one notification; returns the address it was sent to."""
    # Arguments are JSON: pass ids, not model instances, and load the row in the pod.
    user = User.objects.get(id=user_id)
    email_content = render_to_string("notification-email.txt", {"user": user, "page_title": page_title})
    send_mail(
        subject=f"A change to {page_title} has been published",
        message=email_content,
        from_email=None,  # DEFAULT_FROM_EMAIL
        recipient_list=[user.email],
    )
    return user.email


def notify_subscribers(page_title: str, subscribers: list[User]) -> list[TaskResult]:
    """What the publishing view calls: one task per subscriber, enqueued in the request, sent later."""
    return [send_email_to_user.enqueue(page_title, user.id) for user in subscribers]
