#!/usr/bin/env bash
# Delete the kind cluster made by scripts/kind/up.sh.
set -euo pipefail
kind delete cluster --name "${KIND_CLUSTER_NAME:-k8s-tasks}"
