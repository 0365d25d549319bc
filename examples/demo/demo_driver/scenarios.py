"""What the demo enqueues for each example, and what it expects (needs Django set up)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .plan import Expect, Planned, ValueCheck, contains, equals

SUBSCRIBERS = (("ada", "ada@example.com"), ("grace", "grace@example.com"), ("linus", "linus@example.com"))
PAGE_TITLE = "Kubernetes-native background tasks"
CLEAN_UPLOAD = b"%PDF-1.7 quarterly report\n"
EICAR_UPLOAD = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def hello(workdir: Path) -> list[Planned]:
    from hello import greet, greet_async

    sync = greet.enqueue("Kubernetes")
    coro = greet_async.enqueue("Django")
    return [
        Planned(
            "01-hello",
            "greet",
            sync.id,
            "default",
            Expect("SUCCESSFUL", pool="general", value=contains("Hello, Kubernetes!")),
        ),
        Planned(
            "01-hello",
            "greet_async",
            coro.id,
            "default",
            Expect("SUCCESSFUL", value=equals("Hello asynchronously, Django!")),
        ),
    ]


def mail_sent_to(mail_dir: Path, address: str) -> ValueCheck:
    """The return value is the address, and a message to it is in the file e-mail backend's folder."""

    def check(value: Any) -> str | None:
        if value != address:
            return f"return value is {value!r}, expected {address!r}"
        messages = (
            [p.read_text(errors="replace") for p in mail_dir.glob("*.log")] if mail_dir.is_dir() else []
        )
        if not any(f"To: {address}" in m and PAGE_TITLE in m for m in messages):
            return f"no message to {address} about {PAGE_TITLE!r} in {mail_dir}"
        return None

    return check


def notification_email(workdir: Path) -> list[Planned]:
    from django.contrib.auth.models import User
    from notification_email import notify_subscribers

    users = []
    for username, email in SUBSCRIBERS:
        user, _ = User.objects.update_or_create(
            username=username, defaults={"email": email, "first_name": username.title()}
        )
        users.append(user)
    results = notify_subscribers(PAGE_TITLE, users)
    return [
        Planned(
            "02-notification-email",
            f"mail {u.username}",
            r.id,
            "default",
            Expect("SUCCESSFUL", value=mail_sent_to(workdir / "mail", u.email)),
        )
        for u, r in zip(users, results, strict=True)
    ]


def gpu_inference(workdir: Path) -> list[Planned]:
    from gpu_inference import ACCURACY_FLOOR, classify_digits

    result = classify_digits.enqueue(batch_size=64)

    def above_floor(value: Any) -> str | None:
        accuracy = value.get("accuracy") if isinstance(value, dict) else None
        if not isinstance(accuracy, float) or not value.get("images_per_second"):
            return f"return value {value!r}: expected the held-out accuracy and the throughput"
        if accuracy < ACCURACY_FLOOR:
            return f"accuracy {accuracy} on the held-out split is below the floor {ACCURACY_FLOOR}"
        if not str(value.get("provider")).endswith("ExecutionProvider"):
            return f"return value {value!r}: expected the onnxruntime provider that ran"
        return None

    return [
        Planned(
            "03-gpu-inference",
            "digits, batched",
            result.id,
            "gpu",
            Expect("SUCCESSFUL", pool="gpu", value=above_floor),
        )
    ]


def h264_published(encoders: tuple[str, ...]) -> ValueCheck:
    """The task transcoded with one of `encoders`, to a smaller file, and published an MP4 holding H.264
    at 640x360 and AAC, as its own boxes say (mp4info, no ffmpeg)."""

    def check(value: Any) -> str | None:
        from mp4info import NotMp4, read_mp4

        if not isinstance(value, dict) or value.get("encoder") not in encoders:
            return f"return value {value!r}: expected a transcode with {' or '.join(encoders)}"
        if not 0 < value.get("output_bytes", 0) < value.get("source_bytes", 0):
            return f"output of {value.get('output_bytes')} bytes: expected it smaller than the source"
        path = Path(str(value.get("published")))
        try:
            info = read_mp4(path)
        except (OSError, NotMp4) as exc:
            return f"the published file {path} cannot be read as an MP4: {exc}"
        video, audio = info.track("vide"), info.track("soun")
        found = (video.codec, video.width, video.height) if video else None
        if found != ("avc1", 640, 360) or audio is None or audio.codec != "mp4a":
            return f"{path}: video {found}, audio {audio and audio.codec}; expected avc1 640x360 and mp4a"
        return None

    return check


def transcode(workdir: Path) -> list[Planned]:
    from transcode import transcode as transcode_task

    published = str(workdir / "transcoded")
    on_cpu = transcode_task.enqueue(seconds=8.0, publish_to=published)
    on_gpu = transcode_task.using(queue_name="gpu").enqueue(seconds=3.0, publish_to=published)
    return [
        Planned(
            "04-transcode",
            "transcode 8s clip",
            on_cpu.id,
            "highmem",
            Expect("SUCCESSFUL", pool="highmem", value=h264_published(("libx264", "h264_nvenc"))),
        ),
        Planned(
            "04-transcode",
            "transcode 3s, GPU",
            on_gpu.id,
            "gpu",
            Expect("SUCCESSFUL", pool="gpu", value=h264_published(("h264_nvenc", "libx264"))),
        ),
    ]


def upload_scan(workdir: Path) -> list[Planned]:
    from upload_scan import scan_upload

    planned = []
    for filename, data, verdict in (
        ("report.pdf", CLEAN_UPLOAD, "clean"),
        ("invoice.exe", EICAR_UPLOAD, "infected"),
    ):
        result = scan_upload.enqueue(filename, base64.b64encode(data).decode())
        planned.append(
            Planned(
                "05-isolated-upload-scan",
                f"scan {filename}",
                result.id,
                "sandbox",
                Expect("SUCCESSFUL", isolated=True, value=equals(verdict, "verdict")),
            )
        )
    return planned


def retries_timeouts_cancel(workdir: Path) -> list[Planned]:
    from retries_timeouts_cancel import flaky, slow

    marker = workdir / "flaky-marker"
    marker.unlink(missing_ok=True)
    retried = flaky.using(queue_name="retrying").enqueue(str(marker))
    overrun = slow.using(queue_name="deadline").enqueue(60)
    cancelled = slow.enqueue(60)
    example = "06-retries-timeouts-cancel"
    return [
        Planned(
            example,
            "flaky, retried",
            retried.id,
            "retrying",
            Expect("SUCCESSFUL", attempts=2, value=contains("succeeded on a retry")),
        ),
        Planned(
            example,
            "slow, 3s timeout",
            overrun.id,
            "deadline",
            Expect("FAILED", error="k8s_tasks.exceptions.PodDeadlineExceeded"),
        ),
        Planned(
            example,
            "slow, cancelled",
            cancelled.id,
            "default",
            Expect("FAILED", error="k8s_tasks.exceptions.TaskCancelled"),
            cancel_when_running=True,
        ),
    ]


def nightly_report(workdir: Path) -> list[Planned]:
    """The report run by hand (its TaskSchedule's runs are planned by the driver: see schedules.py)."""
    from nightly_report import build_report

    result = build_report.enqueue(window_minutes=60)

    def unscheduled(value: Any) -> str | None:
        if not isinstance(value, dict) or value.get("scheduled_for") is not None:
            return f"return value {value!r}: expected no scheduled time (enqueued by hand)"
        if not Path(str(value.get("report"))).is_file():
            return f"no report file at {value.get('report')}"
        return None

    return [
        Planned(
            "07-nightly-report",
            "report by hand",
            result.id,
            "default",
            Expect("SUCCESSFUL", value=unscheduled),
        )
    ]


SCENARIOS: dict[str, Callable[[Path], list[Planned]]] = {
    "01-hello": hello,
    "02-notification-email": notification_email,
    "03-gpu-inference": gpu_inference,
    "04-transcode": transcode,
    "05-isolated-upload-scan": upload_scan,
    "06-retries-timeouts-cancel": retries_timeouts_cancel,
    "07-nightly-report": nightly_report,
}


def enqueue(examples: tuple[str, ...], workdir: Path) -> list[Planned]:
    missing = [name for name in examples if name not in SCENARIOS]
    if missing:
        raise KeyError(f"no demo scenario for {missing}; known: {', '.join(SCENARIOS)}")
    return [planned for name in examples for planned in SCENARIOS[name](workdir)]
