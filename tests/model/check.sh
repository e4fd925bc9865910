#!/bin/sh
# Check the SMP protocol models (docs/testing.md, "SMP protocol models"): each model must hold
# (an exhaustive search without its LTL claim for assertions and deadlocks, then, if it has
# one, a search with it under weak fairness for liveness), and each deliberately broken variant must fail, which
# shows the model can tell a broken protocol. Usage: check.sh BUILD_DIR
set -e
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: check.sh BUILD_DIR}
mkdir -p "$out"
cd "$out"

# search MODEL DEFINE: prints the error count of both searches of MODEL compiled with -DDEFINE.
search() {
    dir=$1-$2
    mkdir -p "$dir"
    logs="$dir/safety.log"
    (cd "$dir" && spin -D"$2" -a "$here/$1.pml" > spin.log &&
        clang -DNOCLAIM -o pan-safety pan.c && ./pan-safety > safety.log) >&2 || { echo error; return; }
    if grep -q '^ltl' "$here/$1.pml"; then
        logs="$logs $dir/liveness.log"
        (cd "$dir" && clang -o pan-liveness pan.c && ./pan-liveness -a -f > liveness.log) >&2 ||
            { echo error; return; }
    fi
    errors=0
    for log in $logs; do
        n=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$log")
        [ -n "$n" ] || { echo error; return; }
        errors=$((errors + n))
        [ "$n" = 0 ] || grep -m1 -E 'violated|invalid end state|acceptance cycle' "$log" >&2 || true
    done
    echo "$errors"
}

status=0
for model in kill wake handoff; do
    n=$(search "$model" HOLDS)
    if [ "$n" = 0 ]; then echo "model $model: holds"; else echo "model $model: FAILS ($n)"; status=1; fi
done
for variant in kill:BROKEN_NO_IN_USER_WAIT kill:BROKEN_NO_LEAVE_SERVE kill:BROKEN_FREE_RUNNING \
               kill:BROKEN_NO_SLEEPER_WAKE kill:BROKEN_SLEEP_UNCHECKED \
               wake:BROKEN_NO_IPI handoff:BROKEN_NO_ON_CPU_WAIT; do
    n=$(search "${variant%%:*}" "${variant#*:}" 2>/dev/null)
    case $n in
    0|error) echo "model $variant: NOT refuted ($n)"; status=1 ;;
    *) echo "model $variant: refuted, as it must be" ;;
    esac
done
exit $status
