-- The seed page's example: request in, response out.
\set seed '{"name": "Jane Smith", "email": "jane@company.com", "company": "Tech Corp", "position": "CTO", "source": "paid_traffic", "deal_value": 75000, "deal_currency": "BRL", "notes": "Inbound from Google Ads"}'

SELECT * FROM try(:'seed');

-- exactly the seed response's keys, in the seed's order
WITH r AS (SELECT opportunities.create_opportunity(:'seed') AS answer)
SELECT (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(answer) k) AS envelope_keys,
	(SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(answer->'data') k)
	= (SELECT array_agg(k ORDER BY k) FROM unnest(ARRAY['id', 'name', 'email',
		'company', 'position', 'status', 'source', 'deal_value',
		'deal_currency', 'notes', 'created_at']) k) AS seed_response_keys,
	answer->'data'->'deal_value' AS deal_value,
	answer->'data'->>'status' AS status,
	answer->'data'->>'id' ~ '^opp_[0-9a-z]{12}$' AS id_shape,
	answer->'data'->>'created_at' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$' AS created_at_shape
FROM r;

-- the row behind the answer holds what the answer says (a statement does
-- not see its own inserts, hence \gset and a second statement)
SELECT opportunities.create_opportunity(:'seed')->'data' AS d \gset
SELECT o.name, o.email, o.company, o.position, o.status, o.source,
	o.deal_value, o.deal_currency, o.notes, o.phone IS NULL AS no_phone,
	o.created_at <= now() AS created_before_now, o.updated_at = o.created_at AS updated_eq,
	o.won_at IS NULL AND o.lost_at IS NULL AS no_stage_times,
	to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') = :'d'::jsonb->>'created_at' AS created_at_matches
FROM opportunities.opportunities o WHERE o.id = :'d'::jsonb->>'id';

-- answers are built in jsonb's binary form directly: their keys must be in
-- the canonical order, or lookups and comparisons would go wrong
SELECT a = (a::text)::jsonb AS canonical, a->'data'->>'won_at' IS NOT NULL AS lookup_works
FROM opportunities.create_opportunity('{"name": "Canonical", "email": "c@example.com",
	"phone": "+5511987654321", "company": "C", "position": "P", "status": "won",
	"source": "list", "deal_value": 1, "deal_currency": "EUR",
	"linkedin_url": "https://linkedin.com/in/c", "notes": "n",
	"responsible_user_id": "u"}') AS a;

-- only the name: the three defaults and nothing else
SELECT * FROM try('{"name": "Minimal"}');

-- every field at once, with values that need trimming and normalising
SELECT * FROM try('{
	"name": "  Ana Souza ",
	"email": " ana@empresa.com.br ",
	"phone": "+55 (11) 98765-4321",
	"company": "Empresa",
	"position": "Head of Sales",
	"status": "qualified",
	"source": "linkedin",
	"deal_value": 1234.5,
	"deal_currency": "usd",
	"linkedin_url": "https://www.linkedin.com/in/ana-souza",
	"notes": "  first line\nsecond line  ",
	"responsible_user_id": "user_42"
}');

-- optional fields given as null, "" or white space count as absent
SELECT * FROM try('{"name": "Blank", "email": null, "phone": "", "company": "   ",
	"status": null, "source": "", "deal_value": null, "deal_currency": " ",
	"linkedin_url": "\t", "notes": "\n", "responsible_user_id": null,
	"position": "\u00a0"}');

-- created already won or lost: the stage timestamp is set at creation
SELECT * FROM try('{"name": "Won deal", "status": "won", "deal_value": 10}');
SELECT * FROM try('{"name": "Lost deal", "status": "lost"}');
SELECT status, won_at = created_at AS won_at_set, lost_at IS NULL AS lost_at_null
FROM opportunities.opportunities WHERE name = 'Won deal';
SELECT status, lost_at = created_at AS lost_at_set, won_at IS NULL AS won_at_null
FROM opportunities.opportunities WHERE name = 'Lost deal';

-- SQL NULL and non-object bodies: VALIDATION_ERROR, nothing written
SELECT count(*) AS before FROM opportunities.opportunities \gset
SELECT * FROM try(NULL);
SELECT * FROM try('[]');
SELECT * FROM try('[{"name": "in an array"}]');
SELECT * FROM try('"Jane"');
SELECT * FROM try('42');
SELECT * FROM try('true');
SELECT * FROM try('null');
SELECT * FROM try('{}');
SELECT count(*) - :before AS written FROM opportunities.opportunities;

-- timestamps are UTC whatever the session's TimeZone
SET TimeZone = 'America/Sao_Paulo';
SELECT opportunities.create_opportunity('{"name": "TZ Sao Paulo"}')->'data' AS d \gset
SELECT :'d'::jsonb->>'created_at' = to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS is_utc,
	:'d'::jsonb->>'created_at' <> to_char(o.created_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS not_local_time
FROM opportunities.opportunities o WHERE o.id = :'d'::jsonb->>'id';
SET TimeZone = 'Asia/Kathmandu';
SELECT opportunities.create_opportunity('{"name": "TZ Kathmandu", "status": "won"}')->'data' AS d \gset
SELECT :'d'::jsonb->>'created_at' = to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS is_utc,
	:'d'::jsonb->>'won_at' = :'d'::jsonb->>'created_at' AS won_at_same
FROM opportunities.opportunities o WHERE o.id = :'d'::jsonb->>'id';
RESET TimeZone;

-- the HTTP status is transaction-local, as PostgREST expects
BEGIN;
SET LOCAL opportunities.auth = 'none';
SET LOCAL request.headers = '{"content-type": "application/json"}';
SELECT (opportunities.create_opportunity('{"name": "In a transaction"}'))->'success' AS success,
	current_setting('response.status', true) AS http_status;
COMMIT;
SELECT coalesce(current_setting('response.status', true), '') AS after_commit;

-- and it is set only for HTTP requests: a plain SQL call, answered or
-- refused, leaves it alone
BEGIN;
SELECT (opportunities.create_opportunity('{"name": "Over SQL"}'))->'success' AS success,
	coalesce(current_setting('response.status', true), '') AS http_status;
SELECT (opportunities.create_opportunity('{"name": ""}'))->'success' AS success,
	coalesce(current_setting('response.status', true), '') AS http_status;
SELECT (opportunities.create_opportunities('[{"name": "Over SQL"}]'))->'success' AS success,
	coalesce(current_setting('response.status', true), '') AS http_status;
COMMIT;
