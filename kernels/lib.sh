# kernels/lib.sh: shared by install.sh and uninstall.sh (sourced, not run).
# shellcheck shell=bash

# jupyter_data_dir MODE PREFIX prints the Jupyter data directory that holds kernels/ for MODE
# (user, sys-prefix or prefix; PREFIX is used by prefix only).
jupyter_data_dir() {
  local mode=$1 prefix=${2:-} py
  case "$mode" in
    user)
      if [[ -n "${JUPYTER_DATA_DIR:-}" ]]; then echo "$JUPYTER_DATA_DIR"
      elif [[ "$(uname)" == Darwin ]]; then echo "$HOME/Library/Jupyter"
      else echo "${XDG_DATA_HOME:-$HOME/.local/share}/jupyter"; fi ;;
    sys-prefix)
      py=$(jupyter_python)
      echo "$("$py" -c 'import sys; print(sys.prefix)')/share/jupyter" ;;
    prefix)
      [[ -n "$prefix" ]] || return 1
      if [[ -d "$prefix" ]]; then prefix=$(cd "$prefix" && pwd -P); fi
      echo "$prefix/share/jupyter" ;;
  esac
}

# jupyter_python prints the Python that runs Jupyter (from the jupyter script's #! line), else
# /usr/bin/python3 or python3: the one install.sh writes kernel.json with.
jupyter_python() {
  local jup shebang
  if jup=$(command -v jupyter 2>/dev/null); then
    shebang=$(head -n1 "$jup")
    if [[ "$shebang" == '#!'/* && -x "${shebang#\#!}" ]]; then echo "${shebang#\#!}"; return; fi
  fi
  if [[ -x /usr/bin/python3 ]]; then echo /usr/bin/python3; else echo python3; fi
}
