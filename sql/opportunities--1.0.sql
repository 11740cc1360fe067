/* opportunities--1.0.sql: the Create Opportunity API */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION opportunities" to load this file. \quit

-- Lengths are counted in characters of UTF-8 text; other encodings would
-- make every rule lie.
DO $$
BEGIN
	IF pg_catalog.getdatabaseencoding() OPERATOR(pg_catalog.<>) 'UTF8' THEN
		RAISE EXCEPTION 'the opportunities extension needs a UTF8 database, not %',
			pg_catalog.getdatabaseencoding();
	END IF;
END
$$;

-- Created here rather than named in the control file, so that it belongs to
-- the extension: DROP EXTENSION removes it, and CREATE EXTENSION fails
-- rather than adopt a schema somebody else created first.
CREATE SCHEMA opportunities;

------------------------------------------------------------------------------
-- Domain checks: the C rules the API applies, reused by the table so that a
-- direct INSERT cannot store what the API would refuse.
------------------------------------------------------------------------------

CREATE FUNCTION opportunities.is_valid_status(text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'opp_is_valid_status'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION opportunities.is_valid_source(text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'opp_is_valid_source'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Upper-case ISO 4217 code, from the table generated out of iso-codes
CREATE FUNCTION opportunities.is_valid_currency(text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'opp_is_valid_currency'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION opportunities.is_valid_opportunity_id(text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'opp_is_valid_opportunity_id'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION opportunities.is_valid_permissions(text[]) RETURNS boolean
	AS 'MODULE_PATHNAME', 'opp_is_valid_permissions'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

------------------------------------------------------------------------------
-- Storage
------------------------------------------------------------------------------

-- Defaults must match opp_fields[] in src/fields.c (a regression test
-- compares a direct INSERT with the API's answer).  Ids are ASCII, so their
-- index compares bytes ("C") rather than paying for locale-aware collation
-- on every insert and lookup.
CREATE TABLE opportunities.opportunities (
	id					text COLLATE "C" PRIMARY KEY
						CHECK (opportunities.is_valid_opportunity_id(id)),
	name				varchar(255) NOT NULL CHECK (name <> ''),
	email				varchar(254),
	phone				varchar(16),
	company				varchar(255),
	position			varchar(255),
	status				text NOT NULL DEFAULT 'new'
						CHECK (opportunities.is_valid_status(status)),
	source				text NOT NULL DEFAULT 'other'
						CHECK (opportunities.is_valid_source(source)),
	deal_value			numeric(15, 2) CHECK (deal_value >= 0),
	deal_currency		text NOT NULL DEFAULT 'BRL'
						CHECK (opportunities.is_valid_currency(deal_currency)),
	linkedin_url		varchar(2048),
	notes				varchar(10000),
	responsible_user_id	varchar(128),
	created_at			timestamptz NOT NULL DEFAULT now(),
	updated_at			timestamptz NOT NULL DEFAULT now(),
	won_at				timestamptz,
	lost_at				timestamptz
);

COMMENT ON TABLE opportunities.opportunities IS
	'Opportunities (leads) created through opportunities.create_opportunity';

-- Keys are stored only as SHA-256 hashes; key_prefix is for display.
CREATE TABLE opportunities.api_keys (
	id					text COLLATE "C" PRIMARY KEY,
	name				text NOT NULL CHECK (name <> ''),
	key_prefix			text NOT NULL,
	key_hash			bytea NOT NULL UNIQUE
						CHECK (octet_length(key_hash) = 32),
	permissions			text[] NOT NULL
						CHECK (opportunities.is_valid_permissions(permissions)),
	created_at			timestamptz NOT NULL DEFAULT now(),
	expires_at			timestamptz,
	revoked_at			timestamptz
);

COMMENT ON TABLE opportunities.api_keys IS
	'API keys for the X-API-Key header; only hashes are kept';

-- Extension tables are left out of pg_dump unless marked: without this a
-- backup would silently lose every opportunity and key.
SELECT pg_catalog.pg_extension_config_dump('opportunities.opportunities', '');
SELECT pg_catalog.pg_extension_config_dump('opportunities.api_keys', '');

------------------------------------------------------------------------------
-- The API.  SECURITY DEFINER so the API role needs EXECUTE only, never a
-- privilege on the tables; search_path pinned so nothing the caller
-- creates can stand in for what the functions use.
------------------------------------------------------------------------------

CREATE FUNCTION opportunities.create_opportunity(jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'create_opportunity'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION opportunities.create_opportunity(jsonb) IS
	'POST /external/v1/opportunities: validate a lead, store it, answer the API envelope';

CREATE FUNCTION opportunities.create_opportunities(jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'create_opportunities'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION opportunities.create_opportunities(jsonb) IS
	'Create a batch of opportunities from a JSON array, all or nothing';

CREATE FUNCTION opportunities.create_api_key(
	name text, permissions text[], expires_at timestamptz DEFAULT NULL)
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'opp_create_api_key'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION opportunities.create_api_key(text, text[], timestamptz) IS
	'Create an API key; the answer is the only place the key ever appears';

CREATE FUNCTION opportunities.revoke_api_key(id text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'opp_revoke_api_key'
	LANGUAGE C VOLATILE STRICT SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION opportunities.revoke_api_key(text) IS
	'Revoke an API key: true if it was active';

CREATE FUNCTION opportunities.list_api_keys()
	RETURNS TABLE (id text, name text, key_prefix text, permissions text[],
				   created_at timestamptz, expires_at timestamptz,
				   revoked_at timestamptz)
	LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT k.id, k.name, k.key_prefix, k.permissions,
		   k.created_at, k.expires_at, k.revoked_at
	FROM opportunities.api_keys AS k
	ORDER BY k.created_at, k.id
	$$;

COMMENT ON FUNCTION opportunities.list_api_keys() IS
	'API keys without their hashes';

-- Nothing is callable until an operator grants it (README: GRANTs).
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA opportunities FROM PUBLIC;
