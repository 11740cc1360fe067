-- Least privilege and search_path safety.

-- no function of the extension is executable by PUBLIC
SELECT p.oid::regprocedure AS public_can_execute
FROM pg_proc p
WHERE p.pronamespace = 'opportunities'::regnamespace
	AND (p.proacl IS NULL OR EXISTS (SELECT FROM aclexplode(p.proacl) a
		WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'));

-- every SECURITY DEFINER function pins its search_path
SELECT p.oid::regprocedure AS definer, p.proconfig
FROM pg_proc p
WHERE p.pronamespace = 'opportunities'::regnamespace AND p.prosecdef
ORDER BY 1::text;

-- the README's three statements are all an API role needs
CREATE ROLE regress_web_anon NOLOGIN;
GRANT USAGE ON SCHEMA opportunities TO regress_web_anon;
GRANT EXECUTE ON FUNCTION opportunities.create_opportunity(jsonb) TO regress_web_anon;
SET ROLE regress_web_anon;
SELECT masked(opportunities.create_opportunity('{"name": "via API role"}'))->'success' AS created;
-- and it can touch nothing else
SELECT count(*) FROM opportunities.opportunities;
INSERT INTO opportunities.opportunities (id, name) VALUES ('opp_aaaaaaaaaaaa', 'x');
SELECT count(*) FROM opportunities.api_keys;
UPDATE opportunities.api_keys SET revoked_at = NULL;
SELECT opportunities.create_api_key('mine', ARRAY['opportunities:write']);
SELECT opportunities.revoke_api_key('key_aaaaaaaaaaaa');
SELECT * FROM opportunities.list_api_keys();
SELECT opportunities.create_opportunities('[{"name": "bulk"}]');
SELECT opportunities.is_valid_status('new');
RESET ROLE;

-- a hostile search_path cannot hijack the SECURITY DEFINER functions: a
-- schema ahead of pg_catalog shadows functions and operators they use
CREATE ROLE regress_hostile;
GRANT USAGE ON SCHEMA opportunities TO regress_hostile;
GRANT EXECUTE ON FUNCTION opportunities.create_opportunity(jsonb) TO regress_hostile;
CREATE SCHEMA evil AUTHORIZATION regress_hostile;
SET ROLE regress_hostile;
CREATE FUNCTION evil.now() RETURNS timestamptz
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked now()'; END $$;
CREATE FUNCTION evil.texteq(text, text) RETURNS boolean
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked text ='; END $$;
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.texteq);
CREATE FUNCTION evil.byteaeq(bytea, bytea) RETURNS boolean
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked bytea ='; END $$;
CREATE OPERATOR evil.= (LEFTARG = bytea, RIGHTARG = bytea, FUNCTION = evil.byteaeq);
CREATE FUNCTION evil.tsle(timestamptz, timestamptz) RETURNS boolean
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked <='; END $$;
CREATE OPERATOR evil.<= (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = evil.tsle);
CREATE FUNCTION evil.numeric_ge(numeric, numeric) RETURNS boolean
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked >='; END $$;
CREATE OPERATOR evil.>= (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = evil.numeric_ge);
CREATE FUNCTION evil.sha256(bytea) RETURNS bytea
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked sha256'; END $$;
CREATE FUNCTION evil.varchar(varchar, integer, boolean) RETURNS varchar
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked varchar'; END $$;
-- The test's own queries below avoid the shadowed operators: answers are
-- captured with \gset and inspected once the path is safe again.
SET search_path = evil, pg_catalog, public;
-- the shadows are live for an unqualified caller...
SELECT 'a'::text = 'a'::text;
-- ...but not inside the API: a plain create, and one through the key lookup
SELECT opportunities.create_opportunity('{"name": "hostile path", "deal_value": 5, "status": "won"}') AS plain \gset
SELECT set_config('request.headers', '{"x-api-key": "oppk_00000000000000000000000000000000"}', false) IS NULL AS unset;
SELECT opportunities.create_opportunity('{"name": "hostile path"}') AS looked_up \gset
SELECT set_config('request.headers', '', false) IS NULL AS unset;
RESET search_path;
RESET ROLE;
SELECT masked(:'plain') AS plain, :'looked_up'::jsonb->'error'->>'code' AS looked_up;

-- the same for key management, run by its owner under the hostile path
SET search_path = evil, pg_catalog, public;
SELECT opportunities.create_api_key('hostile', ARRAY['opportunities:write']) AS hostile_key \gset
SELECT count(*) AS listed FROM opportunities.list_api_keys();
RESET search_path;
SELECT :'hostile_key'::jsonb->>'id' AS hostile_id \gset
SET search_path = evil, pg_catalog, public;
SELECT opportunities.revoke_api_key(:'hostile_id') AS revoked;
RESET search_path;

\set VERBOSITY terse
DROP SCHEMA evil CASCADE;
\set VERBOSITY default
REVOKE ALL ON SCHEMA opportunities FROM regress_hostile, regress_web_anon;
REVOKE ALL ON FUNCTION opportunities.create_opportunity(jsonb) FROM regress_hostile, regress_web_anon;
DROP ROLE regress_hostile;
DROP ROLE regress_web_anon;
