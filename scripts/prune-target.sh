#!/usr/bin/env bash
# Keeps the shared build cache ($CARGO_TARGET_DIR) from filling the disk.
#
# Cargo names this workspace's own artifacts by a hash of, among others, the clone's path, so
# every fresh clone (every CI run) builds a new set beside the old ones: about 6 GB a run, in a
# cache that is never cleaned. Third-party crates keep their names and are left alone.
# Removed here: our own artifacts whose source file no longer exists (clones since deleted, test
# files since merged) and all but the two newest builds of each of our artifacts.
set -uo pipefail
target="${CARGO_TARGET_DIR:?source scripts/env.sh first}"
root_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

prune_dir() {
  local dir="$1"
  [ -d "$dir" ] || return 0
  # One line per artifact of ours: "<mtime> <name> <hash> <crate root>", newest first.
  find "$dir" -maxdepth 1 -name '*-*.d' -printf '%T@ %f\n' | sort -rn |
    while read -r mtime file; do
      local stem="${file%.d}" root
      root="$(sed -n '1s/^[^:]*: *\([^ ]*\).*/\1/p' "$dir/$file")"
      # Cargo writes our sources relative to the workspace, everyone else's as absolute paths.
      case "$root" in
        /* | "") continue ;;
      esac
      echo "$mtime ${stem%-*} ${stem##*-} $root"
    done |
    awk '{ seen[$2 " " $4]++; if (seen[$2 " " $4] > 2) print $2, $3, $4, "old"; else print $2, $3, $4, "keep" }' |
    while read -r name hash root verdict; do
      if [ "$verdict" = old ] || [ ! -e "$root_dir/$root" ]; then
        rm -rf "$dir/$name-$hash" "$dir/$name-$hash".* "$dir/lib$name-$hash".* 2>/dev/null
        echo "pruned $name-$hash"
      fi
    done
}

before="$(du -sm "$target" 2>/dev/null | cut -f1)"
for profile in debug release; do
  prune_dir "$target/$profile/deps"
  prune_dir "$target/$profile/examples"
done
# A crate's incremental directory gets a new session on every build of it: one untouched for
# two days belongs to a clone or a layout that is gone.
find "$target"/*/incremental -mindepth 1 -maxdepth 1 -type d -mtime +1 -exec rm -rf {} + 2>/dev/null
after="$(du -sm "$target" 2>/dev/null | cut -f1)"
echo "build cache: ${before:-0} MB -> ${after:-0} MB"
