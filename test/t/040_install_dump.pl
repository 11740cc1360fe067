# Copyright: the opportunities extension authors
#
# 040_install_dump.pl: the extension installs and uninstalls cleanly, and a
# database using it survives pg_dump/pg_restore with its data and keys.
#
# (a) CREATE EXTENSION, some use, DROP EXTENSION must leave the catalogs
#     exactly as they were: the row count of every system catalog, and the
#     identity of every namespace, relation, function, type, constraint,
#     comment, dependency and initial privilege.  Why: an object the
#     install script creates outside the extension's membership (or a
#     privilege recorded in pg_init_privs) would survive DROP EXTENSION and
#     make the next CREATE EXTENSION fail or inherit stale state.  Done
#     twice, to show the second install is as clean as the first.
# (b) pg_dump -Fc of a database holding opportunities and API keys (one
#     active, one revoked, one expired) restored into a new database: both
#     tables are row-for-row identical, the functions keep their
#     privileges, and the keys behave as before: the active one still
#     authenticates (also for an unprivileged API role), the revoked one is
#     still INVALID_API_KEY, the expired one EXPIRED_API_KEY.  Why: the
#     tables are extension members, which pg_dump skips unless they are
#     marked with pg_extension_config_dump; a backup that silently lost
#     every lead and key would be found out only on the day it is needed.

use strict;
use warnings;

use OpportunitiesTest;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);

my $started = time;
# Autovacuum/autoanalyze would change pg_statistic and friends behind our
# back between two catalog snapshots.
my $node = start_node('install_dump', "autovacuum = off\n");

########################################################################
# (a) CREATE EXTENSION ... DROP EXTENSION leaves nothing behind
########################################################################

# One line per catalog fact; compared as sets.
my $snapshot_sql = q{
SELECT 'rows ' || c.oid::regclass || ' ' ||
	   (xpath('/row/n/text()',
			  query_to_xml(format('SELECT count(*) AS n FROM %s', c.oid::regclass),
						   false, true, '')))[1]::text
FROM pg_class AS c
WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r'
	  AND c.relname <> 'pg_statistic'
UNION ALL SELECT 'namespace ' || nspname FROM pg_namespace
UNION ALL SELECT 'class ' || relnamespace::regnamespace || '.' || relname || ' ' || relkind::text
	FROM pg_class
UNION ALL SELECT 'proc ' || oid::regprocedure || ' ' || coalesce(proacl::text, '-')
	FROM pg_proc
UNION ALL SELECT 'type ' || typnamespace::regnamespace || '.' || typname FROM pg_type
UNION ALL SELECT 'constraint ' || conname || ' on ' || conrelid::regclass || '/' || contypid::regtype
	FROM pg_constraint
UNION ALL SELECT 'description ' || classoid::regclass || ' ' || objoid || ' ' || objsubid || ' ' || description
	FROM pg_description
UNION ALL SELECT 'depend ' || classid::regclass || ' ' || objid || ' ' || objsubid || ' -> '
	|| refclassid::regclass || ' ' || refobjid || ' ' || refobjsubid || ' ' || deptype::text
	FROM pg_depend
UNION ALL SELECT 'shdepend ' || dbid || ' ' || classid::regclass || ' ' || objid || ' -> '
	|| refclassid::regclass || ' ' || refobjid || ' ' || deptype::text
	FROM pg_shdepend
UNION ALL SELECT 'init_privs ' || classoid::regclass || ' ' || objoid || ' ' || objsubid || ' '
	|| privtype::text || ' ' || initprivs::text
	FROM pg_init_privs
UNION ALL SELECT 'extension ' || extname FROM pg_extension
ORDER BY 1
};

sub snapshot
{
	return [ split /\n/, $node->safe_psql('install', $snapshot_sql) ];
}

# Lines in @$a that are not in @$b.
sub minus
{
	my ($a, $b) = @_;
	my %in_b = map { $_ => 1 } @$b;
	return grep { !$in_b{$_} } @$a;
}

$node->safe_psql('postgres', 'CREATE DATABASE install');
my $pristine = snapshot();
cmp_ok(scalar @$pristine, '>', 1000, 'the catalog snapshot sees the catalogs');

for my $round (1, 2)
{
	$node->safe_psql('install', 'CREATE EXTENSION opportunities');
	my $installed = snapshot();
	my @added = minus($installed, $pristine);
	# Sanity: the snapshot does see what the extension creates, or an
	# empty difference after DROP would prove nothing.
	ok((grep { $_ eq 'namespace opportunities' } @added)
		  && (grep { /^class opportunities\.opportunities r$/ } @added)
		  && (grep { /^proc opportunities\.create_opportunity\(jsonb\)/ } @added)
		  && (grep { /^init_privs / } @added),
		"round $round: the snapshot sees the installed objects");

	# Use it, so DROP has data, TOAST tables and keys to remove.
	$node->safe_psql(
		'install', q{
		SELECT opportunities.create_opportunity('{"name": "Jane", "notes": "x"}');
		SELECT opportunities.create_opportunities('[{"name": "A"}, {"name": "B"}]');
		SELECT opportunities.create_api_key('k', ARRAY['opportunities:write']);
	});
	$node->safe_psql('install', 'DROP EXTENSION opportunities');
	my $dropped = snapshot();
	my @left = minus($dropped, $pristine);
	my @gone = minus($pristine, $dropped);
	is(scalar @left, 0, "round $round: DROP EXTENSION left nothing behind")
	  or diag("left behind:\n  " . join("\n  ", @left));
	is(scalar @gone, 0, "round $round: DROP EXTENSION removed nothing else")
	  or diag("missing:\n  " . join("\n  ", @gone));
	diag(
		sprintf(
			'install: round %d: %d catalog facts before, %d with the extension '
			  . '(%d new or changed), %d after DROP EXTENSION (%d left behind, %d lost)',
			$round, scalar @$pristine, scalar @$installed, scalar @added,
			scalar @$dropped, scalar @left, scalar @gone));
}

########################################################################
# (b) pg_dump / pg_restore
########################################################################

$node->safe_psql('postgres', 'CREATE DATABASE source');
$node->safe_psql(
	'source', q{
	CREATE EXTENSION opportunities;
	-- An API role as the README grants it, to check privileges survive.
	CREATE ROLE api_user NOLOGIN;
	GRANT USAGE ON SCHEMA opportunities TO api_user;
	GRANT EXECUTE ON FUNCTION opportunities.create_opportunity(jsonb) TO api_user;
});

# Keys: active, revoked, and one that expires in a second.
my %key;
for my $name ('active', 'revoked', 'expired')
{
	my $expires =
	  $name eq 'expired' ? "clock_timestamp() + interval '1 second'" : 'NULL';
	my ($id, $plain) = split /\|/,
	  $node->safe_psql('source',
		"SELECT k->>'id', k->>'key' FROM opportunities.create_api_key("
		  . "'$name key', ARRAY['opportunities:write', 'opportunities:read'], $expires) AS k"
	  );
	$key{$name} = $plain;
	$node->safe_psql('source', "SELECT opportunities.revoke_api_key('$id')")
	  if $name eq 'revoked';
}

# Leads of every shape: all fields, Unicode, new lines, won/lost stamps, a
# batch, and some made through the API-key path.
$node->safe_psql(
	'source', q{
	SELECT opportunities.create_opportunity('{"name": "Jane Smith", "email": "jane@example.com",
		"phone": "+55 (11) 98765-4321", "company": "Acme", "position": "CTO",
		"status": "qualified", "source": "linkedin", "deal_value": 75000,
		"deal_currency": "usd", "linkedin_url": "https://www.linkedin.com/in/jane",
		"notes": "first line\nsecond line", "responsible_user_id": "user_1"}');
	SELECT opportunities.create_opportunity('{"name": "João Ñandú 東京", "status": "won"}');
	SELECT opportunities.create_opportunity('{"name": "Lost one", "status": "lost", "deal_value": 0.5}');
	SELECT opportunities.create_opportunities('[{"name": "Batch 1"}, {"name": "Batch 2", "source": "list"}]');
});
is(create_with_key('source', $key{active}, 'Via key'), 'OK',
	'source: the active key authenticates');

# The expiring key: wait until the server considers it expired.
$node->poll_query_until('source',
	q{SELECT bool_and(expires_at <= now()) FROM opportunities.api_keys WHERE expires_at IS NOT NULL})
  or die 'the expiring key did not expire';

my %before = (
	active => create_with_key('source', $key{active}, 'Via key 2'),
	revoked => create_with_key('source', $key{revoked}, 'Refused'),
	expired => create_with_key('source', $key{expired}, 'Refused'),
);
is_deeply(
	\%before,
	{ active => 'OK', revoked => 'INVALID_API_KEY', expired => 'EXPIRED_API_KEY' },
	'source: the keys answer active / revoked / expired');

my $dir = PostgreSQL::Test::Utils::tempdir;
my $dump = "$dir/source.dump";
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('source') ],
	'pg_dump -Fc of a database using the extension');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
$node->command_ok(
	[ 'pg_restore', '--exit-on-error', '-d', $node->connstr('restored'), $dump ],
	'pg_restore into a new database');

# Both tables, row for row (whole rows as text, in id order).
my %rows;
for my $table ('opportunities', 'api_keys')
{
	my $sql = "SELECT t::text FROM opportunities.$table AS t ORDER BY t.id";
	my $src = $node->safe_psql('source', $sql);
	my $dst = $node->safe_psql('restored', $sql);
	my $n = () = $src =~ /^/mg;
	$n = 0 if $src eq '';
	cmp_ok($n, '>', 0, "source has $table rows");
	is($dst, $src, "restored $table is row-for-row identical ($n rows)");
	$rows{$table} = $n;
}

# Privileges: the functions' ACLs and the schema's, as granted.
my $acl_sql = q{
	SELECT p.oid::regprocedure || ' ' || coalesce(p.proacl::text, '-')
	FROM pg_proc AS p WHERE p.pronamespace = 'opportunities'::regnamespace
	UNION ALL SELECT 'schema ' || coalesce(nspacl::text, '-')
	FROM pg_namespace WHERE nspname = 'opportunities'
	ORDER BY 1};
is($node->safe_psql('restored', $acl_sql),
	$node->safe_psql('source', $acl_sql),
	'restored: function and schema privileges are as they were');

# The schema as pg_dump sees it, apart from the data.
$node->command_ok([ 'pg_dump', '-s', '-f', "$dir/source.sql", '-d', $node->connstr('source') ],
	'schema dump of the source');
$node->command_ok([ 'pg_dump', '-s', '-f', "$dir/restored.sql", '-d', $node->connstr('restored') ],
	'schema dump of the restored database');
# pg_dump (15.14 and later) brackets its output with \restrict and
# \unrestrict lines carrying a random key; that is all that may differ.
sub schema_dump
{
	my ($file) = @_;
	return join '', grep { !/^\\(un)?restrict / } split /^/, slurp_file($file);
}
is(schema_dump("$dir/restored.sql"), schema_dump("$dir/source.sql"),
	'restored: the schema dumps are identical');

# The keys behave as before the dump.
my %after = (
	active => create_with_key('restored', $key{active}, 'After restore'),
	revoked => create_with_key('restored', $key{revoked}, 'Refused'),
	expired => create_with_key('restored', $key{expired}, 'Refused'),
	api_role => create_with_key('restored', $key{active}, 'As API role', 'api_user'),
);
is_deeply(
	\%after,
	{
		active => 'OK',
		revoked => 'INVALID_API_KEY',
		expired => 'EXPIRED_API_KEY',
		api_role => 'OK'
	},
	'restored: the active key authenticates (also as the API role), '
	  . 'the revoked and expired ones are refused');
is( $node->safe_psql('restored',
		q{SELECT count(*) FROM opportunities.opportunities WHERE name IN ('After restore', 'As API role', 'Refused')}),
	2, 'restored: only the authenticated creates were stored');

diag(
	sprintf(
		'dump: %d opportunities and %d API keys compared row for row after '
		  . 'pg_dump -Fc / pg_restore; keys after restore: active %s, API role %s, '
		  . 'revoked %s, expired %s; whole test %.1fs',
		$rows{opportunities}, $rows{api_keys}, $after{active}, $after{api_role},
		$after{revoked}, $after{expired}, time - $started));

$node->stop;
done_testing();

# Create an opportunity named $name in $db with $key in request.headers, as
# PostgREST would send it (optionally as role $role); return OK or the
# error code.
sub create_with_key
{
	my ($db, $key, $name, $role) = @_;
	my $set_role = $role ? "SET LOCAL ROLE $role;" : '';
	my $out = $node->safe_psql(
		$db, qq{
		BEGIN;
		$set_role
		SELECT set_config('request.headers', '{"x-api-key": "$key"}', true) IS NULL;
		SELECT coalesce(opportunities.create_opportunity('{"name": "$name"}')
						->'error'->>'code', 'OK');
		COMMIT;
	});
	return (split /\n/, $out)[-1];
}
