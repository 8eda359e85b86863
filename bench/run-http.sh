#!/usr/bin/env bash
# The HTTP benchmark of issue 10: throwaway PostgreSQL + pgbench baseline + the server in Release + load generator.
# Usage: bench/run-http.sh [--quick] [options]   (bench/run-http.sh --help lists them). Never part of ./test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/ApprovalEngine.LoadTest/ApprovalEngine.LoadTest.csproj -c Release -nologo -v q -clp:ErrorsOnly
# The harness itself, not `dotnet run`, receives Ctrl+C and SIGTERM, so it can stop its servers and PostgreSQL.
exec dotnet bench/ApprovalEngine.LoadTest/bin/Release/net10.0/ApprovalEngine.LoadTest.dll "$@"
