# shellcheck shell=bash
# bench/lib.sh: shared by bench/run and bench/profile (sourced, not run).
#
# Gives each benchmark its own throwaway PostgreSQL cluster, so that figures
# never depend on (or disturb) whatever server the machine already runs, and
# everything is deleted at the end, also on failure or ctrl-C.
#
# Order: bench_traps, bench_tmp (BENCH_TMP, the private temp dir),
# bench_install (PG_BINDIR), bench_setup (PGDATA, PGHOST: a socket directory
# inside BENCH_TMP, PGPORT, PGUSER, PGDATABASE, exported), cluster_start;
# cluster_stop at the end.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)

# The PostgreSQL the extension is built against; bench_install may point
# PG_BINDIR at a private copy.  (Debian's wrappers in /usr/bin would pick a
# version by themselves.)
PG_CONFIG=${PG_CONFIG:-pg_config}
command -v "$PG_CONFIG" >/dev/null ||
	{ echo "bench: no pg_config (install postgresql-server-dev-15)" >&2; exit 1; }
PG_BINDIR=$("$PG_CONFIG" --bindir)

die() {
	echo "bench: $*" >&2
	exit 1
}

log() {
	echo "[$(date +%H:%M:%S)] $*" >&2
}

# as_server CMD...: run CMD as the user the server runs as.  initdb and
# postgres refuse to run as root, so as root that is "postgres".
as_server() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# bench_install: the extension to measure, in a server installation of
# the bench's own.
#
# By default (BENCH_INSTALL=private) the code is copied (the work tree as
# it is, or the commit BENCH_REV names), built in the temp dir, and
# installed with DESTDIR into a private copy of the server installation
# (PostgreSQL finds its share/ and lib/ relative to its binary, so a copied
# tree is self-contained).  So the bench needs no root, never writes into
# the work tree (colleagues may be building there) and never replaces the
# system's installed extension under someone else's running tests; and
# what it measures is exactly the code it names.
#
# BENCH_INSTALL=installed measures the extension installed in the system
# (make && sudo make install) as it is, and refuses if there is none.
#
# Sets PG_BINDIR to the binaries to use and MEASURED to what is measured.
bench_install() {
	local mode=${BENCH_INSTALL:-private} src build priv dir
	case $mode in
	installed)
		[ -f "$("$PG_CONFIG" --sharedir)/extension/opportunities.control" ] ||
			die "BENCH_INSTALL=installed, but the extension is not installed:
  run 'make && sudo make install' first, or leave BENCH_INSTALL unset to
  let the bench build its own copy"
		[ -z "${BENCH_REV:-}" ] || die "BENCH_REV needs BENCH_INSTALL=private"
		MEASURED="the extension installed in $("$PG_CONFIG" --pkglibdir) (work tree at $(tree_description))"
		return 0
		;;
	private) ;;
	*) die "BENCH_INSTALL is 'private' (default) or 'installed', not '$mode'" ;;
	esac

	build="$BENCH_TMP/build"
	mkdir -p "$build"
	if [ -n "${BENCH_REV:-}" ]; then
		src=$(git -C "$REPO_DIR" rev-parse --verify --quiet "${BENCH_REV}^{commit}") ||
			die "BENCH_REV: no commit '$BENCH_REV'"
		git -C "$REPO_DIR" archive "$src" Makefile opportunities.control src sql tools |
			tar -C "$build" -xf -
		MEASURED="commit $(git -C "$REPO_DIR" rev-parse --short "$src") ($BENCH_REV)"
	else
		(cd "$REPO_DIR" && cp -a Makefile opportunities.control src sql tools "$build/")
		MEASURED="work tree at $(tree_description)"
	fi
	log "building the extension ($MEASURED) in $build"
	# clean: the copy may carry objects built from other sources
	make -s -C "$build" clean >/dev/null
	make -s -C "$build" PG_CONFIG="$PG_CONFIG" >"$BENCH_TMP/build.log" 2>&1 ||
		{ cat "$BENCH_TMP/build.log" >&2; die "the extension does not build"; }

	# The private server: same absolute paths, under $priv
	priv="$BENCH_TMP/pg"
	for dir in "$("$PG_CONFIG" --bindir)" "$("$PG_CONFIG" --pkglibdir)" \
		"$("$PG_CONFIG" --sharedir)"; do
		mkdir -p "$priv$(dirname "$dir")"
		cp -a "$dir" "$priv$(dirname "$dir")/"
	done
	# without the system's copy of the extension, a failed install cannot
	# go unnoticed as a measurement of the wrong code
	rm -f "$priv$("$PG_CONFIG" --pkglibdir)/opportunities.so" \
		"$priv$("$PG_CONFIG" --sharedir)"/extension/opportunities[.-]*
	make -s -C "$build" PG_CONFIG="$PG_CONFIG" install DESTDIR="$priv" \
		>>"$BENCH_TMP/build.log" 2>&1 ||
		{ cat "$BENCH_TMP/build.log" >&2; die "make install into the private copy failed"; }
	PG_BINDIR="$priv$("$PG_CONFIG" --bindir)"
}

# tree_description: the work tree's commit, and whether it differs from it
tree_description() {
	local commit dirty=""
	commit=$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null) || commit="unknown"
	if [ -n "$(git -C "$REPO_DIR" status --porcelain -- Makefile src sql tools 2>/dev/null)" ]; then
		dirty=" + uncommitted changes"
	fi
	echo "$commit$dirty"
}

# free_port: a TCP port nobody listens on and no socket file claims.  The
# server only listens on its private Unix socket, but the port also names
# that socket and seeds the shared memory key, so keep clear of others.
free_port() {
	local port
	for _ in $(seq 1 50); do
		port=$((20000 + RANDOM % 30000))
		if ! ss -Hltn "sport = :$port" 2>/dev/null | grep -q . &&
			! ls /tmp/.s.PGSQL."$port" /var/run/postgresql/.s.PGSQL."$port" \
				>/dev/null 2>&1; then
			echo "$port"
			return 0
		fi
	done
	die "no free port found"
}

# bench_tmp: the private temp dir everything goes into
bench_tmp() {
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 ||
			die "as root, the server runs as the 'postgres' user, and there is none"
	fi
	BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/opportunities-bench.XXXXXX")
	# the server (user postgres when we are root) reads the binaries and
	# scripts in here and writes its data directory and socket
	chmod 755 "$BENCH_TMP"
	if [ "$(id -u)" = 0 ]; then
		chown postgres: "$BENCH_TMP"
	fi
}

# bench_setup: initdb and settings.  Extra settings for postgresql.conf may
# be given as arguments ("name = value").
bench_setup() {
	export PGDATA="$BENCH_TMP/data"
	export PGHOST="$BENCH_TMP"
	PGPORT=$(free_port)
	export PGPORT
	export PGDATABASE=postgres
	if [ "$(id -u)" = 0 ]; then
		export PGUSER=postgres
	else
		PGUSER=$(id -un)
		export PGUSER
	fi
	# Settings a session picks up from the environment must not leak in.
	unset PGOPTIONS PGSERVICE PGHOSTADDR PGPASSWORD PGSSLMODE

	# The extension needs UTF8; C.UTF-8 keeps collation cheap and portable.
	# trust: the only way in is the socket in our private directory.
	as_server "$PG_BINDIR/initdb" -D "$PGDATA" -E UTF8 --locale=C.UTF-8 \
		--auth=trust -U "$PGUSER" >"$BENCH_TMP/initdb.log" 2>&1 ||
		{ cat "$BENCH_TMP/initdb.log" >&2; die "initdb failed"; }

	{
		echo "# bench/lib.sh"
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$PGHOST'"
		echo "port = $PGPORT"
		echo "shared_buffers = 256MB"
		# Rounds must not differ by a checkpoint or an autovacuum that
		# happens to fall into one of them: the bench checkpoints itself
		# between rounds, and truncates instead of vacuuming.
		echo "autovacuum = off"
		echo "max_wal_size = 8GB"
		echo "checkpoint_timeout = 1h"
		echo "logging_collector = off"
		echo "log_min_messages = warning"
		for setting in "$@"; do
			echo "$setting"
		done
	} | as_server tee -a "$PGDATA/postgresql.conf" >/dev/null
}

cluster_start() {
	as_server "$PG_BINDIR/pg_ctl" -D "$PGDATA" -l "$BENCH_TMP/server.log" \
		-w -t 60 start >/dev/null ||
		{ tail -n 30 "$BENCH_TMP/server.log" >&2; die "could not start the server"; }
}

cluster_stop() {
	if [ -n "${PGDATA:-}" ] && [ -f "$PGDATA/postmaster.pid" ]; then
		# fast: roll back whatever runs; the data is thrown away anyway
		as_server "$PG_BINDIR/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop \
			>/dev/null 2>&1 ||
			as_server "$PG_BINDIR/pg_ctl" -D "$PGDATA" -m immediate stop \
				>/dev/null 2>&1 || true
	fi
}

# bench_cleanup: the EXIT trap.  Stops the server and deletes everything,
# unless BENCH_KEEP=1 (for looking at server.log after a failure).
bench_cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	cluster_stop
	if [ -n "${BENCH_TMP:-}" ] && [ -d "$BENCH_TMP" ]; then
		if [ "${BENCH_KEEP:-0}" = 1 ]; then
			echo "bench: kept $BENCH_TMP" >&2
		else
			rm -rf "$BENCH_TMP"
		fi
	fi
	exit "$rc"
}

# Install the cleanup for EXIT and turn ctrl-C / kill into an exit, so the
# EXIT trap runs exactly once whatever ends the script.
bench_traps() {
	trap bench_cleanup EXIT
	trap 'echo "bench: interrupted" >&2; exit 130' INT
	trap 'echo "bench: terminated" >&2; exit 143' TERM
}

# psql with the settings every bench script wants: stop at the first error,
# no psqlrc, quiet.
bpsql() {
	"$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "$@"
}
