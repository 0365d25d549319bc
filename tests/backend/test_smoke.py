from django.apps import apps


def test_app_is_installed() -> None:
    assert apps.is_installed("k8s_tasks")
