#!/bin/sh
# Stands in for ssh when a launcher starts its daemons on the "hosts" of hosts-test.sh: skips ssh's options (Hydra
# passes -x) and the host name, and runs the remote command on this machine, as ssh would run it there.
while [ "${1#-}" != "$1" ]; do shift; done
shift
exec sh -c "$*"
