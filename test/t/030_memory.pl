# Copyright: the opportunities extension authors
#
# 030_memory.pl: one backend serving 200,000 calls does not grow.
#
# A PostgREST connection is a long-lived backend that serves request after
# request.  The extension keeps state per backend (SPI plans, the key
# lookup plan, GUCs it sets) and allocates on every call in C; anything it
# allocates in a long-lived memory context, or with malloc, and forgets
# would grow that backend without bound.  Here one psql session makes
# 200,000 calls after a 2,000-call warm-up: successes, validation failures
# of every kind (bad e-mail, unknown field, non-object body, SQL NULL, bad
# status, bad source), create_opportunities batches (accepted and
# refused), and calls through the API-key path (valid key, unknown key,
# header without a key).  Between the warm-up and the end, the backend's
# memory contexts (pg_backend_memory_contexts) and its resident set
# (VmRSS in /proc/<pid>/status) must each grow by less than 5 MB.
#
# VmRSS also counts the pages of shared memory the backend has touched, and
# a backend that inserts 150,000 rows touches more and more of a large
# buffer pool: that would look like a leak that isn't one.  So the server
# runs with a small pool (shared_buffers = 2MB), and the warm-up cycles it
# through all of it; then shared memory can add at most ~2 MB and anything
# beyond comes from the backend's own memory.  RssAnon (private memory) is
# printed too.
#
# Every answer's code is tallied and compared with what each call must
# answer, and the row count with the number of accepted creates, so the
# mix demonstrably went down every path it claims to.

use strict;
use warnings;

use IPC::Run;
use OpportunitiesTest;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $calls = 200_000;
my $warmup_calls = 2_000;
my $per_transaction = 1_000;
my $limit_bytes = 5 * 1024 * 1024;

my $test_start = time;
my $node = start_node(
	'memory', q{
synchronous_commit = off
log_statement = none
shared_buffers = 2MB
});
$node->safe_psql('postgres', 'CREATE EXTENSION opportunities');
my $key = $node->safe_psql('postgres',
	q{SELECT opportunities.create_api_key('memory', ARRAY['opportunities:write'])->>'key'});
like($key, qr/^oppk_[0-9a-z]+$/, 'an API key for the auth path');

# The kinds of call, with the code each must answer and the rows it adds.
# Bodies are SQL literals (no quotes inside).
my %kinds = (
	valid => [ q{'{"name": "Lead %d", "email": "lead%d@example.com", "phone": "+55 (11) 98765-4321", "deal_value": 1500.5, "deal_currency": "usd", "status": "won", "linkedin_url": "https://www.linkedin.com/in/lead"}'}, 'OK', 1 ],
	bad_email => [ q{'{"name": "Lead %d", "email": "not an e-mail %d"}'}, 'VALIDATION_ERROR', 0 ],
	unknown_field => [ q{'{"name": "Lead %d", "nmae": "typo %d"}'}, 'VALIDATION_ERROR', 0 ],
	not_object => [ q{'[%d, %d]'}, 'VALIDATION_ERROR', 0 ],
	sql_null => [ q{NULL::jsonb}, 'VALIDATION_ERROR', 0 ],
	bad_status => [ q{'{"name": "Lead %d", "status": "Won %d"}'}, 'INVALID_STATUS', 0 ],
	bad_source => [ q{'{"name": "Lead %d", "source": "radio %d"}'}, 'INVALID_SOURCE', 0 ],
	batch => [ q{'[{"name": "Batch %d a"}, {"name": "Batch b", "status": "lost"}, {"name": "Batch c", "source": "list"}, {"name": "Batch d", "email": "d%d@example.com"}]'}, 'OK', 4 ],
	bad_batch => [ q{'[{"name": "Batch %d a"}, {"name": "Batch b", "email": "@"}, {"name": "", "x": %d}]'}, 'VALIDATION_ERROR', 0 ],
);
my @invalid = qw(bad_email unknown_field not_object sql_null bad_status bad_source);

my %expected_codes;
my $expected_rows = 0;

# The SQL for calls [$from, $from + $n): one transaction, one statement per
# call, each printing the answer's error code or OK.
sub transaction_sql
{
	my ($from, $n) = @_;
	my $sql = "BEGIN;\n";
	for my $i ($from .. $from + $n - 1)
	{
		my $pos = $i % $per_transaction;
		# The auth path: a few calls per transaction under a valid key, an
		# unknown key, and headers without a key; request.headers is
		# transaction-local, as PostgREST sets it.
		$sql .= qq{SET LOCAL request.headers = '{"x-api-key": "$key"}';\n}
		  if $pos == 200;
		$sql .= q{SET LOCAL request.headers = '{"x-api-key": "oppk_unknown"}';} . "\n"
		  if $pos == 400;
		$sql .= q{SET LOCAL request.headers = '{"accept": "*/*"}';} . "\n"
		  if $pos == 600;
		$sql .= "SET LOCAL request.headers = '';\n"
		  if $pos == 210 || $pos == 410 || $pos == 610;

		my $kind =
			$i % 50 == 0 ? 'batch'
		  : $i % 50 == 25 ? 'bad_batch'
		  : $i % 3 == 1 ? $invalid[ int($i / 3) % @invalid ]
		  :               'valid';
		my ($body, $code, $rows) = @{ $kinds{$kind} };
		my $function =
		  $kind =~ /batch/ ? 'create_opportunities' : 'create_opportunity';
		$body = sprintf $body, $i, $i if $body =~ /%d/;
		if ($pos >= 400 && $pos < 410)
		{
			($code, $rows) = ('INVALID_API_KEY', 0);
		}
		elsif ($pos >= 600 && $pos < 610)
		{
			($code, $rows) = ('MISSING_API_KEY', 0);
		}
		$expected_codes{$code}++;
		$expected_rows += $rows;
		$sql .= "SELECT coalesce(opportunities.$function($body)"
		  . "->'error'->>'code', 'OK');\n";
	}
	return $sql . "COMMIT;\n";
}

# One psql session, fed step by step: the backend must stay the same one.
my ($in, $out, $err) = ('', '', '');
my $psql = IPC::Run::start(
	[ 'psql', '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres') ],
	'<', \$in, '>', \$out, '2>', \$err,
	IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
my $step = 0;

# Run $sql in the session; return its output lines.
sub session
{
	my ($sql) = @_;
	my $marker = '__step_' . ++$step . '__';
	$in .= $sql . "\\echo $marker\n";
	$psql->pump until $out =~ /^\Q$marker\E\n/m || !$psql->pumpable;
	die "psql session failed: $err" unless $out =~ s/^\Q$marker\E\n//m;
	die "psql session: $err" if $err ne '';
	my @lines = split /\n/, $out;
	$out = '';
	return @lines;
}

my %answered;
sub run_calls
{
	my ($from, $n) = @_;
	for (my $i = $from; $i < $from + $n; $i += $per_transaction)
	{
		$answered{$_}++ for session(transaction_sql($i, $per_transaction));
	}
}

my ($pid) = session("SELECT pg_backend_pid();\n");

# Memory contexts of the backend, measured by itself, and its /proc status.
sub measure
{
	my ($contexts) = session(
		"SELECT sum(total_bytes) FROM pg_backend_memory_contexts;\n");
	my $status = slurp_file("/proc/$pid/status");
	my %kb = map { $status =~ /^$_:\s+(\d+) kB/m ? ($_ => $1) : () }
	  qw(VmRSS RssAnon RssFile RssShmem);
	return ($contexts, \%kb);
}

# Warm-up: every path once, caches and kept plans filled.  Then walk the
# whole buffer pool, so that touching more of it later cannot pass for
# growth: a plain INSERT (no ring buffer, unlike CREATE TABLE AS or a big
# seq scan) of eight times the pool's size takes every buffer from the
# free list and then sweeps the clock past each one until it is evicted.
run_calls(0, $warmup_calls);
session(q{
CREATE TABLE buffer_walk (g int, pad text);
INSERT INTO buffer_walk SELECT g, repeat('x', 500) FROM generate_series(1, 32000) AS g;
DROP TABLE buffer_walk;
});
my ($contexts_before, $rss_before) = measure();

my $start = time;
run_calls($warmup_calls, $calls);
my $elapsed = time - $start;

my ($contexts_after, $rss_after) = measure();
my ($backend_after) = session("SELECT pg_backend_pid();\n");
$in .= "\\q\n";
$psql->finish;

is($backend_after, $pid, 'all calls were served by one backend');
is_deeply(\%answered, \%expected_codes,
	'every call answered what it must (codes tallied)')
  or diag(explain { answered => \%answered, expected => \%expected_codes });
is($node->safe_psql('postgres', 'SELECT count(*) FROM opportunities.opportunities'),
	$expected_rows, "exactly the accepted creates were stored ($expected_rows rows)");
my $total_calls = 0;
$total_calls += $_ for values %answered;
is($total_calls, $warmup_calls + $calls, 'all calls were made');

my $context_growth = $contexts_after - $contexts_before;
my $rss_growth_kb = $rss_after->{VmRSS} - $rss_before->{VmRSS};
cmp_ok($context_growth, '<', $limit_bytes,
	'memory contexts grew by less than 5 MB');
cmp_ok($rss_growth_kb * 1024, '<', $limit_bytes, 'VmRSS grew by less than 5 MB');

diag(
	sprintf(
		"memory: contexts %d -> %d bytes, RSS %d -> %d kB over %d calls "
		  . "(RssAnon %d -> %d kB, RssShmem %d -> %d kB) in %.1fs, %.0f calls/s; "
		  . "whole test %.1fs",
		$contexts_before, $contexts_after,
		$rss_before->{VmRSS}, $rss_after->{VmRSS},
		$calls,
		$rss_before->{RssAnon}, $rss_after->{RssAnon},
		$rss_before->{RssShmem}, $rss_after->{RssShmem},
		$elapsed, $calls / $elapsed, time - $test_start));
diag('memory: answers '
	  . join(', ', map { "$_ $answered{$_}" } sort keys %answered)
	  . "; $expected_rows rows stored");

$node->stop;
done_testing();
