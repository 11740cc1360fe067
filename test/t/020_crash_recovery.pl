# Copyright: the opportunities extension authors
#
# 020_crash_recovery.pl: an acknowledged create survives a crash, whole.
#
# Eight clients create opportunities (and a ninth creates API keys) with
# fsync and synchronous_commit on, as in production.  About 1.5 s in, while
# every client still has thousands of requests queued, every server process
# is killed with SIGKILL at the same instant (postmaster and backends are
# first frozen with SIGSTOP, so no process runs one more instruction of
# shutdown or commit code: the closest a test gets to pulling the plug).
# The clients die with the connection.  After crash recovery:
#   - every id a client printed is in the table with the complete row that
#     client sent (psql prints a result only after the server's
#     CommandComplete, which is sent after the commit is flushed, so
#     printed = acknowledged);
#   - no row exists that was not sent, and at most one per client that was
#     not acknowledged (the one in flight when the server died);
#   - amcheck finds every index of both tables consistent with its heap,
#     and the heaps themselves sound.
# Why: create_opportunity writes through SPI inside the caller's
# transaction; this proves it adds no window in which an acknowledged
# opportunity or key can be lost or torn, and no index corruption.

use strict;
use warnings;

use OpportunitiesTest;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);

my $clients = 8;
# More than can finish before the crash: the crash must land mid-run even
# on a machine with very fast fsync (this one does ~8,000 a second).
my $per_client = 10_000;
my $crash_after = 1.5;     # seconds of load before the plug is pulled
my $min_committed = 200;   # ... and at least this many rows committed

my @statuses = qw(new contacted qualified proposal negotiation won lost);
my @sources = qw(linkedin google_maps list paid_traffic other);
my @currencies = qw(usd eur brl jpy);

# The body client $c sends as its item $i, as the fields the row must hold.
sub body
{
	my ($c, $i) = @_;
	return {
		name => "crash client $c item $i",
		email => "crash.c$c.i$i\@example.com",
		company => "Company $c",
		status => $statuses[ $i % @statuses ],
		source => $sources[ $i % @sources ],
		deal_currency => $currencies[ $i % @currencies ],
		deal_value => "$i.25",
	};
}

my $test_start = time;
# Cluster.pm turns fsync off; a crash test must run with production
# durability.
my $node = start_node(
	'crash', q{
fsync = on
synchronous_commit = on
full_page_writes = on
log_statement = none
});
is($node->safe_psql('postgres', 'SHOW fsync'), 'on', 'fsync is on');
is($node->safe_psql('postgres', 'SHOW synchronous_commit'),
	'on', 'synchronous_commit is on');
$node->safe_psql('postgres', 'CREATE EXTENSION opportunities');

# One SQL file per client, one autocommit statement per item, each
# printing only the new id (an empty line for an error envelope).
my $dir = PostgreSQL::Test::Utils::tempdir;
for my $c (1 .. $clients)
{
	open my $fh, '>', "$dir/client$c.sql" or die $!;
	for my $i (1 .. $per_client)
	{
		my $b = body($c, $i);
		my $json = join ', ', map {
			$_ eq 'deal_value'
			  ? "\"$_\": $b->{$_}"
			  : "\"$_\": \"$b->{$_}\""
		} sort keys %$b;
		print $fh
		  "SELECT opportunities.create_opportunity('{$json}')->'data'->>'id';\n";
	}
	close $fh;
}
# The key client: API keys go through api_keys and its two indexes.
my $keys_client = $clients + 1;
open my $kfh, '>', "$dir/client$keys_client.sql" or die $!;
for my $i (1 .. $per_client)
{
	print $kfh "SELECT opportunities.create_api_key('crash key $i', "
	  . "ARRAY['opportunities:write'])->>'id';\n";
}
close $kfh;

# Start the load.  Output goes to $dir/client$c.out and .err (psql flushes
# them when it exits on the lost connection).
my @runs = start_psql_clients($node,
	map { "$dir/client$_.sql" } 1 .. $keys_client);
my $start = time;
sleep($crash_after);
$node->poll_query_until('postgres',
	"SELECT count(*) >= $min_committed FROM opportunities.opportunities")
  or die "the load did not get going";
my $committed_seen = $node->safe_psql('postgres',
	'SELECT count(*) FROM opportunities.opportunities');

# Pull the plug: freeze the postmaster (so it forks nothing more), then
# freeze its children, then SIGKILL them all.  Server children are in
# sessions of their own (setsid), so they are found by parent pid.
my $postmaster = (split /\n/, slurp_file($node->data_dir . '/postmaster.pid'))[0];
kill 'STOP', $postmaster or die "could not stop postmaster $postmaster: $!";
my @children = children_of($postmaster);
kill 'STOP', @children;
my $crash_at = time - $start;
kill 'KILL', @children;
$node->kill9;    # the postmaster, and the node object now knows it is down
my $reaped = time;
wait_gone($postmaster, @children);
$reaped = time - $reaped;
note(sprintf('killed postmaster %d and %d children after %.1fs; gone %.1fs later',
		$postmaster, scalar @children, $crash_at, $reaped));

# The clients lose their connection and stop: psql exits with status 2
# when the connection goes bad (3 would be an SQL error in the script).
# psql names the line of the statement that failed; every statement before
# it was answered, so that is how many answers its output must hold (this
# proves the output was not cut short when psql exited).
my $clients_cut = 0;
my %failed_at;
for my $c (1 .. $keys_client)
{
	$runs[ $c - 1 ]->finish;
	my $status = $runs[ $c - 1 ]->result(0);
	my $err = slurp_file("$dir/client$c.err");
	$clients_cut++ if $status == 2;
	($failed_at{$c}) = $err =~ /client$c\.sql:(\d+):/;
	note("client $c exited with status $status: $err");
}
is($clients_cut, $keys_client, 'every client lost its server mid-run');

$node->start;
like(
	slurp_file($node->logfile),
	qr/database system was interrupted|not properly shut down; automatic recovery in progress/,
	'the restart ran crash recovery');

# What the clients were told.  A line is an acknowledgement only if it is
# complete; an empty line would be an error envelope, which must not happen.
my %acked;    # id => [client, item]
my $bad_answers = 0;
for my $c (1 .. $clients)
{
	my @lines = split /\n/, slurp_file("$dir/client$c.out"), -1;
	pop @lines;    # after the last newline: empty, or a torn line
	for my $i (1 .. @lines)
	{
		if ($lines[ $i - 1 ] =~ /^opp_[0-9a-z]{12}$/)
		{
			$acked{ $lines[ $i - 1 ] } = [ $c, $i ];
		}
		else
		{
			$bad_answers++;
			diag("client $c item $i: answer '$lines[$i-1]'");
		}
	}
}
my @key_lines = split /\n/, slurp_file("$dir/client$keys_client.out"), -1;
pop @key_lines;
my @acked_keys = grep { /^key_[0-9a-z]{12}$/ } @key_lines;
is($bad_answers, 0, 'every answer before the crash carried an id');
my $short = 0;
for my $c (1 .. $keys_client)
{
	my $lines = () = slurp_file("$dir/client$c.out") =~ /\n/g;
	next if defined $failed_at{$c} && $lines == $failed_at{$c} - 1;
	$short++;
	diag("client $c printed $lines answers but failed at line "
		  . ($failed_at{$c} // '?'));
}
is($short, 0, 'each client printed an answer for every statement before the one that failed');
is(scalar @acked_keys, scalar @key_lines, 'every key answer carried an id');

my $acked = keys %acked;
my $sent = $clients * $per_client;
cmp_ok($acked, '>', 0, 'creates were acknowledged before the crash');
cmp_ok($acked, '<', $sent, 'the crash happened before the load finished');

# What survived.
my %stored;
for my $line (
	split /\n/,
	$node->safe_psql(
		'postgres', q{
	SELECT id, name, email, company, status, source, deal_currency,
		   deal_value, won_at IS NOT NULL, lost_at IS NOT NULL,
		   created_at IS NOT NULL AND updated_at IS NOT NULL
	FROM opportunities.opportunities})
  )
{
	my @f = split /\|/, $line;
	$stored{ shift @f } = \@f;
}

# The row as body $b must have been stored.
sub expected_row
{
	my ($b) = @_;
	return [
		$b->{name}, $b->{email}, $b->{company}, $b->{status}, $b->{source},
		uc $b->{deal_currency}, $b->{deal_value},
		$b->{status} eq 'won' ? 't' : 'f',
		$b->{status} eq 'lost' ? 't' : 'f', 't'
	];
}

my ($lost, $torn) = (0, 0);
for my $id (sort keys %acked)
{
	my ($c, $i) = @{ $acked{$id} };
	if (!$stored{$id})
	{
		$lost++;
		diag("lost: $id (client $c item $i)");
		next;
	}
	my $want = join '|', @{ expected_row(body($c, $i)) };
	my $got = join '|', @{ $stored{$id} };
	if ($got ne $want)
	{
		$torn++;
		diag("$id: want $want, got $got");
	}
}
is($lost, 0, 'no acknowledged create was lost');
is($torn, 0, 'every acknowledged row is complete and as sent');

# Rows nobody was told about: only the request in flight per client, and
# each still exactly a body that was sent.
my ($unacked, $foreign) = (0, 0);
for my $id (keys %stored)
{
	next if $acked{$id};
	$unacked++;
	my ($c, $i) = $stored{$id}[0] =~ /^crash client (\d+) item (\d+)$/;
	$foreign++
	  unless defined $c
	  && join('|', @{ $stored{$id} }) eq join('|', @{ expected_row(body($c, $i)) });
}
cmp_ok($unacked, '<=', $clients,
	'at most one unacknowledged row per client (its request in flight)');
is($foreign, 0, 'every stored row is exactly a body that was sent');

my %stored_keys = map { $_ => 1 } split /\n/,
  $node->safe_psql('postgres', 'SELECT id FROM opportunities.api_keys');
my $lost_keys = grep { !$stored_keys{$_} } @acked_keys;
cmp_ok(scalar @acked_keys, '>', 0, 'API keys were acknowledged before the crash');
is($lost_keys, 0, 'no acknowledged API key was lost');

# amcheck: each B-tree is consistent, and holds exactly the heap's tuples
# (heapallindexed); verify_heapam checks the heaps themselves.
$node->safe_psql('postgres', 'CREATE EXTENSION amcheck');
my @indexes = split /\n/, $node->safe_psql(
	'postgres', q{
	SELECT indexrelid::regclass FROM pg_index
	WHERE indrelid IN ('opportunities.opportunities'::regclass,
					   'opportunities.api_keys'::regclass)
	ORDER BY 1});
my $indexes_ok = 0;
for my $index (@indexes)
{
	my ($rc, $out, $err) = $node->psql('postgres',
		"SELECT bt_index_check('$index'::regclass, heapallindexed => true)");
	if (is($rc, 0, "amcheck: $index is consistent"))
	{
		$indexes_ok++;
	}
	else
	{
		diag($err);
	}
}
cmp_ok(scalar @indexes, '>=', 3, 'both tables have their indexes');
for my $table ('opportunities.opportunities', 'opportunities.api_keys')
{
	is($node->safe_psql('postgres',
			"SELECT count(*) FROM verify_heapam('$table')"),
		0, "verify_heapam: $table has no corruption");
}

# The recovered server takes new work.
like(
	$node->safe_psql('postgres',
		q{SELECT opportunities.create_opportunity('{"name": "after the crash"}')->>'success'}),
	qr/^true$/,
	'creating works after recovery');

diag(
	sprintf(
		"crash: %d acknowledged before the crash, %d lost "
		  . "(%d of %d sent, crash at %.1fs, %d rows committed at last look, "
		  . "%d unacknowledged rows in flight); %d API keys acknowledged, %d lost; "
		  . "amcheck: %d indexes ok; whole test %.1fs",
		$acked, $lost, $acked, $sent, $crash_at, $committed_seen, $unacked,
		scalar @acked_keys, $lost_keys, $indexes_ok, time - $test_start));

$node->stop;
done_testing();

# Pids whose parent is $ppid, from /proc.
sub children_of
{
	my ($ppid) = @_;
	my @pids;
	for my $stat (glob '/proc/[0-9]*/stat')
	{
		open my $fh, '<', $stat or next;    # it may have exited
		my $line = <$fh>;
		close $fh;
		next unless defined $line;
		# pid (comm) state ppid ...; comm may hold spaces and parentheses
		my ($pid, $rest) = $line =~ /^(\d+) \(.*\) (.*)$/s or next;
		my (undef, $parent) = split / /, $rest;
		push @pids, $pid if $parent == $ppid;
	}
	return @pids;
}

# Wait until the processes are gone, at most 60 s.  A zombie still counts:
# its pid still answers kill(0), so a new postmaster would take the old
# one's postmaster.pid for a live server and refuse to start.  (Here pid 1
# reaps orphans only now and then, so this can take a moment.)
sub wait_gone
{
	my @pids = @_;
	my $deadline = time + 60;
	while (time < $deadline)
	{
		return unless grep { -e "/proc/$_" } @pids;
		sleep(0.05);
	}
	die "server processes still present after SIGKILL: @pids";
}
