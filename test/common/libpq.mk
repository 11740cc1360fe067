# test/common/libpq.mk
#	How the libpq test programs are built; included by test/replay/Makefile
#	and test/corpus/Makefile, so both keep one set of flags.  A program is
#	linked with the helpers of pgtest.c (pgtest.h says what they are), by
#
#	prog: prog.c $(PGTEST_DEPS)
#		$(LINK_PGTEST)
#
# Built with Debian's libpq-dev only; warnings are errors.

PGTEST_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))

PG_CONFIG ?= pg_config
CC = gcc
WARNINGS = -Wall -Wextra -Werror -Wmissing-prototypes -Wpointer-arith \
	-Wdeclaration-after-statement -Werror=vla -Wformat-security \
	-Wimplicit-fallthrough
CFLAGS = -std=gnu99 -O2 -g $(WARNINGS)
CPPFLAGS = -I$(PGTEST_DIR) -I$(shell $(PG_CONFIG) --includedir)
LDFLAGS = -L$(shell $(PG_CONFIG) --libdir)
LDLIBS = -lpq

PGTEST_DEPS = $(PGTEST_DIR)/pgtest.c $(PGTEST_DIR)/pgtest.h

# Compile and link the target from the .c files among its prerequisites
LINK_PGTEST = $(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $(filter %.c,$^) \
	$(LDFLAGS) $(LDLIBS)

.DELETE_ON_ERROR:
