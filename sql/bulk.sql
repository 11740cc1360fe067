-- create_opportunities: a JSON array of bodies, all or nothing.

-- success: every item, in input order
SELECT count(*) AS before FROM opportunities.opportunities \gset
SELECT * FROM try('[
	{"name": "Imported 1", "source": "list", "email": "one@example.com"},
	{"name": "Imported 2", "source": "list", "deal_value": 10.5, "deal_currency": "eur"},
	{"name": "Imported 3", "source": "list", "status": "won"}
]', bulk => true);
SELECT count(*) - :before AS written FROM opportunities.opportunities;

-- the ids answered are the rows written, with distinct ids
CREATE TEMP TABLE answer AS SELECT opportunities.create_opportunities(
	(SELECT jsonb_agg(jsonb_build_object('name', 'Batch ' || i, 'source', 'list'))
	 FROM generate_series(1, 50) i)) AS a;
SELECT count(*) AS answered, count(DISTINCT e->>'id') AS distinct_ids,
	count(o.id) AS stored,
	bool_and(o.name = e->>'name') AS names_match,
	bool_and(e->>'name' = 'Batch ' || n) AS in_order
FROM answer, jsonb_array_elements(answer.a->'data') WITH ORDINALITY AS t(e, n)
LEFT JOIN opportunities.opportunities o ON o.id = e->>'id';
DROP TABLE answer;

-- one bad item: nothing written, every failing item reported by index
SELECT count(*) AS before FROM opportunities.opportunities \gset
SELECT * FROM try('[
	{"name": "Good"},
	{"name": "Bad status", "status": "archived"},
	{"email": "not-an-email"},
	"not an object",
	{"name": "Bad source", "source": "fax"},
	{"name": "Good too"}
]', bulk => true);
SELECT count(*) - :before AS written FROM opportunities.opportunities;

-- not an array, empty, or over the batch limit
SELECT * FROM try('{"name": "not in an array"}', bulk => true);
SELECT * FROM try(NULL, bulk => true);
SELECT * FROM try('[]', bulk => true);
SET opportunities.max_batch_size = 3;
SELECT * FROM try('[{"name": "1"}, {"name": "2"}, {"name": "3"}, {"name": "4"}]', bulk => true);
SELECT (try('[{"name": "1"}, {"name": "2"}, {"name": "3"}]', bulk => true)).http_status;
RESET opportunities.max_batch_size;
SELECT count(*) AS limit_default
FROM (SELECT opportunities.create_opportunities(
	(SELECT jsonb_agg(jsonb_build_object('name', 'Max ' || i)) FROM generate_series(1, 1001) i)) AS a) r
WHERE a->'error'->>'message' = 'A batch must hold 1 to 1000 opportunities';

-- ids are retried on collision within the batch and against the table
SET opportunities.debug_repeat_id = on;
SET client_min_messages = debug1;
WITH r AS (SELECT opportunities.create_opportunities('[{"name": "c1"}, {"name": "c2"}, {"name": "c3"}]') AS a)
SELECT a->'success' AS success, jsonb_array_length(a->'data') AS items,
	(SELECT count(DISTINCT e->>'id') FROM jsonb_array_elements(a->'data') e) AS distinct_ids
FROM r;
RESET client_min_messages;
RESET opportunities.debug_repeat_id;

-- authentication applies to batches too, before the body
BEGIN;
SELECT set_config('request.headers', '{}', true);
SELECT * FROM try('"not even an array"', bulk => true, http => false);
ROLLBACK;

-- Batches are written the way COPY writes; a trigger or column an operator
-- adds to the table makes them take the SQL path, which honours both.
CREATE TABLE audit (id text);
CREATE FUNCTION audit_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.audit VALUES (NEW.id);
	RETURN NEW;
END
$$;
CREATE TRIGGER audit AFTER INSERT ON opportunities.opportunities
	FOR EACH ROW EXECUTE FUNCTION audit_insert();
SELECT opportunities.create_opportunities('[{"name": "Audited 1"}, {"name": "Audited 2"}]')->'success' AS success;
SELECT count(*) AS audited FROM audit a JOIN opportunities.opportunities o USING (id);
DROP TRIGGER audit ON opportunities.opportunities;

ALTER TABLE opportunities.opportunities ADD COLUMN tenant text NOT NULL DEFAULT 'acme';
SELECT opportunities.create_opportunities('[{"name": "Tenant 1"}, {"name": "Tenant 2"}]')->'success' AS success;
SELECT name, tenant FROM opportunities.opportunities WHERE name LIKE 'Tenant %' ORDER BY name;
ALTER TABLE opportunities.opportunities DROP COLUMN tenant;

-- a column narrowed by an operator is honoured too: values are coerced to
-- the typmods the extension declared, so the COPY-like path steps aside, and
-- the prepared INSERT, re-planned, coerces to the new one
DELETE FROM opportunities.opportunities WHERE char_length(company) > 10;
ALTER TABLE opportunities.opportunities ALTER company TYPE varchar(10);
SELECT opportunities.create_opportunities('[{"name": "Narrow", "company": "0123456789ABCDEF"}]');
SELECT opportunities.create_opportunity('{"name": "Narrow", "company": "0123456789ABCDEF"}');
SELECT opportunities.create_opportunity('{"name": "Narrow", "company": "0123456789"}')->'data'->>'company' AS fits;
ALTER TABLE opportunities.opportunities ALTER company TYPE varchar(255);

-- with an INSERT rule, batches fail exactly like single creates
CREATE TABLE rule_log (id text);
CREATE RULE log_insert AS ON INSERT TO opportunities.opportunities
	DO ALSO INSERT INTO public.rule_log VALUES (NEW.id);
SELECT opportunities.create_opportunity('{"name": "Ruled"}');
SELECT opportunities.create_opportunities('[{"name": "Ruled"}]');
DROP RULE log_insert ON opportunities.opportunities;

-- a read-only transaction writes nothing, batch or not
BEGIN READ ONLY;
SELECT opportunities.create_opportunities('[{"name": "Read only"}]');
ROLLBACK;
BEGIN READ ONLY;
SELECT opportunities.create_opportunity('{"name": "Read only"}');
ROLLBACK;
SELECT count(*) AS read_only_rows FROM opportunities.opportunities WHERE name = 'Read only';
