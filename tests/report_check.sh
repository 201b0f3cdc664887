#!/usr/bin/env bash
# Opens report.html files in headless Chromium: fails on a console message, a missing or broken chart, or a failed screenshot.
#
# Usage: tests/report_check.sh [results/<experiment> ...]   (default: every results/*/report.html)
# Screenshots go to $REPORT_CHECK_OUT (default: a temporary directory, printed at the end).
# Needs Debian's chromium (`apt-get install -y chromium`; .ci/run installs it when missing).
#
# For each report it checks that
#   * Chromium loads it and logs no console message and no failed resource load (the report
#     has no script and fetches nothing, so any such line is an error);
#   * the rendered DOM holds one inline <svg> per chart file in charts/, each inside its own
#     <figure id="<chart>">, and no <img> (an image would be a fetch, and could break);
#   * a full-page screenshot is written and is a non-trivial PNG.
set -euo pipefail
cd "$(dirname "$0")/.."

browser=""
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then browser="$b"; break; fi
done
if [ -z "$browser" ]; then
  echo "report_check: no chromium found; install it with: apt-get install -y chromium" >&2
  exit 1
fi

out="${REPORT_CHECK_OUT:-$(mktemp -d)}"
mkdir -p "$out"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT

# The flags the issue asks for: no sandbox (containers), no GPU, nothing fetched or synced.
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
  --disable-component-update --disable-sync --no-first-run --disable-dev-shm-usage
  --hide-scrollbars --user-data-dir="$profile")

if [ "$#" -gt 0 ]; then
  dirs=("$@")
else
  dirs=()
  for r in results/*/report.html; do dirs+=("$(dirname "$r")"); done
fi
if [ "${#dirs[@]}" -eq 0 ]; then
  echo "report_check: no reports to check" >&2
  exit 1
fi

fail=0
for d in "${dirs[@]}"; do
  name="$(basename "$d")"
  html="$(cd "$d" && pwd)/report.html"
  if [ ! -f "$html" ]; then
    echo "FAIL $name: no report.html" >&2; fail=1; continue
  fi
  url="file://$html"
  bad=0
  dom="$out/$name.dom.html"
  log="$out/$name.log"
  shot="$out/$name.png"

  timeout 60 "$browser" "${flags[@]}" --enable-logging=stderr --v=0 --dump-dom "$url" \
    >"$dom" 2>"$log" || { echo "FAIL $name: chromium could not load the report (see $log)" >&2; fail=1; continue; }

  # Console messages and failed loads, as Chromium logs them with --enable-logging.
  if grep -E "CONSOLE|Uncaught|Failed to load resource|net::ERR_" "$log" >/dev/null; then
    echo "FAIL $name: console errors:" >&2
    grep -E "CONSOLE|Uncaught|Failed to load resource|net::ERR_" "$log" | head -5 >&2
    bad=1
  fi

  # One inline chart per chart file, each in its figure; no images.
  expected=0
  for svg in "$d"/charts/*.svg; do
    [ -e "$svg" ] || continue
    expected=$((expected + 1))
    stem="$(basename "$svg" .svg)"
    if ! grep -q "<figure id=\"$stem\">" "$dom"; then
      echo "FAIL $name: chart $stem is missing from the rendered page" >&2; bad=1
    fi
  done
  found="$(grep -o "<svg" "$dom" | wc -l)"
  figures="$(grep -o "<figure" "$dom" | wc -l)"
  if [ "$expected" -eq 0 ] || [ "$found" -ne "$expected" ] || [ "$figures" -ne "$expected" ]; then
    echo "FAIL $name: $found inline <svg> and $figures figures in the page, $expected chart files" >&2
    bad=1
  fi
  if grep -q "<img" "$dom"; then
    echo "FAIL $name: the page holds an <img> (a fetch that can break)" >&2; bad=1
  fi

  timeout 60 "$browser" "${flags[@]}" --window-size=1280,2400 --screenshot="$shot" "$url" \
    >/dev/null 2>>"$log" || true
  if [ ! -s "$shot" ] || [ "$(head -c 8 "$shot" | od -An -tx1 | tr -d ' \n')" != "89504e470d0a1a0a" ] \
    || [ "$(stat -c %s "$shot")" -lt 20000 ]; then
    echo "FAIL $name: no usable screenshot (see $log)" >&2; bad=1
  fi
  if [ "$bad" -eq 0 ]; then
    echo "ok   $name: $found charts rendered, no console errors, screenshot $shot"
  else
    fail=1
  fi
done

echo "report_check: screenshots and DOM dumps in $out"
exit "$fail"
