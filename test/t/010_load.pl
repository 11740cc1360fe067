# Copyright: the opportunities extension authors
#
# 010_load.pl: concurrent load loses nothing and never hands out an id twice.
#
# Eight clients each send 2,500 creates with distinct bodies at the same
# time, as eight psql sessions running autocommit statements, like eight
# API workers would.  Afterwards the table must hold exactly 20,000 rows
# with 20,000 distinct ids, and every id a client was answered with must
# be in the table with the name and e-mail that client sent.  Why: ids are
# drawn at random and inserted with ON CONFLICT DO NOTHING plus a retry;
# under concurrency a wrong retry or a shared plan/state bug would show up
# as a lost row, a duplicate id or an id pointing at someone else's row.
#
# synchronous_commit is off here only to keep the run short; durability of
# acknowledged commits is 020_crash_recovery.pl's job, with it on.

use strict;
use warnings;

use OpportunitiesTest;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $clients = 8;
my $per_client = 2_500;
my $total = $clients * $per_client;

my $test_start = time;
my $node = start_node(
	'load', q{
synchronous_commit = off
# Cluster.pm logs every statement; 20,000 log lines only slow the run down.
log_statement = none
});
$node->safe_psql('postgres', 'CREATE EXTENSION opportunities');

# The body client $c sends as its item $i.  Names and e-mails are unique
# across all clients, so a row can be traced back to exactly one request.
sub body_name  { my ($c, $i) = @_; return "client $c item $i"; }
sub body_email { my ($c, $i) = @_; return "client$c.item$i\@example.com"; }

# One SQL file per client: one autocommit statement per item, printing only
# the id of the answer (an empty line if the answer was an error envelope).
my $dir = PostgreSQL::Test::Utils::tempdir;
my @files;
for my $c (1 .. $clients)
{
	my $file = "$dir/client$c.sql";
	open my $fh, '>', $file or die "could not write $file: $!";
	for my $i (1 .. $per_client)
	{
		printf $fh
		  "SELECT opportunities.create_opportunity('{\"name\": \"%s\", \"email\": \"%s\"}')->'data'->>'id';\n",
		  body_name($c, $i), body_email($c, $i);
	}
	close $fh;
	push @files, $file;
}

# Start all clients at once, then wait for all of them.  Client $c writes
# its answers to $dir/client$c.out, its errors to $dir/client$c.err.
my $start = time;
my @runs = start_psql_clients($node, @files);
my @out;
for my $c (1 .. $clients)
{
	my $ok = $runs[ $c - 1 ]->finish;
	ok($ok, "client $c ran all its statements")
	  or diag("client $c stderr: " . slurp_file("$dir/client$c.err"));
	$out[$c] = slurp_file("$dir/client$c.out");
}
my $elapsed = time - $start;

# What the clients were told: id => [client, item].
my %received;
my ($answers, $refused, $duplicates) = (0, 0, 0);
for my $c (1 .. $clients)
{
	my @lines = split /\n/, $out[$c], -1;
	pop @lines if @lines && $lines[-1] eq '';    # the final newline
	is(scalar @lines, $per_client, "client $c got one answer per request");
	for my $i (1 .. @lines)
	{
		my $id = $lines[ $i - 1 ];
		$answers++;
		if ($id !~ /^opp_[0-9a-z]{12}$/)
		{
			$refused++;
			diag("client $c item $i: no id in the answer: '$id'")
			  if $refused <= 5;
			next;
		}
		$duplicates++ if exists $received{$id};
		$received{$id} = [ $c, $i ];
	}
}
is($refused, 0, 'every request was answered with an id');
is($duplicates, 0, 'no id was handed out twice');

# What the table holds.
my ($rows, $distinct) = split /\|/,
  $node->safe_psql('postgres',
	'SELECT count(*), count(DISTINCT id) FROM opportunities.opportunities');
is($rows, $total, "the table holds exactly $total rows");
is($distinct, $total, "the table holds $total distinct ids");

my %stored;
for my $line (
	split /\n/,
	$node->safe_psql(
		'postgres', 'SELECT id, name, email FROM opportunities.opportunities')
  )
{
	my ($id, $name, $email) = split /\|/, $line;
	$stored{$id} = [ $name, $email ];
}

# Every acknowledged id is there, holding the body that client sent.
my ($lost, $mismatched) = (0, 0);
for my $id (sort keys %received)
{
	my ($c, $i) = @{ $received{$id} };
	if (!exists $stored{$id})
	{
		$lost++;
		diag("lost: $id (client $c item $i)") if $lost <= 5;
		next;
	}
	my ($name, $email) = @{ $stored{$id} };
	if ($name ne body_name($c, $i) || $email ne body_email($c, $i))
	{
		$mismatched++;
		diag("$id: client $c item $i sent '"
			  . body_name($c, $i)
			  . "' but the row holds '$name' <$email>")
		  if $mismatched <= 5;
	}
}
# ... and the table holds nothing nobody was told about.
my $unacknowledged = grep { !exists $received{$_} } keys %stored;

is(scalar keys %received, $total, "clients received $total distinct ids");
is($lost, 0, 'no acknowledged id is missing from the table');
is($mismatched, 0, 'every row holds the name and e-mail its client sent');
is($unacknowledged, 0, 'no row exists that no client was answered for');

diag(
	sprintf(
		"load: %d created, %d lost, %d distinct ids "
		  . "(%d clients x %d, %d answers, %d refused, %d mismatched) "
		  . "in %.1fs, %.0f creates/s; whole test %.1fs",
		$rows, $lost, $distinct, $clients, $per_client, $answers, $refused,
		$mismatched, $elapsed, $rows / $elapsed, time - $test_start));

$node->stop;
done_testing();
