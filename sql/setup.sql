-- Helpers for the other regression tests (pg_regress runs them in order).
--
-- Ids and timestamps are random or time-dependent: masked() replaces them
-- with placeholders only when they have the exact expected shape, so a
-- malformed id or timestamp still shows up in the diff.
CREATE FUNCTION masked_row(r jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	k text;
BEGIN
	IF r->>'id' ~ '^opp_[0-9a-z]{12}$' THEN
		r := jsonb_set(r, '{id}', '"opp_<random>"');
	END IF;
	FOREACH k IN ARRAY ARRAY['created_at', 'won_at', 'lost_at'] LOOP
		IF r->>k ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$' THEN
			r := jsonb_set(r, ARRAY[k], '"<timestamp>"');
		END IF;
	END LOOP;
	RETURN r;
END
$$;

CREATE FUNCTION masked(answer jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF jsonb_typeof(answer->'data') = 'object' THEN
		RETURN jsonb_set(answer, '{data}', masked_row(answer->'data'));
	ELSIF jsonb_typeof(answer->'data') = 'array' THEN
		RETURN jsonb_set(answer, '{data}',
			(SELECT coalesce(jsonb_agg(masked_row(e) ORDER BY n), '[]')
			 FROM jsonb_array_elements(answer->'data') WITH ORDINALITY AS a(e, n)));
	END IF;
	RETURN answer;
END
$$;

-- create_opportunity (or, with bulk, create_opportunities) with its answer
-- masked and the HTTP status it set.  With http (the default) the call is
-- made as PostgREST makes it, request.headers set, but without a key
-- (opportunities.auth none for the call): only over HTTP is
-- response.status set.  Without http, the session's settings stand.
CREATE FUNCTION try(body jsonb, bulk boolean DEFAULT false,
	http boolean DEFAULT true, OUT answer jsonb, OUT http_status text)
LANGUAGE plpgsql AS $$
DECLARE
	-- NULL until the library is loaded
	auth text := coalesce(current_setting('opportunities.auth', true), 'auto');
BEGIN
	IF http THEN
		PERFORM set_config('opportunities.auth', 'none', true),
			set_config('request.headers', '{"content-type": "application/json"}', true);
	END IF;
	IF bulk THEN
		answer := masked(opportunities.create_opportunities(body));
	ELSE
		answer := masked(opportunities.create_opportunity(body));
	END IF;
	http_status := current_setting('response.status', true);
	IF http THEN
		PERFORM set_config('opportunities.auth', auth, true),
			set_config('request.headers', '', true);
	END IF;
END
$$;

-- only the error code and field messages, for the many field cases
CREATE FUNCTION err(body jsonb) RETURNS text
LANGUAGE sql AS $$
	SELECT coalesce(r->'error'->>'code', 'CREATED') || ' '
		|| coalesce(r->'error'->'details'->>'fields', r->'error'->>'message', '')
	FROM opportunities.create_opportunity(body) AS r
$$;

SELECT count(*) AS opportunities_before FROM opportunities.opportunities;
