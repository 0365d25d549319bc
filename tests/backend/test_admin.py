"""The admin, over real HTTP requests through Django's test client."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from k8s_tasks.models import TaskRecord
from tests import tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_logged_in() -> Client:
    user = User.objects.create_superuser("admin", "admin@example.com", "pw")
    client = Client()
    client.force_login(user)
    return client


def test_changelist_filters_by_queue_and_status_and_searches(admin_client_logged_in: Client) -> None:
    gpu = tasks.on_gpu.enqueue()
    plain = tasks.add.enqueue(1, 2)
    url = "/admin/k8s_tasks/taskrecord/"
    page = admin_client_logged_in.get(url, {"queue_name": "gpu", "status": "READY"}).content.decode()
    assert gpu.id in page and plain.id not in page
    page = admin_client_logged_in.get(url, {"q": "tests.tasks.add"}).content.decode()
    assert plain.id in page and gpu.id not in page
    page = admin_client_logged_in.get(url, {"q": gpu.id}).content.decode()
    assert gpu.id in page and plain.id not in page


def test_change_page_shows_tracebacks_escaped(admin_client_logged_in: Client) -> None:
    record = TaskRecord.objects.get(pk=tasks.fail.enqueue("x").id)
    record.set_failed(
        "builtins.ValueError", "Traceback:\n  <boom>\nValueError: x", "ValueError: x", attempt=1
    )
    page = admin_client_logged_in.get(f"/admin/k8s_tasks/taskrecord/{record.pk}/change/").content.decode()
    assert "attempt 1: builtins.ValueError" in page
    assert "<pre>Traceback:\n  &lt;boom&gt;\nValueError: x</pre>" in page
    assert "ValueError: x" in page  # the reason
