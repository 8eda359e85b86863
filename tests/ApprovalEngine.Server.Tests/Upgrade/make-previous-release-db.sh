#!/usr/bin/env bash
# Regenerates the upgrade fixture (previous-release.sql[.gz] + previous-release.manifest.json) from the previous
# release: a worktree of it is built, its server runs on a throwaway PostgreSQL 15 and is driven over HTTP, and the
# database is dumped. Needs the .NET SDK, python3, PostgreSQL 15's binaries and (as root) the `postgres` OS user.
#   tests/ApprovalEngine.Server.Tests/Upgrade/make-previous-release-db.sh [--prev /path/to/worktree-of-800a92b]
set -euo pipefail
exec python3 "$(dirname "$0")/make_previous_release_db.py" "$@"
