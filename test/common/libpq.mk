# test/common/libpq.mk
#	How the libpq test programs are built; included by test/replay/Makefile
#	and test/corpus/Makefile, so both keep one set of flags.  A program is
#	built by
#
#	prog: prog.c
#		$(LINK_PGTEST)
#
# Built with Debian's libpq-dev only; warnings are errors.

PG_CONFIG ?= pg_config
CC = gcc
WARNINGS = -Wall -Wextra -Werror -Wmissing-prototypes -Wpointer-arith \
	-Wdeclaration-after-statement -Werror=vla -Wformat-security \
	-Wimplicit-fallthrough
CFLAGS = -std=gnu99 -O2 -g $(WARNINGS)
CPPFLAGS = -I$(shell $(PG_CONFIG) --includedir)
LDFLAGS = -L$(shell $(PG_CONFIG) --libdir)
LDLIBS = -lpq

# Compile and link the target from the .c files among its prerequisites
LINK_PGTEST = $(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $(filter %.c,$^) \
	$(LDFLAGS) $(LDLIBS)

.DELETE_ON_ERROR:
