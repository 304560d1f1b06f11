#!/usr/bin/env bash
# scripts/notebook_outputs.sh runs the notebooks at the lesson's full settings (5 epochs, all 60,000
# training images) and commits their outputs into the .ipynb files, so that a reader on GitHub or
# nbviewer sees the pictures and numbers without running anything. It is what `make outputs` runs.
#
# Usage: scripts/notebook_outputs.sh [NOTEBOOK.ipynb ...]   (default: every notebook in notebooks/)
#
# Each notebook runs with the kernel its metadata names (kernels/install.sh --user installs them),
# with LESSON_EPOCHS and LESSON_TRAIN_SIZE unset and GOMLX_BACKEND=go, and trained models kept in
# $LESSON_CHECKPOINT_DIR (default: the user cache, which `go run ./cmd/lesson03 train` fills: then
# the lesson's CNN loads instead of training). Every code cell gets the SHA-256 of its source in
# its metadata (metadata.lesson.source_sha256); notebooks/notebook_test.go fails when a cell's
# source no longer matches, so committed outputs never go stale. A notebook is replaced only once
# its run succeeded, and only if it did not change while it ran.
set -euo pipefail

project=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
die() { echo "notebook_outputs: $*" >&2; exit 1; }
if [[ -x /usr/bin/jupyter ]]; then jupyter=/usr/bin/jupyter
else jupyter=$(command -v jupyter) || die "jupyter is not installed: run make setup"; fi
# shellcheck source=kernels/lib.sh
source "$project/kernels/lib.sh"
python=$(jupyter_python)

notebooks=("$@")
if [[ ${#notebooks[@]} -eq 0 ]]; then
  mapfile -t notebooks < <(find "$project/notebooks" -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)
fi
[[ ${#notebooks[@]} -gt 0 ]] || die "no notebooks found in $project/notebooks"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for nb in "${notebooks[@]}"; do
  [[ -f "$nb" ]] || die "$nb: no such notebook"
  before=$(sha256sum "$nb" | cut -d' ' -f1)
  echo "notebook_outputs: running $nb at full settings (5 epochs, 60,000 images)…"
  start=$SECONDS
  env -u LESSON_EPOCHS -u LESSON_TRAIN_SIZE GOMLX_BACKEND=go \
    "$jupyter" nbconvert --to notebook --execute --ExecutePreprocessor.timeout=7200 \
    --output-dir "$tmp" --output out.ipynb "$nb" ||
    die "$nb: the run failed (see above); the notebook was left as it was"
  "$python" - "$tmp/out.ipynb" "$tmp/stamped.ipynb" <<'PY' || die "$nb: stamping the outputs failed"
import hashlib, json, sys

src, dst = sys.argv[1], sys.argv[2]
with open(src, encoding="utf-8") as f:
    nb = json.load(f)
for cell in nb["cells"]:
    if cell["cell_type"] != "code":
        continue
    source = "".join(cell["source"])
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            sys.exit("a cell failed: %s: %s" % (out.get("ename"), out.get("evalue")))
    # What the test recomputes: the SHA-256 of the cell's source text.
    cell.setdefault("metadata", {}).setdefault("lesson", {})["source_sha256"] = hashlib.sha256(source.encode()).hexdigest()
    cell["metadata"].pop("execution", None)  # run times: noise in the diff
with open(dst, "w", encoding="utf-8") as f:
    json.dump(nb, f, indent=1, ensure_ascii=False)
    f.write("\n")
PY
  [[ "$(sha256sum "$nb" | cut -d' ' -f1)" == "$before" ]] ||
    die "$nb changed while it ran; its outputs were not written: run again"
  cp "$tmp/stamped.ipynb" "$nb.tmp"
  mv "$nb.tmp" "$nb"
  echo "notebook_outputs: $nb: outputs written ($((SECONDS - start)) s, $(du -k "$nb" | cut -f1) KiB)"
done
