#!/usr/bin/env bash
# Replays the Dockerfile's build outside Docker, for machines where Docker cannot run: in a throwaway venv in a
# temporary folder, it copies what the COPY steps copy and runs the pip/python RUN steps in the Dockerfile's own
# order (the dependencies first, then the package with --no-deps), read from the Dockerfile itself so the two
# cannot drift apart. Steps that change the system (useradd, chown) are listed and skipped: they need the image.
# Then, from that venv: `covenant-registry --version`, `migrate` on a new SQLite file (from another folder, so
# alembic.ini and migrations/ are found where the image keeps them), `--help`, `scheduler --once`, and the
# image's CMD serving while its HEALTHCHECK command passes (and fails once the server is gone).
# Exits non-zero at the first failure.
#
#   bash scripts/check-image-steps.sh          # PYTHON=python3.11 to choose the interpreter
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/check-image-steps.XXXXXX")"
SERVER_PID=""

cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" && wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "check-image-steps: FAILED: $*" >&2; exit 1; }
step() { echo "== $*"; }

# --- Read the Dockerfile: one instruction a line (continuations joined, comments dropped); exec forms as argv.
"$PYTHON" - "$ROOT/Dockerfile" "$WORK" <<'PY'
import json, shlex, sys
from pathlib import Path

dockerfile, work = Path(sys.argv[1]), Path(sys.argv[2])
instructions, pending = [], ""
for line in dockerfile.read_text().splitlines():
    if not pending and (not line.strip() or line.lstrip().startswith("#")):
        continue
    if line.rstrip().endswith("\\"):
        pending += line.rstrip()[:-1] + " "
        continue
    instructions.append((pending + line).strip())
    pending = ""

with open(work / "steps.tsv", "w") as steps:
    for instruction in instructions:
        kind, _, args = instruction.partition(" ")
        kind, args = kind.upper(), args.strip()
        if kind == "ENV":
            words = shlex.split(args)
            pairs = [word.split("=", 1) for word in words] if "=" in words[0] else [[words[0], " ".join(words[1:])]]
            for key, value in pairs:
                steps.write(f"ENV\t{key}\t{value}\n")
        elif kind == "HEALTHCHECK":
            command = args[args.index("CMD ") + 4 :].strip()
            argv = json.loads(command) if command.startswith("[") else ["/bin/sh", "-c", command]
            (work / "healthcheck.argv").write_text("\0".join(argv) + "\0")
        elif kind == "CMD":
            argv = json.loads(args) if args.startswith("[") else ["/bin/sh", "-c", args]
            (work / "cmd.argv").write_text("\0".join(argv) + "\0")
        else:
            steps.write(f"{kind}\t{args}\n")
PY

# --- Replay it. The image's / is $WORK/image; its python and pip are the throwaway venv's.
IMAGE="$WORK/image"
VENV="$WORK/venv"
step "a throwaway venv with $("$PYTHON" --version)"
"$PYTHON" -m venv "$VENV"
export PATH="$VENV/bin:$PATH"
export VIRTUAL_ENV="$VENV"
unset PYTHONPATH
workdir="$IMAGE"

while IFS=$'\t' read -r kind args extra; do
  case "$kind" in
    FROM)
      wanted="$(sed -E 's/^python:([0-9]+\.[0-9]+).*/\1/' <<<"$args")"
      have="$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
      [[ "$wanted" == "$have" ]] || echo "   note: the image has Python $wanted, this replay $have"
      ;;
    ENV)
      export "$args=$extra"
      ;;
    WORKDIR)
      workdir="$IMAGE$args"
      mkdir -p "$workdir"
      ;;
    COPY)
      [[ "$args" != --* ]] || fail "COPY flags are not replayed here: $args"
      read -r -a paths <<<"$args"
      destination="${paths[-1]}"
      [[ "$destination" == /* ]] && target="$IMAGE$destination" || target="$workdir/$destination"
      for source in "${paths[@]:0:${#paths[@]}-1}"; do
        if [[ -d "$ROOT/$source" ]]; then
          mkdir -p "$target"
          cp -R "$ROOT/$source/." "$target/"
        elif [[ "$destination" == */ ]]; then
          mkdir -p "$target"
          cp "$ROOT/$source" "$target"
        else
          mkdir -p "$(dirname "$target")"
          cp "$ROOT/$source" "$target"
        fi
      done
      find "$IMAGE" -name __pycache__ -prune -exec rm -rf {} +  # as .dockerignore leaves them out
      echo "   COPY $args"
      ;;
    RUN)
      if [[ "$args" == pip\ * || "$args" == python\ * ]]; then
        step "RUN ${args:0:100}"
        (cd "$workdir" && sh -c "$args") || fail "RUN $args"
      else
        echo "   skipped (changes the system; only the image can run it): RUN $args"
      fi
      ;;
    *) ;;  # LABEL, EXPOSE, USER…: nothing to replay
  esac
done <"$WORK/steps.tsv"

# --- What the image's commands should do, run from another folder than /srv.
cd "$WORK"
export DATABASE_URL="sqlite:///$WORK/check.db"
export LOG_LEVEL=warning

step "the installed package is the replayed copy"
location="$(python -c 'import app; print(app.__file__)')"
[[ "$location" == "$IMAGE"/* ]] || fail "app imports from $location, not from the replayed $IMAGE"

step "covenant-registry --version"
expected="covenant-registry $(python -c "import tomllib; print(tomllib.load(open('$ROOT/pyproject.toml', 'rb'))['project']['version'])")"
printed="$(covenant-registry --version)" || fail "covenant-registry --version"
[[ "$printed" == "$expected" ]] || fail "--version printed '$printed', expected '$expected'"

step "covenant-registry migrate (SQLite, $DATABASE_URL)"
covenant-registry migrate || fail "covenant-registry migrate"
at="$(python -c "import sqlite3; print(*sorted(r[0] for r in sqlite3.connect('$WORK/check.db').execute('SELECT version_num FROM alembic_version')))")"
heads="$(python -c 'from app.migrate import head_revisions; print(*sorted(head_revisions()))')"
[[ -n "$heads" && "$at" == "$heads" ]] || fail "database at '$at', the migrations' head is '$heads'"

step "covenant-registry --help"
covenant-registry --help >/dev/null || fail "covenant-registry --help"

step "covenant-registry scheduler --once"
covenant-registry scheduler --once || fail "covenant-registry scheduler --once"

step "the image's CMD serves, and its HEALTHCHECK passes"
mapfile -d '' -t serve_command <"$WORK/cmd.argv"
mapfile -d '' -t healthcheck <"$WORK/healthcheck.argv"
PORT="$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export PORT HOST=127.0.0.1  # the image listens on 0.0.0.0; here, only this machine need reach it
"${serve_command[@]}" &
SERVER_PID=$!
healthy=""
for _ in $(seq 1 60); do
  if "${healthcheck[@]}" 2>/dev/null; then healthy=yes; break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || fail "the server exited before it was healthy"
  sleep 0.5
done
[[ -n "$healthy" ]] || fail "HEALTHCHECK did not pass within 30 s"
kill "$SERVER_PID" && wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""
if "${healthcheck[@]}" 2>/dev/null; then fail "HEALTHCHECK passed with no server listening"; fi

echo "check-image-steps: all image steps and commands worked"
