/*
 * bench/check_baseline.sql: before anything is timed, assert that the
 * PL/pgSQL baseline (opp_plpgsql.create_opportunity) answers every request
 * here exactly as the extension does: same envelope, same keys, same values
 * (ids and timestamps masked), same response.status.  A baseline that
 * skipped a rule would be cheaper than the contract and flatter the C.
 *
 * Run by bench/run with psql -v ON_ERROR_STOP=1; raises on any difference,
 * after listing every differing request.
 */

-- id and timestamps replaced by placeholders when they have the right shape
CREATE FUNCTION pg_temp.masked(answer jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	d jsonb := answer->'data';
	k text;
BEGIN
	IF jsonb_typeof(d) IS DISTINCT FROM 'object' THEN
		RETURN answer;			-- an error envelope (jsonb_set would make it NULL)
	END IF;
	IF d->>'id' ~ '^opp_[0-9a-z]{12}$' THEN
		d := jsonb_set(d, '{id}', '"opp_<random>"');
	END IF;
	FOREACH k IN ARRAY ARRAY['created_at', 'won_at', 'lost_at'] LOOP
		IF d->>k ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$' THEN
			d := jsonb_set(d, ARRAY[k], '"<timestamp>"');
		END IF;
	END LOOP;
	RETURN jsonb_set(answer, '{data}', d);
END
$$;

CREATE TEMP TABLE requests (n serial, headers text, body jsonb);

INSERT INTO requests (body) VALUES
	-- the seed page's example (what bench/run times) and the bulk's shape
	('{"name": "Jane Smith", "email": "jane@company.com", "company": "Tech Corp", "position": "CTO", "source": "paid_traffic", "deal_value": 75000, "deal_currency": "BRL", "notes": "Inbound from Google Ads"}'),
	('{"name": "Jane Smith 1", "email": "jane@company.com", "company": "Tech Corp", "position": "CTO", "source": "list", "deal_value": 75000, "deal_currency": "BRL", "notes": "Inbound from Google Ads"}'),
	-- every field, trimming and normalising
	(E'{"name": "  Ana Souza ", "email": " ana@empresa.com.br ", "phone": "+55 (11) 98765-4321", "company": "Empresa", "position": "Head of Sales", "status": "qualified", "source": "linkedin", "deal_value": 1234.5, "deal_currency": "usd", "linkedin_url": "https://www.linkedin.com/in/ana-souza", "notes": "  first line\\nsecond line  ", "responsible_user_id": "user_42"}'),
	('{"name": "Minimal"}'),
	('{"name": "Blank", "email": null, "phone": "", "company": "   ", "status": null, "source": "", "deal_value": null, "deal_currency": " ", "linkedin_url": "\t", "notes": "\n", "responsible_user_id": null, "position": "\u00a0"}'),
	('{"name": "\u2003Em space\u3000", "deal_value": "  "}'),
	('{"name": "Won deal", "status": "won", "deal_value": 10}'),
	('{"name": "Lost deal", "status": " lost "}'),
	('{"name": "Rounding", "deal_value": 0.005}'),
	('{"name": "Rounding", "deal_value": 9999999999999.994}'),
	('{"name": "Rounding", "deal_value": -0}'),
	('{"name": "Rounding", "deal_value": 1e-300}'),
	('{"name": "Currency", "deal_currency": "Eur"}'),
	('{"name": "Currency", "deal_currency": "XAU"}'),
	('{"name": "Linkedin", "linkedin_url": "HTTPS://BR.LINKEDIN.COM/in/x?utm=1#top"}'),
	('{"name": "Linkedin", "linkedin_url": "http://linkedin.com"}'),
	('{"name": "Phone", "phone": "+1.415.555.0100"}'),
	('{"name": "Email", "email": "first.last+tag@sub.example.co"}'),
	-- not an object, or nothing
	(NULL), ('[]'), ('"Jane"'), ('42'), ('null'), ('{}'),
	-- one failing field at a time
	('{"name": 7}'),
	('{"name": "a", "email": "jane@localhost"}'),
	('{"name": "a", "email": "jane@@company.com"}'),
	('{"name": "a", "email": "jané@company.com"}'),
	('{"name": "a", "email": "jane@-company.com"}'),
	('{"name": "a", "email": 42}'),
	('{"name": "a", "phone": "+1234567"}'),
	('{"name": "a", "phone": "+1234567890123456"}'),
	('{"name": "a", "phone": "+０１２３４５６７８９"}'),
	('{"name": "a", "phone": "+0123456789"}'),
	('{"name": "a", "phone": "11 98765-4321"}'),
	('{"name": "a", "company": 1, "position": false}'),
	('{"name": "a", "status": "New"}'),
	('{"name": "a", "status": 1}'),
	('{"name": "a", "source": "LinkedIn"}'),
	('{"name": "a", "source": ["linkedin"]}'),
	('{"name": "a", "deal_value": -0.001}'),
	('{"name": "a", "deal_value": 9999999999999.995}'),
	('{"name": "a", "deal_value": 1e300}'),
	('{"name": "a", "deal_value": "75000"}'),
	('{"name": "a", "deal_currency": "XYZ"}'),
	('{"name": "a", "deal_currency": "ınr"}'),
	('{"name": "a", "deal_currency": 986}'),
	('{"name": "a", "linkedin_url": "https://linkedin.com.evil.com/in/x"}'),
	('{"name": "a", "linkedin_url": "https://linkedin.com@evil.com/"}'),
	('{"name": "a", "linkedin_url": "https://evil.com\\@linkedin.com"}'),
	('{"name": "a", "linkedin_url": "https://linkedin.com:443/in/x"}'),
	('{"name": "a", "linkedin_url": "https://notlinkedin.com/in/x"}'),
	('{"name": "a", "linkedin_url": "https://lіnkedin.com/in/x"}'),
	('{"name": "a", "linkedin_url": "https://lin\u212aedin.com/in/x"}'),
	('{"name": "a", "linkedin_url": "https://linkedin.com/in/\u00a0x"}'),
	('{"name": "a", "linkedin_url": "https:linkedin.com/in/x"}'),
	('{"name": "a", "linkedin_url": "javascript:alert(1)"}'),
	('{"name": "a\u001b[31m"}'),
	('{"name": "a", "company": "Acme\u0085", "position": "CTO\u0007"}'),
	('{"name": "a", "company": "Acme\tInc"}'),
	('{"name": "a", "notes": "tab\there\r\nline\n"}'),
	('{"name": "a", "notes": "bell\u0007"}'),
	('{"name": "a", "notes": "vertical\u000btab"}'),
	('{"name": "a", "responsible_user_id": "user\u0007id"}'),
	('{"name": "a", "responsible_user_id": "user\u0085id"}'),
	('{"name": "a", "id": "opp_aaaaaaaaaaaa", "emial": "x"}'),
	-- several at once; INVALID_STATUS / INVALID_SOURCE only alone
	('{"email": "bad", "phone": "123", "status": "x", "source": "y", "deal_value": -1, "deal_currency": "ZZZ", "linkedin_url": "https://evil.com", "responsible_user_id": "a\u0001", "extra": 1}'),
	('{"name": "a", "status": "x", "source": "y"}'),
	('{"status": "x"}'),
	('{"name": "a", "source": "y", "extra": true}');

-- lengths at and past their limits, in characters, not bytes
INSERT INTO requests (body)
SELECT jsonb_build_object('name', 'a', f, repeat(c, n))
FROM (VALUES ('name', 'é', 255), ('name', '🙂', 256), ('company', 'ç', 256),
			 ('position', 'ç', 255), ('notes', 'ñ', 10000), ('notes', 'ñ', 10001),
			 ('responsible_user_id', 'u', 128), ('responsible_user_id', 'u', 129))
	AS t(f, c, n);
INSERT INTO requests (body) VALUES
	(jsonb_build_object('name', 'a', 'linkedin_url', 'https://linkedin.com/' || repeat('é', 2048 - 21))),
	(jsonb_build_object('name', 'a', 'linkedin_url', 'https://linkedin.com/' || repeat('é', 2049 - 21))),
	(jsonb_build_object('name', 'a', 'email', repeat('a', 64) || '@' || repeat('b', 63) || '.' || repeat('c', 63) || '.' || repeat('d', 57) || '.com')),
	(jsonb_build_object('name', 'a', 'email', repeat('a', 64) || '@' || repeat('b', 63) || '.' || repeat('c', 63) || '.' || repeat('d', 58) || '.com'));

-- over HTTP: API keys are checked before the body is looked at
SELECT opportunities.create_api_key('bench writer', ARRAY['opportunities:write'])->>'key' AS writer_key,
	   opportunities.create_api_key('bench reader', ARRAY['opportunities:read'])->>'key' AS reader_key
\gset
INSERT INTO requests (headers, body) VALUES
	('{}', '"not even an object"'),
	('{"x-api-key": "nope"}', '{"name": "a"}'),
	(format('{"x-api-key": "%s"}', :'reader_key'), '{"name": "a"}'),
	(format('{"x-api-key": "%s"}', :'writer_key'), '{"name": "With a key"}'),
	(format('{"x-api-key": "%s"}', :'writer_key'), '{"name": "a", "status": "x"}');

-- Ask both, each in its own subtransaction-free turn so response.status is
-- read right after the call that set it.
CREATE TEMP TABLE answers (n int, impl text, answer jsonb, http_status text);

DO $$
DECLARE
	r record;
	a jsonb;
BEGIN
	FOR r IN SELECT * FROM requests ORDER BY n LOOP
		PERFORM set_config('request.headers', coalesce(r.headers, ''), true);

		PERFORM set_config('response.status', '', true);
		a := opportunities.create_opportunity(r.body);
		INSERT INTO answers VALUES (r.n, 'extension', pg_temp.masked(a),
			current_setting('response.status', true));

		PERFORM set_config('response.status', '', true);
		a := opp_plpgsql.create_opportunity(r.body);
		INSERT INTO answers VALUES (r.n, 'plpgsql', pg_temp.masked(a),
			current_setting('response.status', true));
	END LOOP;
	PERFORM set_config('request.headers', '', true);
END
$$;

-- Every difference, then fail if there was one
SELECT r.n, left(coalesce(r.body::text, 'NULL'), 70) AS request,
	e.http_status AS ext_status, p.http_status AS plpgsql_status,
	e.answer AS extension, p.answer AS plpgsql
FROM requests r
JOIN answers e ON e.n = r.n AND e.impl = 'extension'
JOIN answers p ON p.n = r.n AND p.impl = 'plpgsql'
WHERE e.answer IS DISTINCT FROM p.answer
   OR e.http_status IS DISTINCT FROM p.http_status
ORDER BY r.n;

DO $$
DECLARE
	total int;
	masked_to_null int;
	differing int;
	created int;
BEGIN
	SELECT count(*) FILTER (WHERE e.answer IS DISTINCT FROM p.answer
							OR e.http_status IS DISTINCT FROM p.http_status),
		   count(*),
		   count(*) FILTER (WHERE e.answer->>'success' = 'true')
	INTO differing, total, created
	FROM answers e JOIN answers p ON p.n = e.n AND p.impl = 'plpgsql'
	WHERE e.impl = 'extension';
	-- the comparison itself must not be vacuous
	SELECT count(*) INTO masked_to_null FROM answers WHERE answer IS NULL;
	IF masked_to_null > 0 THEN
		RAISE EXCEPTION 'bench bug: % answers are NULL after masking', masked_to_null;
	END IF;
	IF differing > 0 THEN
		RAISE EXCEPTION 'the PL/pgSQL baseline answers % of % requests differently from the extension',
			differing, total;
	END IF;
	RAISE NOTICE 'baseline check: PL/pgSQL and extension agree on all % requests (% created, % refused)',
		total, created, total - created;
END
$$;
