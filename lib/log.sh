# shellcheck shell=bash
# Logging and stage bookkeeping for build.sh: one progress line per stage on
# the terminal, the full output of each stage in its own log file.

KP_T0=${KP_T0:-$(date +%s.%N)}

log() { printf '%s\n' "kopanion: $*" >&2; }
warn() { printf '%s\n' "kopanion: warning: $*" >&2; }
die() {
	printf '%s\n' "kopanion: error: $*" >&2
	exit 1
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# require_cmd CMD PACKAGE: name the package that provides a missing tool.
require_cmd() {
	command -v "$1" >/dev/null 2>&1 ||
		die "'$1' is missing: install the Debian package '$2' (or run 'make deps')"
}

# run_logged LOGFILE CMD...: run CMD with all output in LOGFILE.
run_logged() {
	local logfile=$1
	shift
	"$@" >>"$logfile" 2>&1
}

# show_log_tail LOGFILE: the end of a failed stage's log, for the terminal.
show_log_tail() {
	printf '%s\n' "---- last lines of $1 ----" >&2
	tail -n 40 "$1" >&2 || true
	printf '%s\n' "---- full log: $1 ----" >&2
}
