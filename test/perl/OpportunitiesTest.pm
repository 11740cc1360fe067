# Copyright: the opportunities extension authors
#
# OpportunitiesTest: what the TAP tests in test/t share.  "make prove" finds
# it through -I test/perl (PG_PROVE_FLAGS in the top-level Makefile).

package OpportunitiesTest;

use strict;
use warnings;

use Exporter 'import';
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;

our @EXPORT = qw(start_node start_psql_clients);

# start_node($name, $conf): a new cluster in UTF8 (the extension refuses
# other encodings) with the C.UTF-8 locale, $conf appended to its
# postgresql.conf (later lines win over Cluster.pm's), started.
sub start_node
{
	my ($name, $conf) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(extra => [ '--encoding=UTF8', '--locale=C.UTF-8' ]);
	$node->append_conf('postgresql.conf', $conf);
	$node->start;
	return $node;
}

# start_psql_clients($node, @sql_files): start one psql per file, all at
# once, without waiting for any.  Each runs its file's statements in
# autocommit against the database postgres, one unaligned line per result,
# and stops at the first error (exit status 3 for an SQL error, 2 for a
# lost connection).  The output of X.sql goes to X.out and its stderr to
# X.err: files, not pipes, because a pipe nobody drains while the caller
# waits on another client would block its writer.  Returns the IPC::Run
# harnesses in the order of the files; the caller finishes them.
sub start_psql_clients
{
	my ($node, @files) = @_;
	my @runs;
	for my $file (@files)
	{
		my ($base) = $file =~ /^(.*)\.sql$/
		  or die "start_psql_clients: $file does not end in .sql";
		push @runs,
		  IPC::Run::start(
			[
				'psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1',
				'-d', $node->connstr('postgres'),
				'-f', $file
			],
			'>', "$base.out", '2>', "$base.err",
			IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	}
	return @runs;
}

1;
