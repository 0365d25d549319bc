"""03-gpu-inference: a model runs on the GPU node pool.

The ``gpu`` queue's TaskQueue selects ``pool: gpu``, tolerates the ``nvidia.com/gpu`` taint and requests
``nvidia.com/gpu: 1``, so this task only ever runs on a GPU node, one task per GPU. The "model" is a tiny
fixed linear classifier, so the example needs no download. With PyTorch installed it runs through torch
(on CUDA when a GPU is visible); without it, a pure-Python fallback computes the same scores and says so
in the return value.
"""

import importlib.util
import math
import os
from typing import Any

from django.tasks import task

LABELS = ("cat", "dog", "bird")
# One row of weights per label, one column per input feature.
WEIGHTS = ((0.9, -0.2, 0.1), (-0.3, 0.8, 0.2), (0.1, 0.1, 0.9))


def softmax(values: list[float]) -> list[float]:
    top = max(values)
    exps = [math.exp(v - top) for v in values]
    total = sum(exps)
    return [e / total for e in exps]


def scores_python(features: list[float]) -> list[float]:
    """The CPU fallback: the same linear layer and softmax in plain Python."""
    if len(features) != len(WEIGHTS[0]):
        raise ValueError(
            f"features has {len(features)} values; the model takes {len(WEIGHTS[0])}, e.g. [1, 0, 0]"
        )
    logits = [sum(w * x for w, x in zip(row, features, strict=True)) for row in WEIGHTS]
    return softmax(logits)


def scores_torch(features: list[float]) -> tuple[list[float], str]:
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    weights = torch.tensor(WEIGHTS, device=device)
    inputs = torch.tensor(features, device=device)
    return torch.softmax(weights @ inputs, dim=0).tolist(), device


@task(queue_name="gpu")
def classify(features: list[float]) -> dict[str, Any]:
    """Classify one feature vector; reports which engine and device did the work."""
    if importlib.util.find_spec("torch") is not None:
        scores, device = scores_torch(features)
        engine = f"torch on {device}"
    else:
        scores = scores_python(features)
        engine = "CPU fallback: torch is not installed, computed in pure Python"
    best = max(range(len(scores)), key=scores.__getitem__)
    return {
        "label": LABELS[best],
        "scores": {label: round(score, 4) for label, score in zip(LABELS, scores, strict=True)},
        "engine": engine,
        "gpus_visible": os.environ.get("NVIDIA_VISIBLE_DEVICES", ""),
        "node": os.environ.get("NODE_NAME", ""),
    }
