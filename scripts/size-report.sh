#!/usr/bin/env bash
# Size report of the built site: raw and gzip (-9) size of each file type in
# dist/ and the total, in KB (1 KB = 1024 bytes). A report only: never fails on size.
#
#   scripts/size-report.sh [DIST_DIR]      (default: dist)
set -euo pipefail

dist="${1:-dist}"
if [[ ! -d "$dist" ]]; then
  echo "size-report: $dist/ does not exist; build first (./run build)" >&2
  exit 1
fi

# One line per file: "<type> <raw bytes> <gzip bytes>".
rows="$(
  find "$dist" -type f -print0 | sort -z | while IFS= read -r -d '' f; do
    name="${f##*/}"
    case "$name" in
      *.wasm) type=wasm ;;
      *.js | *.mjs) type=js ;;
      *.css) type=css ;;
      *.html) type=html ;;
      *) type=other ;;
    esac
    raw=$(wc -c <"$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    echo "$type $raw $gz"
  done
)"

echo "Size report for $dist/ (gzip -9, KB = 1024 bytes):"
awk -v rows="$rows" 'BEGIN {
  n = split(rows, lines, "\n")
  for (i = 1; i <= n; i++) {
    if (lines[i] == "") continue
    split(lines[i], f, " ")
    files[f[1]]++; raw[f[1]] += f[2]; gz[f[1]] += f[3]
    tfiles++; traw += f[2]; tgz += f[3]
  }
  printf "  %-6s %5s %11s %11s\n", "type", "files", "raw KB", "gzip KB"
  split("wasm js css html other", order, " ")
  for (j = 1; j <= 5; j++) {
    t = order[j]
    if (!(t in files)) continue
    printf "  %-6s %5d %11.1f %11.1f\n", t, files[t], raw[t] / 1024, gz[t] / 1024
  }
  printf "  %-6s %5d %11.1f %11.1f\n", "total", tfiles, traw / 1024, tgz / 1024
}'
