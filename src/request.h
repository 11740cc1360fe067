/*-------------------------------------------------------------------------
 *
 * request.h
 *	  Reading a Create Opportunity request body (jsonb) into a lead.
 *
 *-------------------------------------------------------------------------
 */
#ifndef OPP_REQUEST_H
#define OPP_REQUEST_H

#include "postgres.h"

#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "fields.h"

/* A validated lead, ready to store; text points into the request body. */
typedef struct OppLead
{
	OppText		text[OPP_NUM_FIELDS];	/* defaults applied; absent: NULL */
	Numeric		deal_value;		/* rounded to cents; NULL if absent */
	char		phone_buf[OPP_PHONE_NORMALIZED_SIZE];
} OppLead;

/* One failing key: a known field (field >= 0) or an unknown key (-1). */
typedef struct OppFieldError
{
	int			field;
	const char *key;			/* not NUL-terminated */
	int			keylen;
	const char *message;		/* static */
} OppFieldError;

typedef struct OppFieldErrors
{
	int			count;
	int			capacity;
	OppFieldError *items;
} OppFieldErrors;

/* What reading a body found: a lead, field errors, or not an object. */
typedef enum OppReadResult
{
	OPP_READ_OK,
	OPP_READ_INVALID_FIELDS,
	OPP_READ_NOT_AN_OBJECT
} OppReadResult;

extern OppReadResult opp_read_lead(JsonbContainer *body, OppLead *lead,
								   OppFieldErrors *errors);

#endif							/* OPP_REQUEST_H */
