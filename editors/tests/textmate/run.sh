#!/bin/sh
# Checks editors/vscode with the real TextMate engine (vscode-textmate on
# vscode-oniguruma): installs them into editors/tests/textmate/node_modules on
# the first run only, then tokenizes every example (test.js).
# Exit status 77: the engine could not be had (no node/npm, no registry).
DIR=$(cd "$(dirname "$0")" && pwd)
command -v node >/dev/null 2>&1 || { echo "SKIP textmate: node is not installed"; exit 77; }
if [ ! -d "$DIR/node_modules/vscode-textmate" ] || [ ! -d "$DIR/node_modules/vscode-oniguruma" ]; then
    command -v npm >/dev/null 2>&1 || { echo "SKIP textmate: npm is not installed"; exit 77; }
    if ! (cd "$DIR" && timeout 300 npm install --no-audit --no-fund --loglevel=error >"$DIR/.npm-install.log" 2>&1); then
        echo "SKIP textmate: npm install failed (no network to the npm registry?): $(tail -n 3 "$DIR/.npm-install.log" | tr '\n' ' ')"
        exit 77
    fi
    rm -f "$DIR/.npm-install.log"
fi
cd "$DIR" && timeout 120 node test.js
