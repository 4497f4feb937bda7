# What the mpirun scripts share; sourced after they have changed to the repository's root.
repo=$PWD
cli=$repo/src/FastNet.Cli/bin/Release/net10.0/FastNet.Cli.dll
# Open MPI refuses to start as root without these.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Open MPI gives the ranks a terminal, so they print colours and keypad codes; logs get plain text.
plain() { sed -E 's/\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]//g'; }
fail() { echo "FAILED: $*" >&2; exit 1; }
