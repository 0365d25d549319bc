"""03-gpu-inference: a real model on the GPU node pool.

The ``gpu`` queue's TaskQueue selects ``pool: gpu``, tolerates the ``nvidia.com/gpu`` taint and requests
``nvidia.com/gpu: 1``, so this task only ever runs on a GPU node, one task per GPU. It classifies the
held-out images of scikit-learn's handwritten digits with a small neural network exported to ONNX, in
batches, with onnxruntime: on the CUDA provider when a GPU is visible (and onnxruntime-gpu is installed),
else on the CPU, and says which and why. The model is trained on first use and cached where a read-only
root filesystem still lets it be written (see digits_model.py).

Needs the ``examples`` extra: ``pip install 'k8s-tasks[examples]'`` (scikit-learn, skl2onnx, onnxruntime).
"""

import os
from typing import Any

from digits_model import ACCURACY_FLOOR, report
from django.tasks import task

__all__ = ["ACCURACY_FLOOR", "classify_digits"]


@task(queue_name="gpu")
def classify_digits(batch_size: int = 64) -> dict[str, Any]:
    """Classify the held-out digits in batches of `batch_size`; report the provider, the throughput, the
    accuracy (and the floor it must stay above) and where the model came from."""
    result = report(batch_size)
    print(f"model {result['model']} ({result['model_bytes']} bytes of ONNX)", flush=True)
    print(f"provider {result['provider']}: {result['provider_note']}", flush=True)
    print(
        f"accuracy {result['accuracy']:.4f} on {result['held_out']} held-out images "
        f"(floor {ACCURACY_FLOOR}); {result['images_per_second']} images/s in batches of {batch_size}",
        flush=True,
    )
    return {**result, "node": os.environ.get("NODE_NAME", "")}
