-- The table: rows written only on success, domains enforced on direct
-- INSERTs too, defaults matching the API's, ids retried on collision.

-- a rejected body writes nothing, an accepted one exactly one row
SELECT count(*) AS before FROM opportunities.opportunities \gset
SELECT err('{"name": "a", "email": "nope"}');
SELECT count(*) - :before AS written_after_failure FROM opportunities.opportunities;
SELECT err('{"name": "a"}');
SELECT count(*) - :before AS written_after_success FROM opportunities.opportunities;

-- direct INSERTs cannot store what the API would refuse (terse: the
-- failing row would show timestamps)
\set VERBOSITY terse
INSERT INTO opportunities.opportunities (id, name) VALUES ('opp_bad', 'x');
INSERT INTO opportunities.opportunities (id, name) VALUES ('OPP_AAAAAAAAAAAA', 'x');
INSERT INTO opportunities.opportunities (id, name, status) VALUES ('opp_aaaaaaaaaaa1', 'x', 'New');
INSERT INTO opportunities.opportunities (id, name, source) VALUES ('opp_aaaaaaaaaaa2', 'x', 'facebook');
INSERT INTO opportunities.opportunities (id, name, deal_currency) VALUES ('opp_aaaaaaaaaaa3', 'x', 'brl');
INSERT INTO opportunities.opportunities (id, name, deal_currency) VALUES ('opp_aaaaaaaaaaa4', 'x', 'XYZ');
INSERT INTO opportunities.opportunities (id, name, deal_value) VALUES ('opp_aaaaaaaaaaa5', 'x', -1);
INSERT INTO opportunities.opportunities (id, name) VALUES ('opp_aaaaaaaaaaa6', NULL);
INSERT INTO opportunities.opportunities (id, name) VALUES ('opp_aaaaaaaaaaa7', '');
INSERT INTO opportunities.opportunities (id, name) VALUES (NULL, 'x');
INSERT INTO opportunities.opportunities (id, name, status) VALUES ('opp_aaaaaaaaaaa8', 'x', NULL);
\set VERBOSITY default

-- the table's defaults are the API's defaults
INSERT INTO opportunities.opportunities (id, name) VALUES ('opp_aaaaaaaaaaa9', 'direct');
SELECT d.status = a->'data'->>'status' AS same_status,
	d.source = a->'data'->>'source' AS same_source,
	d.deal_currency = a->'data'->>'deal_currency' AS same_currency
FROM opportunities.opportunities d,
	opportunities.create_opportunity('{"name": "api"}') a
WHERE d.id = 'opp_aaaaaaaaaaa9';
DELETE FROM opportunities.opportunities WHERE id = 'opp_aaaaaaaaaaa9';

-- a colliding id is drawn again, never surfaced: debug_repeat_id makes each
-- first attempt reuse the previous id, which is already stored
SELECT err('{"name": "first"}');
SET opportunities.debug_repeat_id = on;
SELECT count(*) AS before FROM opportunities.opportunities \gset
SET client_min_messages = debug1;
WITH r AS (SELECT opportunities.create_opportunity('{"name": "second"}') AS a)
SELECT a->'success' AS success, a->'data'->>'id' ~ '^opp_[0-9a-z]{12}$' AS id_shape FROM r;
RESET client_min_messages;
SELECT count(*) - :before AS written, count(DISTINCT id) = count(*) AS ids_unique
FROM opportunities.opportunities;
RESET opportunities.debug_repeat_id;

-- only a superuser may change the extension's settings
CREATE ROLE opp_regress_user;
SET ROLE opp_regress_user;
SET opportunities.auth = 'none';
SET opportunities.max_batch_size = 100000;
SET opportunities.debug_repeat_id = on;
RESET ROLE;
DROP ROLE opp_regress_user;

-- pg_dump keeps the rows of both tables
SELECT extcondition, array(SELECT c::regclass::text FROM unnest(extconfig) c) AS dumped
FROM pg_extension WHERE extname = 'opportunities';
