-- API keys: management functions, storage as hashes, and the auth codes.

-- create: the key appears once, with its id, prefix and permissions
SELECT k->>'id' ~ '^key_[0-9a-z]{12}$' AS id_shape,
	k->>'key' ~ '^oppk_[0-9a-z]{32}$' AS key_shape,
	k->>'key_prefix' = left(k->>'key', 12) AS prefix_is_key_start,
	k->'name' AS name, k->'permissions' AS permissions,
	k->'expires_at' AS expires_at,
	k->>'created_at' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$' AS created_at_shape
FROM opportunities.create_api_key('CRM sync', ARRAY['opportunities:write']) AS k;

-- created_at and expires_at are each their own time
SELECT k->>'created_at' = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_now,
	k->>'expires_at' = to_char((now() + interval '30 days') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS expires_in_30_days
FROM opportunities.create_api_key('thirty days', ARRAY['opportunities:read'], now() + interval '30 days') AS k;

-- keep plaintext keys for the tests below (in a real system only the caller has them)
CREATE TEMP TABLE keys (label text PRIMARY KEY, id text, key text);
INSERT INTO keys SELECT 'write', k->>'id', k->>'key'
	FROM opportunities.create_api_key('writer', ARRAY['opportunities:read', 'opportunities:write']) k;
INSERT INTO keys SELECT 'read', k->>'id', k->>'key'
	FROM opportunities.create_api_key('reader', ARRAY['opportunities:read']) k;
INSERT INTO keys SELECT 'expiring', k->>'id', k->>'key'
	FROM opportunities.create_api_key('expiring', ARRAY['opportunities:write'], now() + interval '1 hour') k;
INSERT INTO keys SELECT 'revoked', k->>'id', k->>'key'
	FROM opportunities.create_api_key('revoked', ARRAY['opportunities:write']) k;

-- only the SHA-256 of a key is stored, never the key
SELECT count(*) AS stored_plaintext FROM opportunities.api_keys a, keys k
WHERE a::text LIKE '%' || k.key || '%';
SELECT bool_and(a.key_hash = sha256(convert_to(k.key, 'UTF8'))) AS hashes_match
FROM opportunities.api_keys a JOIN keys k ON k.id = a.id;

-- refused: unknown, duplicate, empty or NULL permissions; bad names; past expiry
SELECT opportunities.create_api_key('x', ARRAY['opportunities:admin']);
SELECT opportunities.create_api_key('x', ARRAY['opportunities:write', 'opportunities:write']);
SELECT opportunities.create_api_key('x', ARRAY[]::text[]);
SELECT opportunities.create_api_key('x', ARRAY[NULL]::text[]);
SELECT opportunities.create_api_key('x', ARRAY['opportunities:write', NULL]);
SELECT opportunities.create_api_key('x', NULL);
SELECT opportunities.create_api_key('', ARRAY['opportunities:write']);
SELECT opportunities.create_api_key(NULL, ARRAY['opportunities:write']);
SELECT opportunities.create_api_key('x', ARRAY['opportunities:write'], now() - interval '1 second');
SELECT opportunities.create_api_key('x', ARRAY['opportunities:write'], 'infinity');
SELECT opportunities.create_api_key('x', ARRAY['opportunities:write'], '10000-01-01 00:00:00+00');  -- beyond the API's 4-digit years
BEGIN;
SELECT opportunities.create_api_key('x', ARRAY['opportunities:write'], '9999-12-31 23:59:59.999999+00')->>'expires_at' AS last_expiry;
ROLLBACK;
SELECT opportunities.create_api_key(E'bell\x07', ARRAY['opportunities:write']);
SELECT opportunities.create_api_key('x', ARRAY[['opportunities:write']]);

-- revoke: true once, then false; unknown ids are false
SELECT opportunities.revoke_api_key(id) AS first, opportunities.revoke_api_key(id) AS again
FROM keys WHERE label = 'revoked';
SELECT opportunities.revoke_api_key('key_doesnotexist') AS unknown;

-- list: no hashes, revoked keys marked
SELECT name, permissions, expires_at IS NOT NULL AS expires, revoked_at IS NOT NULL AS revoked
FROM opportunities.list_api_keys() ORDER BY name;
SELECT count(*) AS hash_columns FROM pg_proc p, unnest(p.proargnames) a
WHERE p.oid = 'opportunities.list_api_keys'::regproc AND a LIKE '%hash%';

-- the auth codes, as an HTTP request would see them (request.headers set)
CREATE FUNCTION call_with(headers text, body jsonb, OUT answer jsonb, OUT http_status text)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('request.headers', headers, true);
	answer := masked(opportunities.create_opportunity(body));
	http_status := current_setting('response.status', true);
	PERFORM set_config('request.headers', '', true);
END
$$;
CREATE FUNCTION headers_for(label text) RETURNS text
LANGUAGE sql AS $$
	SELECT json_build_object('content-type', 'application/json', 'x-api-key', key)::text
	FROM keys WHERE keys.label = headers_for.label
$$;

SELECT count(*) AS before FROM opportunities.opportunities \gset
SELECT * FROM call_with('{"content-type": "application/json"}', '{"name": "no key"}');
SELECT * FROM call_with('{"x-api-key": ""}', '{"name": "empty key"}');
SELECT * FROM call_with('{"x-api-key": "oppk_00000000000000000000000000000000"}', '{"name": "unknown key"}');
SELECT * FROM call_with(headers_for('revoked'), '{"name": "revoked key"}');
SELECT * FROM call_with(headers_for('read'), '{"name": "read-only key"}');
-- auth is checked before the body is looked at
SELECT * FROM call_with(headers_for('read'), '[1, 2]');
SELECT * FROM call_with('{}', 'null');
SELECT count(*) - :before AS written_by_refused FROM opportunities.opportunities;
SELECT * FROM call_with(headers_for('write'), '{"name": "good key"}');
SELECT * FROM call_with(headers_for('write'), '{"name": "good key", "status": "x"}');
SELECT count(*) - :before AS written FROM opportunities.opportunities;

-- expiry: a key past its expires_at is EXPIRED_API_KEY
UPDATE opportunities.api_keys SET expires_at = now() - interval '1 minute'
	WHERE id = (SELECT id FROM keys WHERE label = 'expiring');
SELECT * FROM call_with(headers_for('expiring'), '{"name": "expired key"}');

-- revoked wins over expired
UPDATE opportunities.api_keys SET revoked_at = now()
	WHERE id = (SELECT id FROM keys WHERE label = 'expiring');
SELECT * FROM call_with(headers_for('expiring'), '{"name": "expired and revoked"}');

-- the modes: auto (above), api_key (always), none (never)
SELECT set_config('request.headers', '', false);
SELECT * FROM try('{"name": "auto mode, no HTTP request"}', http => false);
SET opportunities.auth = 'api_key';
SELECT * FROM try('{"name": "api_key mode, no HTTP request"}', http => false);
SELECT * FROM call_with(headers_for('write'), '{"name": "api_key mode, good key"}');
SET opportunities.auth = 'none';
SELECT * FROM call_with('{"x-api-key": "wrong"}', '{"name": "none mode"}');
RESET opportunities.auth;
SET opportunities.auth = 'sometimes';
