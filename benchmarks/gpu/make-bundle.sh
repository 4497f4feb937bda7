#!/usr/bin/env bash
# Builds what a GPU machine without .NET needs to validate and benchmark the gpu backend: the fastnet command and
# the GPU test suite (an xunit.v3 executable), each published self-contained for linux-x64, packed with tar | xz
# into .bundle/ (git-ignored; carry it to the machine). run-on-device.sh unpacks and runs it there.
# Usage: bash benchmarks/gpu/make-bundle.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

bundle=.bundle/fastnet-linux-x64.tar.xz
max_bytes=$((60 * 1024 * 1024)) # the machine takes 64 MiB with the working tree; leave room for the sources

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/fastnet

# No trimming: ILGPU finds its intrinsics and CUDA support by reflection (GPU.md).
publish() {
  dotnet publish "$1" -c Release -r linux-x64 --self-contained \
    -p:InvariantGlobalization=true -p:PublishTrimmed=false -o "$2"
}
publish src/FastNet.Cli "$root/cli"
publish tests/FastNet.Kernels.Gpu.Tests "$root/gpu-tests"

# Test.Sdk's code-coverage collector (about 30 MB) serves dotnet test's data collectors only; the in-process xunit
# runner never loads it.
rm -rf "$root/gpu-tests/Microsoft.CodeCoverage"

# Both publishes carry the same .NET runtime: hard-link identical files so tar stores them once.
(cd "$root/gpu-tests" && find . -type f -print0) | while IFS= read -r -d '' file; do
  if [ -f "$root/cli/$file" ] && cmp -s "$root/cli/$file" "$root/gpu-tests/$file"; then
    ln -f "$root/cli/$file" "$root/gpu-tests/$file"
  fi
done

commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain --untracked-files=no 2>/dev/null | head -n 1)
{
  echo "commit: $commit${dirty:+ (with uncommitted changes)}"
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "sdk: $(dotnet --version)"
} > "$root/BUNDLE.txt"
cp benchmarks/gpu/README.md "$root/README.md"

mkdir -p "$(dirname "$bundle")"
tar -C "$stage" -cf - fastnet | xz -9 -T2 > "$bundle.tmp"
mv "$bundle.tmp" "$bundle"

bytes=$(stat -c %s "$bundle")
echo "bundle: $bundle, $((bytes / 1024 / 1024)) MiB ($bytes bytes), $(sed -n 1p "$root/BUNDLE.txt")"
if [ "$bytes" -gt "$max_bytes" ]; then
  echo "make-bundle: $bundle is larger than $((max_bytes / 1024 / 1024)) MiB: it would not travel with the working tree" >&2
  exit 1
fi
