#!/usr/bin/env bash
# Re-imports the specs listed in specs/imports.txt from the API Explorer documents:
#   specs/import.sh [SPEC...]      (all listed specs when none is named)
# Each line becomes `cargo xtask import --out specs/<spec>.yaml <folder>/<FOLDER>`, from
# scratch, or for `merged` specs over the existing file, whose operations, types and error
# codes are kept (new ones added). Then run `cargo xtask codegen`.
set -euo pipefail
cd "$(dirname "$0")/.."
# The documents are vendored in specs/api-explorer; HWCLOUD_API_EXPLORER points elsewhere
# (e.g. a newer snapshot).
docs="${HWCLOUD_API_EXPLORER:-specs/api-explorer}"
if [ ! -d "$docs" ]; then
    echo "error: no API Explorer documents at $docs (set HWCLOUD_API_EXPLORER)" >&2
    exit 1
fi
wanted=" $* "
while read -r spec folder merged; do
    case "$spec" in ''|'#'*) continue ;; esac
    if [ $# -gt 0 ] && [[ "$wanted" != *" $spec "* ]]; then
        continue
    fi
    # A spec the importer writes alone is imported afresh (as xtask/tests/reimport.rs
    # checks it), so importer changes reach it; a `merged` one is imported over its text,
    # whose hand-written entries (and earlier imported ones) are kept.
    if [ "$merged" != merged ]; then
        rm -f "specs/$spec.yaml"
    fi
    echo "== $spec: cargo xtask import --out specs/$spec.yaml $docs/$folder"
    cargo xtask import --out "specs/$spec.yaml" "$docs/$folder"
done < specs/imports.txt
