#!/usr/bin/env bash
# Assembles every GPU kernel for a real NVIDIA architecture on a machine without a GPU, and reports what the
# assembler made of it: `fastnet info --ptx` writes the PTX FastNet compiles, NVIDIA's ptxas turns each kernel into
# machine code (SASS) for the chosen architecture, and the report lists per kernel the registers, shared memory,
# stack frame and spills, plus the instruction mix of the SASS (FFMA against shared-memory loads: the GEMM kernels'
# inner-loop quality). It fails when any kernel has a stack frame or spills: local memory, the thing the PTX test can
# only approximate.
#
# ptxas comes from Debian's non-free package nvidia-cuda-toolkit (CUDA 11.8), downloaded once into .cache/ptxas/
# (git-ignored) and checked against its SHA-256; PTXAS=<path to ptxas> uses an installed one instead (cuobjdump is
# and nvdisasm are then taken from the same folder). This is a check of code generation, not of results or speed: those need a GPU.
#
# Usage: bash benchmarks/gpu/assemble-kernels.sh [--arch sm_90] [--out report.md]
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

arch=sm_90
report=""
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch=${2:?--arch needs a value such as sm_90}; shift 2 ;;
    --out) report=${2:?--out needs a file}; shift 2 ;;
    *) echo "usage: $0 [--arch sm_90] [--out report.md]" >&2; exit 2 ;;
  esac
done

package=nvidia-cuda-toolkit_11.8.89~11.8.0-5~deb12u1_amd64.deb
package_url=http://deb.debian.org/debian/pool/non-free/n/nvidia-cuda-toolkit/$package
package_sha256=d1156026e704fe0368b6295db06224ed00a727966fb13454f34e3f3102db0457

if [ -n "${PTXAS:-}" ]; then
  ptxas=$PTXAS
else
  cache=.cache/ptxas
  ptxas=$cache/usr/bin/ptxas
  if [ ! -x "$ptxas" ]; then
    mkdir -p "$cache"
    echo "fetching $package_url" >&2
    curl -fsSL --retry 3 -o "$cache/$package.part" "$package_url"
    if ! echo "$package_sha256  $cache/$package.part" | sha256sum -c --quiet -; then
      echo "assemble-kernels: $package: SHA-256 differs from $package_sha256" >&2
      rm -f "$cache/$package.part"
      exit 1
    fi
    dpkg-deb -x "$cache/$package.part" "$cache.tmp"
    mkdir -p "$cache/usr/bin"
    mv "$cache.tmp/usr/bin/ptxas" "$cache.tmp/usr/bin/cuobjdump" "$cache.tmp/usr/bin/nvdisasm" "$cache/usr/bin/"
    rm -rf "$cache.tmp" "$cache/$package.part"
  fi
fi
cuobjdump=$(dirname "$ptxas")/cuobjdump
export NVDISASM_PATH=$(dirname "$ptxas") # cuobjdump -sass runs nvdisasm

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet run --project src/FastNet.Cli -c Release -- info --ptx "$work/ptx" > "$work/info.log"

failures=0
{
  echo "# FastNet's GPU kernels assembled for $arch"
  echo
  echo "$("$ptxas" --version | tail -n 1); PTX from \`fastnet info --ptx\` at commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
  echo "Assembler output only: no kernel ran."
  echo
  echo "| kernel | registers | shared bytes | stack bytes | spill stores | spill loads | SASS instructions | FFMA | LDS (128-bit) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for ptx in "$work"/ptx/*.ptx; do
    kernel=$(basename "$ptx" .ptx)
    "$ptxas" -arch="$arch" -v -o "$work/$kernel.cubin" "$ptx" 2> "$work/$kernel.log"
    read -r stack stores loads < <(sed -nE \
      's/.* ([0-9]+) bytes stack frame, ([0-9]+) bytes spill stores, ([0-9]+) bytes spill loads.*/\1 \2 \3/p' "$work/$kernel.log")
    registers=$(sed -nE 's/.*Used ([0-9]+) registers.*/\1/p' "$work/$kernel.log")
    shared=$(sed -nE 's/.* ([0-9]+) bytes smem.*/\1/p' "$work/$kernel.log")
    "$cuobjdump" -sass "$work/$kernel.cubin" > "$work/$kernel.sass"
    # one SASS instruction per line "/*0a30*/  [@P0] OPCODE.MODIFIERS ...": count opcodes
    read -r total ffma lds lds128 < <(awk '
      /^[[:space:]]+\/\*[0-9a-f]+\*\/[[:space:]]/ {
        op = $2; if (op ~ /^@/) op = $3
        total++
        if (op ~ /^FFMA/) ffma++
        if (op ~ /^LDS/) { lds++; if (op ~ /\.128/) lds128++ }
      }
      END { printf "%d %d %d %d\n", total, ffma, lds, lds128 }' "$work/$kernel.sass")
    echo "| $kernel | $registers | ${shared:-0} | $stack | $stores | $loads | $total | $ffma | $lds ($lds128) |"
    if [ "$stack" -ne 0 ] || [ "$stores" -ne 0 ] || [ "$loads" -ne 0 ]; then
      failures=$((failures + 1))
    fi
  done
  echo
  if [ "$failures" -eq 0 ]; then
    echo "Every kernel keeps its data in registers and shared memory: no stack frame, no spills."
  else
    echo "**$failures kernel(s) use local memory (stack frame or spills).**"
  fi
} > "$work/report.md"

cat "$work/report.md"
if [ -n "$report" ]; then
  mkdir -p "$(dirname "$report")"
  cp "$work/report.md" "$report.tmp" && mv "$report.tmp" "$report"
fi
[ "$failures" -eq 0 ]
