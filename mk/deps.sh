#!/bin/sh
# Installs the build dependencies that are missing, with apt-get (Debian).
# Run by `make demo` and `make test`; does nothing when everything is there.
# clang is for the libFuzzer targets (make fuzz; make test replays them);
# zlib1g-dev: .gz inputs (libz.a is linked into built binaries);
# distro-info-data gives the spec suite its debian.csv (§8) and records_diff
# real CSV files (/usr/share/distro-info).
set -e
need=""
for p in gcc make flex bison libtcc-dev tcc libpcre2-dev zlib1g-dev libcmocka-dev libedit-dev graphviz tmux vim emacs-nox groff-base valgrind clang distro-info-data; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need="$need $p"
done
# the editor tests run TextMate grammars in node (NodeSource's nodejs bundles npm)
command -v node >/dev/null 2>&1 || need="$need nodejs"
command -v npm >/dev/null 2>&1 || need="$need npm"
command -v python3 >/dev/null 2>&1 || need="$need python3"  # reads --stats=json in tests
[ -z "$need" ] && exit 0
echo "installing missing build dependencies:$need"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need
