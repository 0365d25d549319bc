"""03-gpu-inference's model in this process: trained, exported to ONNX, cached where a read-only root
filesystem allows, run in batches with onnxruntime, accurate on the held-out split."""

from pathlib import Path

import digits_model as dm
import pytest


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MODEL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("DIGITS_MODEL", raising=False)
    return tmp_path / "cache"


def test_trained_on_first_use_then_loaded_from_the_cache_and_accurate(cache: Path) -> None:
    first = dm.report(batch_size=32)
    cached = cache / f"digits-mlp-{dm.cache_key()}.onnx"
    assert first["model"].startswith("trained on first use") and str(cached) in first["model"]
    assert cached.is_file() and [p.name for p in cache.iterdir()] == [cached.name]  # no temporary left
    assert first["accuracy"] >= dm.ACCURACY_FLOOR
    assert first["held_out"] == 450 and first["batch_size"] == 32 and first["images_per_second"] > 0
    second = dm.report(batch_size=450)
    assert second["model"] == f"loaded from the cache: {cached}"
    assert second["accuracy"] == first["accuracy"]  # the same model, whatever the batch size


def test_a_model_built_into_the_image_is_read_only_and_never_written(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    baked = tmp_path / "image" / "digits-mlp.onnx"
    assert dm.main(["build", str(baked)]) == 0  # as examples/demo/Dockerfile runs it
    built = (baked.read_bytes(), baked.stat().st_mtime_ns)
    monkeypatch.setenv("DIGITS_MODEL", str(baked))
    result = dm.report()
    assert result["model"] == f"built into the image: {baked}"
    assert result["accuracy"] >= dm.ACCURACY_FLOOR
    assert (baked.read_bytes(), baked.stat().st_mtime_ns) == built
    assert not cache.exists()  # nothing written anywhere else either


def test_the_cache_goes_to_the_scratch_volume_else_tmp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MODEL_CACHE_DIR", raising=False)
    monkeypatch.setenv("SCRATCH_DIR", str(tmp_path))
    assert dm.cache_dir() == tmp_path / "models"
    monkeypatch.setenv("SCRATCH_DIR", "/nonexistent-scratch")
    assert dm.cache_dir().name == "k8s-tasks-models"


@pytest.mark.parametrize(
    ("available", "gpu", "providers", "why"),
    [
        (["CPUExecutionProvider"], None, ["CPUExecutionProvider"], "no GPU visible"),
        (["CPUExecutionProvider"], "NVIDIA_VISIBLE_DEVICES=0", ["CPUExecutionProvider"], "no CUDA provider"),
        (
            ["CUDAExecutionProvider", "CPUExecutionProvider"],
            "NVIDIA_VISIBLE_DEVICES=0",
            ["CUDAExecutionProvider", "CPUExecutionProvider"],
            "GPU visible",
        ),
        (["CUDAExecutionProvider", "CPUExecutionProvider"], None, ["CPUExecutionProvider"], "no GPU visible"),
    ],
)
def test_providers(available: list[str], gpu: str | None, providers: list[str], why: str) -> None:
    chosen, reason = dm.choose_providers(available, gpu)
    assert chosen == providers and why in reason


def test_visible_gpu_reads_the_device_plugin_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NVIDIA_VISIBLE_DEVICES", "GPU-5f2b")
    assert dm.visible_gpu() == "NVIDIA_VISIBLE_DEVICES=GPU-5f2b"
    monkeypatch.setenv("NVIDIA_VISIBLE_DEVICES", "void")
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert dm.visible_gpu() == (", ".join(sorted(str(p) for p in Path("/dev").glob("nvidia[0-9]*"))) or None)


def test_batch_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="batch_size is 0; it must be at least 1"):
        dm.evaluate(b"", dm.held_out_split(), batch_size=0)


def test_usage() -> None:
    assert dm.main(["build"]) == 2
