-- Every row of the contract's field table, valid and invalid.  err() shows
-- the code and the field messages ("CREATED" for a success).

-- name: required, 1..255 characters after trimming, counted in characters
SELECT err('{}');
SELECT err('{"name": null}');
SELECT err('{"name": ""}');
SELECT err('{"name": " \t\n "}');
SELECT err('{"name": 7}');
SELECT err('{"name": ["Jane"]}');
SELECT err('{"name": {"first": "Jane"}}');
SELECT err('{"name": true}');
SELECT err(jsonb_build_object('name', repeat('é', 255)));
SELECT err(jsonb_build_object('name', repeat('é', 256)));
SELECT err(jsonb_build_object('name', repeat('🙂', 255)));
SELECT err(jsonb_build_object('name', '  ' || repeat('x', 255) || '  '));
SELECT err('{"name": "Jane\u001b[2JSmith"}');
SELECT err('{"name": "Jane\nSmith"}');

-- email: WHATWG syntax, a dot in the domain, at most 254 characters
SELECT err('{"name": "a", "email": "jane@company.com"}');
SELECT err('{"name": "a", "email": "first.last+tag@sub.example.co"}');
SELECT err('{"name": "a", "email": "jane@localhost"}');
SELECT err('{"name": "a", "email": "jane"}');
SELECT err('{"name": "a", "email": "jane@@company.com"}');
SELECT err('{"name": "a", "email": "jane smith@company.com"}');
SELECT err('{"name": "a", "email": "jane@company..com"}');
SELECT err('{"name": "a", "email": "jane@-company.com"}');
SELECT err('{"name": "a", "email": "jané@company.com"}');
SELECT err('{"name": "a", "email": "jane\u200b@company.com"}');
SELECT err('{"name": "a", "email": 42}');
SELECT err(jsonb_build_object('name', 'a', 'email', repeat('a', 64) || '@' || repeat('b', 63) || '.' || repeat('c', 63) || '.' || repeat('d', 57) || '.com'));
SELECT err(jsonb_build_object('name', 'a', 'email', repeat('a', 64) || '@' || repeat('b', 63) || '.' || repeat('c', 63) || '.' || repeat('d', 58) || '.com'));

-- phone: + and 8..15 digits, separators allowed, stored normalised
SELECT masked(opportunities.create_opportunity('{"name": "a", "phone": "+55 (11) 98765-4321"}'))->'data'->>'phone' AS phone;
SELECT masked(opportunities.create_opportunity('{"name": "a", "phone": "+1.415.555.0100"}'))->'data'->>'phone' AS phone;
SELECT err('{"name": "a", "phone": "+12345678"}');
SELECT err('{"name": "a", "phone": "+123456789012345"}');
SELECT err('{"name": "a", "phone": "+1234567"}');
SELECT err('{"name": "a", "phone": "+1234567890123456"}');
SELECT err('{"name": "a", "phone": "11 98765-4321"}');
SELECT err('{"name": "a", "phone": "+55 11 98765-4321 ext 2"}');
SELECT err('{"name": "a", "phone": "+٥٥١١٩٨٧٦٥٤٣٢١"}');
SELECT err('{"name": "a", "phone": "+５５１１９８７６５４３２１"}');
SELECT err('{"name": "a", "phone": 5511987654321}');

-- company, position: at most 255 characters
SELECT err(jsonb_build_object('name', 'a', 'company', repeat('ç', 255), 'position', repeat('ç', 255)));
SELECT err(jsonb_build_object('name', 'a', 'company', repeat('ç', 256), 'position', repeat('ç', 256)));
SELECT err('{"name": "a", "company": 1, "position": false}');
SELECT err('{"name": "a", "company": "Tech\tCorp", "position": "C\u0085TO"}');

-- status: one of seven values, case-sensitive; default new
SELECT err('{"name": "a", "status": "new"}'), err('{"name": "a", "status": "contacted"}'),
	err('{"name": "a", "status": "qualified"}'), err('{"name": "a", "status": "proposal"}'),
	err('{"name": "a", "status": "negotiation"}'), err('{"name": "a", "status": "won"}'),
	err('{"name": "a", "status": "lost"}');
SELECT err('{"name": "a", "status": " won "}');
SELECT * FROM try('{"name": "a", "status": "New"}');
SELECT * FROM try('{"name": "a", "status": "archived"}');
SELECT * FROM try('{"name": "a", "status": 1}');

-- source: one of five values, case-sensitive; default other
SELECT err('{"name": "a", "source": "linkedin"}'), err('{"name": "a", "source": "google_maps"}'),
	err('{"name": "a", "source": "list"}'), err('{"name": "a", "source": "paid_traffic"}'),
	err('{"name": "a", "source": "other"}');
SELECT * FROM try('{"name": "a", "source": "LinkedIn"}');
SELECT * FROM try('{"name": "a", "source": "facebook"}');
SELECT * FROM try('{"name": "a", "source": ["linkedin"]}');

-- deal_value: a JSON number >= 0 and < 10^13, answered with two decimals
SELECT masked(opportunities.create_opportunity(jsonb_build_object('name', 'a', 'deal_value', v)))->'data'->'deal_value' AS deal_value
FROM (VALUES ('0'::jsonb), ('-0'), ('75000'), ('75000.5'), ('0.004'), ('0.005'), ('0.015'),
	('1.0e+2'), ('1e-300'), ('9999999999999.99'), ('9999999999999.994')) AS t(v);
SELECT err('{"name": "a", "deal_value": -0.01}');
SELECT err('{"name": "a", "deal_value": -0.001}');
SELECT err('{"name": "a", "deal_value": 10000000000000}');
SELECT err('{"name": "a", "deal_value": 9999999999999.995}');
SELECT err('{"name": "a", "deal_value": 1e300}');
SELECT err('{"name": "a", "deal_value": "75000"}');
SELECT err('{"name": "a", "deal_value": true}');
SELECT err('{"name": "a", "deal_value": {"amount": 1}}');

-- deal_currency: ISO 4217 from iso-codes, any case, stored upper case
SELECT masked(opportunities.create_opportunity(jsonb_build_object('name', 'a', 'deal_currency', c)))->'data'->>'deal_currency' AS deal_currency
FROM unnest(ARRAY['BRL', 'usd', 'Eur', ' jpy ', 'XAU']) AS c;
SELECT err('{"name": "a", "deal_currency": "XYZ"}');
SELECT err('{"name": "a", "deal_currency": "R$"}');
SELECT err('{"name": "a", "deal_currency": "EURO"}');
SELECT err('{"name": "a", "deal_currency": 986}');

-- linkedin_url: http(s) on linkedin.com or a subdomain, at most 2048 characters
SELECT err(jsonb_build_object('name', 'a', 'linkedin_url', u))
FROM unnest(ARRAY['https://www.linkedin.com/in/jane-smith', 'http://linkedin.com',
	'HTTPS://BR.LINKEDIN.COM/in/x?utm=1#top', 'https://linkedin.com/in/jo%C3%A3o']) AS u;
SELECT u AS rejected, err(jsonb_build_object('name', 'a', 'linkedin_url', u))
FROM unnest(ARRAY['https://linkedin.com.evil.com/in/x', 'https://evil.com/linkedin.com',
	'https://linkedin.com@evil.com/', 'https://evil.com\@linkedin.com', 'javascript:alert(1)',
	'https:///in/x', 'https:linkedin.com/in/x', 'https://linkedin.com:443/in/x',
	'https://notlinkedin.com/in/x', 'https://lіnkedin.com/in/x', 'https://linkedin.com /in/x',
	'ftp://linkedin.com/in/x', 'linkedin.com/in/x', 'https://linked%69n.com/in/x']) AS u;
SELECT err(jsonb_build_object('name', 'a', 'linkedin_url', 'https://linkedin.com/' || repeat('é', 2048 - 21)));
SELECT err(jsonb_build_object('name', 'a', 'linkedin_url', 'https://linkedin.com/' || repeat('é', 2049 - 21)));

-- notes: at most 10,000 characters, inner new lines kept
SELECT masked(opportunities.create_opportunity('{"name": "a", "notes": "line 1\nline 2\n\n"}'))->'data'->'notes' AS notes;
SELECT err(jsonb_build_object('name', 'a', 'notes', repeat('ñ', 10000)));
SELECT err(jsonb_build_object('name', 'a', 'notes', repeat('ñ', 10001)));
SELECT err('{"name": "a", "notes": "tabs\tand\r\nline breaks"}');
SELECT err('{"name": "a", "notes": "bell\u0007"}');

-- responsible_user_id: 1..128 characters, no control characters
SELECT err(jsonb_build_object('name', 'a', 'responsible_user_id', repeat('u', 128)));
SELECT err(jsonb_build_object('name', 'a', 'responsible_user_id', repeat('u', 129)));
SELECT err('{"name": "a", "responsible_user_id": "user\u0007id"}');
SELECT err('{"name": "a", "responsible_user_id": "user\nid"}');
SELECT err('{"name": "a", "responsible_user_id": 42}');

-- unknown keys are errors, read-only ones included; typos are not dropped
SELECT err('{"name": "a", "id": "opp_aaaaaaaaaaaa"}');
SELECT err('{"name": "a", "created_at": "2024-01-25T09:00:00Z", "won_at": null}');
SELECT err('{"name": "a", "emial": "jane@company.com"}');
SELECT err('{"name": "a", "Name": "b"}');
SELECT err('{"name": "a", "%s%n%x": "%s"}');

-- every failing field at once; INVALID_STATUS / INVALID_SOURCE only alone
SELECT * FROM try('{"email": "bad", "phone": "123", "status": "x", "source": "y",
	"deal_value": -1, "deal_currency": "ZZZ", "linkedin_url": "https://evil.com",
	"responsible_user_id": "a\u0001", "extra": 1}');
SELECT err('{"name": "a", "status": "x", "source": "y"}');
SELECT err('{"name": "a", "status": "x", "email": "bad"}');
SELECT err('{"status": "x"}');
SELECT err('{"name": "a", "source": "y", "extra": true}');
