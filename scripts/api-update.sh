#!/usr/bin/env bash
# Rewrites every module's API baseline (api/<artifactId>.api) from the current code, then shows what changed.
# Review the diff: a removed or changed line breaks callers. Commit the .api files with the change.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B ${MVN_OPTS:-} test -Dtest=ApiCompatibilityTest -Dsurefire.failIfNoSpecifiedTests=false -Dapi.update=true -q
git --no-pager diff --stat -- '*/api/*.api' || true
