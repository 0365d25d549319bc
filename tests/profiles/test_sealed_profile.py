"""An isolated queue runs sealed: its profile may give its pods no Secret."""

from __future__ import annotations

import pytest

from k8s_tasks.profiles import ProfileError, parse_profile


def test_secrets_in_env_of_an_isolated_queue_are_refused_naming_the_field() -> None:
    spec = {
        "network": "isolated",
        "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}],
        "envFrom": [{"configMapRef": {"name": "ok"}}, {"secretRef": {"name": "app-database"}}],
    }
    with pytest.raises(ProfileError) as caught:
        parse_profile("sandbox", spec)
    fields = [p.field for p in caught.value.problems]
    assert fields == ["spec.env[0].valueFrom.secretKeyRef", "spec.envFrom[1].secretRef"]
    assert "runs sealed" in str(caught.value) and "network: default" in str(caught.value)


def test_the_same_secrets_are_fine_on_a_queue_that_is_not_isolated() -> None:
    spec = {"envFrom": [{"secretRef": {"name": "app-database"}}]}
    assert parse_profile("default", spec).env_from[0].secret_ref is not None
