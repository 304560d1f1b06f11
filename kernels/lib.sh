# kernels/lib.sh: shared by install.sh and uninstall.sh (sourced, not run).
# shellcheck shell=bash

# jupyter_data_dir MODE PREFIX prints the Jupyter data directory that holds kernels/ for MODE
# (user, sys-prefix or prefix; PREFIX is used by prefix only).
jupyter_data_dir() {
  local mode=$1 prefix=${2:-} py jup shebang
  case "$mode" in
    user)
      if [[ -n "${JUPYTER_DATA_DIR:-}" ]]; then echo "$JUPYTER_DATA_DIR"
      elif [[ "$(uname)" == Darwin ]]; then echo "$HOME/Library/Jupyter"
      else echo "${XDG_DATA_HOME:-$HOME/.local/share}/jupyter"; fi ;;
    sys-prefix)
      py=python3
      if jup=$(command -v jupyter 2>/dev/null); then
        shebang=$(head -n1 "$jup"); [[ "$shebang" == '#!'/* ]] && py=${shebang#\#!}
      fi
      echo "$("$py" -c 'import sys; print(sys.prefix)')/share/jupyter" ;;
    prefix)
      [[ -n "$prefix" ]] || return 1
      if [[ -d "$prefix" ]]; then prefix=$(cd "$prefix" && pwd -P); fi
      echo "$prefix/share/jupyter" ;;
  esac
}
