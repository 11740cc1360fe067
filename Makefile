# opportunities: the Create Opportunity API as a PostgreSQL extension (PGXS)

EXTENSION = opportunities
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)
MODULE_big = opportunities
DATA = $(wildcard sql/$(EXTENSION)--*.sql)

# Pure rules (no PostgreSQL headers; also built by test/unit and test/fuzz)
PURE_OBJS = src/utf8_text.o src/email.o src/phone.o src/linkedin_url.o \
	src/currency.o src/base36.o src/fields.o
# Server glue
SERVER_OBJS = src/opportunities.o src/request.o src/envelope.o src/opp_id.o \
	src/storage.o src/auth.o src/api_keys.o
OBJS = $(PURE_OBJS) $(SERVER_OBJS)

# pg_regress: PGXS defaults (sql/<test>.sql, expected/<test>.out), in this
# order: setup defines the helpers the others use.
REGRESS = setup create_opportunity fields storage api_keys bulk security
REGRESS_OPTS = --load-extension=$(EXTENSION) --encoding=UTF8

# Isolation tests: test/isolation/specs/<test>.spec, test/isolation/expected
ISOLATION := $(patsubst test/isolation/specs/%.spec,%,$(wildcard test/isolation/specs/*.spec))
ISOLATION_OPTS = --inputdir=test/isolation --load-extension=$(EXTENSION) --encoding=UTF8

# TAP tests (PostgreSQL::Test::Cluster): test/t/*.pl, run by "make prove"
PROVE_TESTS := $(wildcard test/t/*.pl)

# Our code builds clean under -Wall -Wextra; the server's own headers are
# included as system headers so their unused parameters don't drown ours.
PG_CFLAGS = -Wall -Wextra
PG_CPPFLAGS = -I$(srcdir)/src -isystem $(shell $(PG_CONFIG) --includedir-server)
EXTRA_CLEAN = src/iso4217_codes.h

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)
PG_PROVE_FLAGS += -I test/perl

# ISO 4217 codes come from Debian's iso-codes, never typed by hand.
ISO_4217_JSON ?= /usr/share/iso-codes/json/iso_4217.json
src/iso4217_codes.h: tools/gen-iso4217-codes $(ISO_4217_JSON)
	perl tools/gen-iso4217-codes $(ISO_4217_JSON) > $@.tmp && mv $@.tmp $@
src/currency.o: src/iso4217_codes.h

.PHONY: prove
prove:
	$(prove_installcheck)
