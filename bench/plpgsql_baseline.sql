/*
 * bench/plpgsql_baseline.sql: the Create Opportunity contract written in
 * PL/pgSQL, as a user would write it instead of installing the extension.
 *
 * It is variant (c) of bench/run, the yardstick for "is the C worth it":
 * the same rules (/work/shared/spec/contract.md, section 2-4), the same
 * answers and the same table (opportunities.opportunities, with its CHECKs),
 * written with care for speed but without tricks a reviewer would reject.
 * bench/check_baseline.sql asserts that it answers like the extension before
 * anything is timed.
 *
 * Installed by the bench into its own schema, opp_plpgsql, after
 * CREATE EXTENSION opportunities (it writes the extension's table and, for
 * requests with an X-API-Key header, reads its api_keys).  Needs superuser
 * once, to read the ISO 4217 list from iso-codes with pg_read_file.
 *
 * It follows the extension's rules where they go beyond the contract's
 * text (no control characters in one-line fields, only tab/LF/CR in notes).
 *
 * Differences from the extension, on purpose:
 *  - ids come from random(), not a cryptographically strong source (the
 *    contract asks for one; pgcrypto is not assumed).  That makes (c) a
 *    little cheaper than a fully compliant version, so the (a)/(c) ratio
 *    errs in (c)'s favour.
 *  - authentication implements the default mode (opportunities.auth =
 *    auto): an API key is checked only when request.headers is set.
 *  - only the single create; the bulk function is compared with COPY.
 */

CREATE SCHEMA opp_plpgsql;

-- ISO 4217 alphabetic codes, from the same maintained list the extension is
-- generated from (Debian's iso-codes), not typed by hand.
CREATE TABLE opp_plpgsql.currencies (code text PRIMARY KEY);
INSERT INTO opp_plpgsql.currencies
SELECT DISTINCT upper(e->>'alpha_3')
FROM jsonb_array_elements(
	pg_read_file('/usr/share/iso-codes/json/iso_4217.json')::jsonb -> '4217') AS e
WHERE e ? 'alpha_3';

-- The error envelope {"success": false, "error": {...}} and its HTTP status.
CREATE FUNCTION opp_plpgsql.error_response(code text, message text,
										   details jsonb DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- over HTTP only, as the extension does
	IF current_setting('request.headers', true) <> '' THEN
		PERFORM set_config('response.status',
			CASE WHEN code IN ('MISSING_API_KEY', 'INVALID_API_KEY', 'EXPIRED_API_KEY') THEN '401'
				 WHEN code = 'INSUFFICIENT_PERMISSIONS' THEN '403'
				 ELSE '400' END, true);
	END IF;
	RETURN jsonb_build_object('success', false, 'error',
		jsonb_strip_nulls(jsonb_build_object('code', code, 'message', message,
											 'details', details)));
END
$$;

-- An error envelope if the request's X-API-Key does not allow permission,
-- NULL if it does.  Only called over HTTP (request.headers set).
CREATE FUNCTION opp_plpgsql.auth_denied(headers text, permission text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h jsonb := headers::jsonb;
	api_key text;
	k record;
BEGIN
	IF jsonb_typeof(h) = 'object' AND jsonb_typeof(h->'x-api-key') = 'string' THEN
		api_key := h->>'x-api-key';
	END IF;
	IF api_key IS NULL OR api_key = '' THEN
		RETURN opp_plpgsql.error_response('MISSING_API_KEY',
			'API key is required: send it in the X-API-Key header');
	END IF;
	SELECT a.revoked_at IS NOT NULL AS revoked, a.expires_at <= now() AS expired,
		   permission = ANY (a.permissions) AS allowed
	INTO k
	FROM opportunities.api_keys AS a
	WHERE a.key_hash = sha256(convert_to(api_key, 'UTF8'));
	IF NOT FOUND OR k.revoked THEN
		RETURN opp_plpgsql.error_response('INVALID_API_KEY', 'Invalid API key');
	ELSIF k.expired THEN
		RETURN opp_plpgsql.error_response('EXPIRED_API_KEY', 'API key has expired');
	ELSIF NOT k.allowed THEN
		RETURN opp_plpgsql.error_response('INSUFFICIENT_PERMISSIONS',
			format('API key lacks the %s permission', permission));
	END IF;
	RETURN NULL;
END
$$;

CREATE FUNCTION opp_plpgsql.create_opportunity(jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	body jsonb := $1;
	-- Unicode White_Space, what every string is trimmed of
	ws CONSTANT text := E' \t\n\u000b\f\r\u0085\u00a0\u1680\u2000\u2001\u2002'
		|| E'\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f'
		|| E'\u205f\u3000';
	known CONSTANT text[] := ARRAY['name', 'email', 'phone', 'company',
		'position', 'status', 'source', 'deal_value', 'deal_currency',
		'linkedin_url', 'notes', 'responsible_user_id'];
	id_chars CONSTANT text := '0123456789abcdefghijklmnopqrstuvwxyz';
	headers text := current_setting('request.headers', true);
	denied jsonb;
	errors jsonb := '{}';
	nerrors int := 0;
	failed text;				-- the failing field, when there is one
	k text;
	t text;						-- JSON type of the value at hand
	s text;						-- its trimmed text
	host text;
	name text;
	email text;
	phone text;
	company text;
	"position" text;
	status text := 'new';
	source text := 'other';
	deal_value numeric;
	deal_currency text := 'BRL';
	linkedin_url text;
	notes text;
	responsible_user_id text;
	new_id text;
	inserted int := 0;
	stamp text;
BEGIN
	-- opportunities.auth = auto: an API key only for HTTP requests
	IF headers <> '' THEN
		denied := opp_plpgsql.auth_denied(headers, 'opportunities:write');
		IF denied IS NOT NULL THEN
			RETURN denied;
		END IF;
	END IF;

	IF jsonb_typeof(body) IS DISTINCT FROM 'object' THEN
		RETURN opp_plpgsql.error_response('VALIDATION_ERROR',
			'Request body must be a JSON object');
	END IF;

	-- Unknown keys, read-only ones included: typos must not be dropped
	IF body - known <> '{}' THEN
		FOR k IN SELECT jsonb_object_keys(body - known) LOOP
			errors := errors || jsonb_build_object(k, 'Unknown field');
			nerrors := nerrors + 1;
		END LOOP;
	END IF;

	/*
	 * Each field: t is its JSON type (NULL when absent), s its trimmed text
	 * when it is a string.  null, "" and white space count as absent.
	 */

	-- name: required, 1..255 characters, no control characters
	t := jsonb_typeof(body->'name');
	s := CASE WHEN t = 'string' THEN btrim(body->>'name', ws) END;
	IF t IS NULL OR t = 'null' OR s = '' THEN
		errors := errors || '{"name": "Name is required"}';
		nerrors := nerrors + 1;
	ELSIF t <> 'string' THEN
		errors := errors || '{"name": "Name must be a string"}';
		nerrors := nerrors + 1;
	ELSIF length(s) > 255 THEN
		errors := errors || '{"name": "Name must be at most 255 characters"}';
		nerrors := nerrors + 1;
	ELSIF s ~ '[\x01-\x1f\x7f-\x9f]' THEN
		errors := errors || '{"name": "Name must not contain control characters"}';
		nerrors := nerrors + 1;
	ELSE
		name := s;
	END IF;

	-- email: WHATWG "valid e-mail address", a dot in the domain, <= 254
	t := jsonb_typeof(body->'email');
	IF t IS NOT NULL AND t <> 'null' THEN
		s := CASE WHEN t = 'string' THEN btrim(body->>'email', ws) END;
		IF t <> 'string' THEN
			errors := errors || '{"email": "Email must be a string"}';
			nerrors := nerrors + 1;
		ELSIF s = '' THEN
			NULL;
		ELSIF length(s) > 254 THEN
			errors := errors || '{"email": "Email must be at most 254 characters"}';
			nerrors := nerrors + 1;
		ELSIF s !~ '^[A-Za-z0-9.!#$%&''*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$' THEN
			errors := errors || '{"email": "Invalid email format"}';
			nerrors := nerrors + 1;
		ELSE
			email := s;
		END IF;
	END IF;

	-- phone: + and 8..15 digits (E.164), separators allowed, stored bare
	t := jsonb_typeof(body->'phone');
	IF t IS NOT NULL AND t <> 'null' THEN
		s := CASE WHEN t = 'string' THEN btrim(body->>'phone', ws) END;
		IF t <> 'string' THEN
			errors := errors || '{"phone": "Phone must be a string"}';
			nerrors := nerrors + 1;
		ELSIF s = '' THEN
			NULL;
		ELSIF left(s, 1) <> '+' OR
			translate(substr(s, 2), ' -.()', '') !~ '^[1-9][0-9]{7,14}$' THEN
			errors := errors || '{"phone": "Phone must include the country code: + followed by 8 to 15 digits"}';
			nerrors := nerrors + 1;
		ELSE
			phone := '+' || translate(substr(s, 2), ' -.()', '');
		END IF;
	END IF;

	-- company: <= 255 characters, no control characters
	t := jsonb_typeof(body->'company');
	IF t IS NOT NULL AND t <> 'null' THEN
		s := CASE WHEN t = 'string' THEN btrim(body->>'company', ws) END;
		IF t <> 'string' THEN
			errors := errors || '{"company": "Company must be a string"}';
			nerrors := nerrors + 1;
		ELSIF s = '' THEN
			NULL;
		ELSIF length(s) > 255 THEN
			errors := errors || '{"company": "Company must be at most 255 characters"}';
			nerrors := nerrors + 1;
		ELSIF s ~ '[\x01-\x1f\x7f-\x9f]' THEN
			errors := errors || '{"company": "Company must not contain control characters"}';
			nerrors := nerrors + 1;
		ELSE
			company := s;
		END IF;
	END IF;

	-- position: <= 255 characters, no control characters
	t := jsonb_typeof(body->'position');
	IF t IS NOT NULL AND t <> 'null' THEN
		s := CASE WHEN t = 'string' THEN btrim(body->>'position', ws) END;
		IF t <> 'string' THEN
			errors := errors || '{"position": "Position must be a string"}';
			nerrors := nerrors + 1;
		ELSIF s = '' THEN
			NULL;
		ELSIF length(s) > 255 THEN
			errors := errors || '{"position": "Position must be at most 255 characters"}';
			nerrors := nerrors + 1;
		ELSIF s ~ '[\x01-\x1f\x7f-\x9f]' THEN
			errors := errors || '{"position": "Position must not contain control characters"}';
			nerrors := nerrors + 1;
		ELSE
			"position" := s;
		END IF;
	END IF;

	-- status: one of seven, case-sensitive; default new
	t := jsonb_typeof(body->'status');
	IF t IS NOT NULL AND t <> 'null' THEN
		s := CASE WHEN t = 'string' THEN btrim(body->>'status', ws) END;
		IF t <> 'string' THEN
			errors := errors || '{"status": "Status must be a string"}';
			nerrors := nerrors + 1;
			failed := 'status';
		ELSIF s = '' THEN
			NULL;
		ELSIF s <> ALL ('{new,contacted,qualified,proposal,negotiation,won,lost}'::text[]) THEN
			errors := errors || '{"status": "Status must be one of: new, contacted, qualified, proposal, negotiation, won, lost"}';
			nerrors := nerrors + 1;
			failed := 'status';
		ELSE
			status := s;
		END IF;
	END IF;

	-- source: one of five, case-sensitive; default other
	t := jsonb_typeof(body->'source');
	IF t IS NOT NULL AND t <> 'null' THEN
		s := CASE WHEN t = 'string' THEN btrim(body->>'source', ws) END;
		IF t <> 'string' THEN
			errors := errors || '{"source": "Source must be a string"}';
			nerrors := nerrors + 1;
			failed := 'source';
		ELSIF s = '' THEN
			NULL;
		ELSIF s <> ALL ('{linkedin,google_maps,list,paid_traffic,other}'::text[]) THEN
			errors := errors || '{"source": "Source must be one of: linkedin, google_maps, list, paid_traffic, other"}';
			nerrors := nerrors + 1;
			failed := 'source';
		ELSE
			source := s;
		END IF;
	END IF;

	-- deal_value: a JSON number, 0 <= x < 10^13, rounded to cents as
	-- numeric(15,2) will store it (and checked again after rounding)
	t := jsonb_typeof(body->'deal_value');
	IF t IS NULL OR t = 'null' OR (t = 'string' AND btrim(body->>'deal_value', ws) = '') THEN
		NULL;
	ELSIF t <> 'number' THEN
		errors := errors || '{"deal_value": "Deal value must be a number"}';
		nerrors := nerrors + 1;
	ELSE
		deal_value := (body->'deal_value')::numeric;
		IF deal_value < 0 THEN
			errors := errors || '{"deal_value": "Deal value must be zero or greater"}';
			nerrors := nerrors + 1;
		ELSIF deal_value >= 1e13 OR round(deal_value, 2) >= 1e13 THEN
			errors := errors || '{"deal_value": "Deal value must be less than 10000000000000"}';
			nerrors := nerrors + 1;
		END IF;
		deal_value := round(deal_value, 2);
	END IF;

	-- deal_currency: ISO 4217 in any case, stored upper case; default BRL.
	-- ASCII letters are checked first: upper() of a non-ASCII letter (the
	-- Turkish dotless i) could otherwise turn into a valid code.
	t := jsonb_typeof(body->'deal_currency');
	IF t IS NOT NULL AND t <> 'null' THEN
		s := CASE WHEN t = 'string' THEN btrim(body->>'deal_currency', ws) END;
		IF t <> 'string' THEN
			errors := errors || '{"deal_currency": "Deal currency must be a string"}';
			nerrors := nerrors + 1;
		ELSIF s = '' THEN
			NULL;
		ELSIF s !~ '^[A-Za-z]{3}$' OR NOT EXISTS (
				SELECT FROM opp_plpgsql.currencies c WHERE c.code = upper(s)) THEN
			errors := errors || '{"deal_currency": "Deal currency must be an ISO 4217 currency code, such as BRL, USD or EUR"}';
			nerrors := nerrors + 1;
		ELSE
			deal_currency := upper(s);
		END IF;
	END IF;

	-- linkedin_url: http(s)://, host linkedin.com or a subdomain, <= 2048.
	-- No white space, controls or backslash anywhere; the host only of
	-- ASCII letters, digits, '-' and '.', so no userinfo, port, IDN or
	-- percent-encoding can hide another host.  Case-sensitive regexes on
	-- purpose: case-insensitive matching would let the Kelvin sign pass
	-- for a 'k'.
	t := jsonb_typeof(body->'linkedin_url');
	IF t IS NOT NULL AND t <> 'null' THEN
		s := CASE WHEN t = 'string' THEN btrim(body->>'linkedin_url', ws) END;
		IF t <> 'string' THEN
			errors := errors || '{"linkedin_url": "LinkedIn URL must be a string"}';
			nerrors := nerrors + 1;
		ELSIF s = '' THEN
			NULL;
		ELSIF length(s) > 2048 THEN
			errors := errors || '{"linkedin_url": "LinkedIn URL must be at most 2048 characters"}';
			nerrors := nerrors + 1;
		ELSE
			host := CASE WHEN s !~ '[\x01-\x20\x7f-\xa0\\\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]'
				THEN substring(s FROM '^[hH][tT][tT][pP][sS]?://([A-Za-z0-9.-]*)(?:[/?#]|$)') END;
			IF host IS NULL OR lower(host) !~ '^([a-z0-9-]+\.)*linkedin\.com$' THEN
				errors := errors || '{"linkedin_url": "LinkedIn URL must be an http(s) URL on linkedin.com"}';
				nerrors := nerrors + 1;
			ELSE
				linkedin_url := s;
			END IF;
		END IF;
	END IF;

	-- notes: <= 10,000 characters, inner new lines kept; tab, LF and CR
	-- are the only control characters allowed
	t := jsonb_typeof(body->'notes');
	IF t IS NOT NULL AND t <> 'null' THEN
		s := CASE WHEN t = 'string' THEN btrim(body->>'notes', ws) END;
		IF t <> 'string' THEN
			errors := errors || '{"notes": "Notes must be a string"}';
			nerrors := nerrors + 1;
		ELSIF s = '' THEN
			NULL;
		ELSIF length(s) > 10000 THEN
			errors := errors || '{"notes": "Notes must be at most 10000 characters"}';
			nerrors := nerrors + 1;
		ELSIF s ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]' THEN
			errors := errors || '{"notes": "Notes must not contain control characters other than tabs and line breaks"}';
			nerrors := nerrors + 1;
		ELSE
			notes := s;
		END IF;
	END IF;

	-- responsible_user_id: 1..128 characters, no control characters
	t := jsonb_typeof(body->'responsible_user_id');
	IF t IS NOT NULL AND t <> 'null' THEN
		s := CASE WHEN t = 'string' THEN btrim(body->>'responsible_user_id', ws) END;
		IF t <> 'string' THEN
			errors := errors || '{"responsible_user_id": "Responsible user id must be a string"}';
			nerrors := nerrors + 1;
		ELSIF s = '' THEN
			NULL;
		ELSIF length(s) > 128 THEN
			errors := errors || '{"responsible_user_id": "Responsible user id must be at most 128 characters"}';
			nerrors := nerrors + 1;
		ELSIF s ~ '[\x01-\x1f\x7f-\x9f]' THEN
			errors := errors || '{"responsible_user_id": "Responsible user id must not contain control characters"}';
			nerrors := nerrors + 1;
		ELSE
			responsible_user_id := s;
		END IF;
	END IF;

	IF nerrors > 0 THEN
		-- INVALID_STATUS / INVALID_SOURCE only when that field alone fails
		RETURN opp_plpgsql.error_response(
			CASE WHEN nerrors = 1 AND failed = 'status' THEN 'INVALID_STATUS'
				 WHEN nerrors = 1 AND failed = 'source' THEN 'INVALID_SOURCE'
				 ELSE 'VALIDATION_ERROR' END,
			CASE WHEN nerrors = 1 AND failed = 'status' THEN 'Invalid status value'
				 WHEN nerrors = 1 AND failed = 'source' THEN 'Invalid source value'
				 ELSE 'Validation failed' END,
			jsonb_build_object('fields', errors));
	END IF;

	-- A fresh id, drawn again on the (unlikely) collision
	FOR attempt IN 1..8 LOOP
		new_id := 'opp_';
		FOR i IN 1..12 LOOP
			new_id := new_id || substr(id_chars, 1 + floor(random() * 36)::int, 1);
		END LOOP;
		INSERT INTO opportunities.opportunities
			(id, name, email, phone, company, position, status, source,
			 deal_value, deal_currency, linkedin_url, notes,
			 responsible_user_id, created_at, updated_at, won_at, lost_at)
		VALUES (new_id, name, email, phone, company, "position", status, source,
				deal_value, deal_currency, linkedin_url, notes,
				responsible_user_id, now(), now(),
				CASE WHEN status = 'won' THEN now() END,
				CASE WHEN status = 'lost' THEN now() END)
		ON CONFLICT (id) DO NOTHING;
		GET DIAGNOSTICS inserted = ROW_COUNT;
		EXIT WHEN inserted = 1;
	END LOOP;
	IF inserted <> 1 THEN
		RAISE unique_violation USING
			MESSAGE = 'could not generate a unique opportunity id after 8 attempts';
	END IF;

	-- UTC whatever the session's TimeZone, without fractions
	stamp := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
	IF headers <> '' THEN
		PERFORM set_config('response.status', '201', true);
	END IF;
	RETURN jsonb_build_object('success', true, 'data', jsonb_strip_nulls(jsonb_build_object(
		'id', new_id, 'name', name, 'email', email, 'phone', phone,
		'company', company, 'position', "position", 'status', status,
		'source', source, 'deal_value', deal_value,
		'deal_currency', deal_currency, 'linkedin_url', linkedin_url,
		'notes', notes, 'responsible_user_id', responsible_user_id,
		'created_at', stamp,
		'won_at', CASE WHEN status = 'won' THEN stamp END,
		'lost_at', CASE WHEN status = 'lost' THEN stamp END)));
END
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA opp_plpgsql FROM PUBLIC;
