#!/usr/bin/env bash
# meson test --setup valgrind runs each test program through this, and the
# suites start calcify through it too (CALCIFY points here, CALCIFY_REAL at
# the program): memcheck for calcify and the CUnit programs, any error or
# definite leak an exit status of 99.  Shell scripts run as they are (their
# calcify runs are checked).
here=$(dirname "$(readlink -f "$0")")
if [ "$(basename "$0")" = calcify-valgrind ]; then
    set -- "${CALCIFY_REAL:?}" "$@"
elif [ -n "${CALCIFY_VALGRIND_LINK:-}" ] && [ -z "${CALCIFY_REAL:-}" ]; then
    # wrapping a test program: the calcify it starts goes through here too,
    # as the build with a shared libc where there is one (memcheck cannot
    # follow malloc inside the static calcify)
    export CALCIFY_REAL=${CALCIFY_VALGRIND_PROGRAM:-${CALCIFY:?}} CALCIFY=$CALCIFY_VALGRIND_LINK
fi
case "$(basename "$1")" in
bash | sh) exec "$@" ;;
esac
exec valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    --suppressions="$here/../valgrind.supp" "$@"
