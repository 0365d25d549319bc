"""The admin's "Cancel" and "Run again": bulk on the change list through Django's intermediate confirmation
page, and as buttons on one task; each task's outcome is told in a message. Through the test client."""

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Permission, User
from django.test import Client

from k8s_tasks.models import TaskRecord
from tests import tasks

pytestmark = pytest.mark.django_db
LIST = "/admin/k8s_tasks/taskrecord/"


@pytest.fixture
def admin() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("admin", "admin@example.com", "pw"))
    return client


def failed(result_id: str) -> TaskRecord:
    record = TaskRecord.objects.get(pk=result_id)
    record.set_running("pod", 1)
    record.set_failed(
        "builtins.ValueError",
        "Traceback\nValueError: <x>",
        "ValueError: x",
        attempt=1,
        log_tail="working...\n<b>not bold</b>\n",
    )
    return record


def messages_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in response.context["messages"]]


def test_bulk_cancel_asks_first_then_tells_each_outcome(admin: Client) -> None:
    queued = tasks.add.enqueue(1, 1)
    running = tasks.add.enqueue(2, 2)
    TaskRecord.objects.claim("default", 2, namespace="n", job_name=lambda i, a: f"task-{i}-{a}")
    TaskRecord.objects.filter(pk=queued.id).update(dispatched_at=None, job_name="")
    TaskRecord.objects.get(pk=running.id).set_running("pod", 1)
    done = failed(tasks.add.enqueue(3, 3).id)
    selected = {"action": "cancel_selected", helpers.ACTION_CHECKBOX_NAME: [queued.id, running.id, done.pk]}
    page = admin.post(LIST, selected)
    assert page.status_code == 200 and "Cancel: are you sure?" in page.content.decode()
    assert TaskRecord.objects.get(pk=queued.id).status == "READY"  # nothing done before the confirmation
    for task_id in (queued.id, running.id, done.pk):
        assert f'name="_selected_action" value="{task_id}"' in page.content.decode()
    answer = admin.post(LIST, {**selected, "post": "yes"}, follow=True)
    said = messages_of(answer)
    assert f"Task {queued.id}: cancelled (it had not started; FAILED with TaskCancelled)" in said
    assert (
        f"Task {running.id}: cancel requested: the operator deletes Job task-{running.id}-1, then records "
        "FAILED (TaskCancelled)" in said
    )
    assert f"Task {done.pk}: already finished (FAILED): nothing to cancel" in said
    assert TaskRecord.objects.get(pk=queued.id).status == "FAILED"
    assert TaskRecord.objects.get(pk=running.id).cancel_requested


def test_bulk_run_again_asks_first_then_links_each_new_task(admin: Client) -> None:
    done = failed(tasks.add.enqueue(1, 2).id)
    waiting = tasks.add.enqueue(3, 4)
    selected = {"action": "retry_selected", helpers.ACTION_CHECKBOX_NAME: [done.pk, waiting.id]}
    page = admin.post(LIST, selected)
    assert "Run again: are you sure?" in page.content.decode() and TaskRecord.objects.count() == 2
    answer = admin.post(LIST, {**selected, "post": "yes"}, follow=True)
    new_id = TaskRecord.objects.get(pk=done.pk).retried_as
    assert new_id and TaskRecord.objects.get(pk=new_id).retried_from == done.pk
    html = answer.content.decode()
    assert f'Task {done.pk}: re-run as <a href="{LIST}{new_id}/change/">{new_id}</a>' in html
    assert f"Task {waiting.id}: not re-run: task {waiting.id} is READY" in html


def test_buttons_on_one_task_confirm_then_act(admin: Client) -> None:
    done = failed(tasks.add.enqueue(1, 2).id)
    change = f"{LIST}{done.pk}/change/"
    page = admin.get(change).content.decode()
    assert f'href="{LIST}{done.pk}/retry/"' in page and "/cancel/" not in page  # finished: no Cancel
    assert '<pre class="k8s-tasks-log-tail">working...\n&lt;b&gt;not bold&lt;/b&gt;\n</pre>' in page
    confirm = admin.get(f"{LIST}{done.pk}/retry/")
    assert "Run this task again, as a new task?" in confirm.content.decode()
    assert TaskRecord.objects.count() == 1
    answer = admin.post(f"{LIST}{done.pk}/retry/", follow=True)
    new_id = TaskRecord.objects.get(pk=done.pk).retried_as
    assert answer.redirect_chain[-1][0] == change
    assert any("re-run as" in m and new_id in m for m in messages_of(answer))
    after = answer.content.decode()
    assert f'href="{LIST}{done.pk}/retry/"' not in after  # run again once: the button is gone
    assert f'<a href="{LIST}{new_id}/change/">{new_id}</a>' in after  # "retried as" links the new task
    new_page = admin.get(f"{LIST}{new_id}/change/").content.decode()
    assert f'<a href="{LIST}{done.pk}/change/">{done.pk}</a>' in new_page  # "retried from"
    assert f'href="{LIST}{new_id}/cancel/"' in new_page and "/retry/" not in new_page  # READY: Cancel
    admin.post(f"{LIST}{new_id}/cancel/", follow=True)
    assert TaskRecord.objects.get(pk=new_id).status == "FAILED"


def test_acting_needs_the_models_permissions(admin: Client) -> None:
    viewer = User.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_taskrecord"))
    client = Client()
    client.force_login(viewer)
    done = failed(tasks.add.enqueue(1, 2).id)
    page = client.get(f"{LIST}{done.pk}/change/").content.decode()
    assert "/retry/" not in page
    assert client.post(f"{LIST}{done.pk}/retry/").status_code == 403
    assert "cancel_selected" not in client.get(LIST).content.decode()
    viewer.user_permissions.add(Permission.objects.get(codename="add_taskrecord"))
    client.force_login(User.objects.get(pk=viewer.pk))
    assert client.post(f"{LIST}{done.pk}/retry/").status_code == 302
    assert TaskRecord.objects.count() == 2
