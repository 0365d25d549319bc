#!/usr/bin/env bash
# The real-cluster path: a kind cluster with node pools, the demo image, a fake GPU, the Helm chart,
# and the examples. Needs docker and kind (https://kind.sigs.k8s.io); kubectl and helm come from
# .tools/bin (make setup) when they are not on PATH. Re-running it is safe.
#
#   scripts/kind/up.sh            # everything
#   scripts/kind/down.sh          # delete the cluster
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/scripts/kind"
export PATH="$ROOT/.tools/bin:$PATH"

CLUSTER="${KIND_CLUSTER_NAME:-k8s-tasks}"
IMAGE="${IMAGE:-k8s-tasks-demo:dev}"          # must match scripts/kind/values-kind.yaml
NAMESPACE="${NAMESPACE:-default}"             # demo_project settings: TASKS OPTIONS NAMESPACE
RELEASE="${RELEASE:-k8s-tasks}"
SECRET=k8s-tasks-db                           # values-kind.yaml database.existingSecret
CONTEXT="kind-$CLUSTER"

say() { printf '\n==> %s\n' "$*"; }
need() { command -v "$1" >/dev/null || { echo "error: '$1' is not installed ($2)" >&2; exit 1; }; }

need docker "https://docs.docker.com/get-docker/"
need kind "https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
need kubectl "run: make setup"
need helm "run: make setup"
kc() { kubectl --context "$CONTEXT" --namespace "$NAMESPACE" "$@"; }

say "kind cluster '$CLUSTER' (control plane + workers pool=general, highmem, gpu)"
if kind get clusters | grep -qx "$CLUSTER"; then
  echo "exists"
else
  kind create cluster --name "$CLUSTER" --config "$ROOT/kind-config.yaml" --wait 120s
fi

say "build $IMAGE from examples/demo/Dockerfile and load it into the nodes"
docker build --file "$ROOT/examples/demo/Dockerfile" --tag "$IMAGE" "$ROOT"
kind load docker-image "$IMAGE" --name "$CLUSTER"

say "advertise a fake nvidia.com/gpu capacity of 1 on the gpu node"
GPU_NODE="$(kubectl --context "$CONTEXT" get nodes -l pool=gpu -o jsonpath='{.items[0].metadata.name}')"
kubectl --context "$CONTEXT" patch node "$GPU_NODE" --subresource=status --type=json \
  --patch-file "$HERE/manifests/gpu-capacity-patch.json"
kubectl --context "$CONTEXT" wait node "$GPU_NODE" --timeout=60s \
  --for=jsonpath='{.status.allocatable.nvidia\.com/gpu}'=1

say "database Secret '$SECRET' (a random password, created once) and the demo PostgreSQL"
if ! kc get secret "$SECRET" >/dev/null 2>&1; then
  kc create secret generic "$SECRET" \
    --from-literal=K8S_DEMO_DB=postgres \
    --from-literal=K8S_DEMO_DB_NAME=k8s_tasks_demo \
    --from-literal=PGHOST=postgres \
    --from-literal=PGPORT=5432 \
    --from-literal=PGUSER=k8s_tasks \
    --from-literal=PGPASSWORD="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
fi
kc apply -f "$HERE/manifests/postgres.yaml"
kc rollout status deployment/postgres --timeout=180s

say "TaskQueue CRD (applied here too, because helm installs crds/ once and never upgrades them)"
kubectl --context "$CONTEXT" apply -f "$ROOT/helm/k8s-tasks/crds/"
kubectl --context "$CONTEXT" wait --for=condition=Established crd/taskqueues.k8stasks.io --timeout=60s

say "helm install $RELEASE (RBAC, operator, TaskQueues; migrations run first as a hook)"
helm upgrade --install "$RELEASE" "$ROOT/helm/k8s-tasks" --kube-context "$CONTEXT" --namespace "$NAMESPACE" \
  --values "$HERE/values-kind.yaml" --set image.repository="${IMAGE%:*}" --set image.tag="${IMAGE##*:}" \
  --wait --timeout 5m
kc rollout status "deployment/$RELEASE" --timeout=180s

say "run the examples"
kc exec -i "deployment/$RELEASE" -- python - <"$HERE/run_examples.py"

say "what Kubernetes saw"
kc get taskqueues
kc get jobs -l app.kubernetes.io/managed-by=k8s-tasks -L k8stasks.io/queue
kc get pods -l app.kubernetes.io/managed-by=k8s-tasks -o wide
