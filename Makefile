# Kopanion appliance builder.
#   make            build the C tools into build/bin/
#   make deps       install the host packages the build and the tests need (idempotent)
#   make image      build the default appliance: images/kopanion-<ver>-amd64.{iso,qcow2,ova}
#   make check      tools, unit tests, tool tests, then a tiny appliance built and booted under QEMU
#   make bench      stage times, sizes and reference figures measured in the same run

CC ?= cc
CFLAGS ?= -O2 -g
KP_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Itools/lib
CONFIG ?= config/kopanion.yaml
PROFILE_TINY := config/profiles/tiny.yaml

# Each tool is a folder tools/<name>/ with a main.c; its extra libraries are LIBS_<name>.
TOOLS := $(notdir $(patsubst %/main.c,%,$(wildcard tools/*/main.c)))
LIBS_config := -lyaml
LIBS_disk := -lguestfs
LIBS_ova := -larchive -lcrypto
LIBS_image := -larchive -lcrypto -lyaml
LIBS_lib := -lcrypto

OBJ := build/obj
BIN := build/bin
LIBKP := $(OBJ)/libkp.a
LIB_OBJS := $(patsubst tools/lib/%.c,$(OBJ)/lib/%.o,$(wildcard tools/lib/*.c))
TOOL_BINS := $(addprefix $(BIN)/kopanion-,$(TOOLS))
UNIT_SRCS := $(wildcard tests/unit/*/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,build/tests/unit/%,$(UNIT_SRCS))

.PHONY: all tools deps image image-tiny check check-fast check-vm bench clean lint
.SECONDEXPANSION:
# Keep objects: they are not throw-away intermediates.
.SECONDARY:

all: tools
tools: $(TOOL_BINS)

$(OBJ)/%.o: tools/%.c $$(wildcard tools/lib/*.h) $$(wildcard $$(dir tools/%)*.h)
	@mkdir -p $(@D)
	$(CC) $(KP_CFLAGS) $(CFLAGS) -c -o $@ $<

$(LIBKP): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

# Objects of a tool, without and with its main.c.
tool_objs = $(patsubst tools/%.c,$(OBJ)/%.o,$(filter-out tools/$(1)/main.c,$(wildcard tools/$(1)/*.c)))

$(BIN)/kopanion-%: $$(call tool_objs,%) $(OBJ)/%/main.o $(LIBKP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS_$*)

# Unit tests: tests/unit/<tool>/test_*.c link the tool's objects (all but main.c).
build/tests/unit/%: tests/unit/%.c tests/unit/tap.h $$(call tool_objs,$$(firstword $$(subst /, ,$$*))) $(LIBKP)
	@mkdir -p $(@D)
	$(CC) $(KP_CFLAGS) -Itools/$(firstword $(subst /, ,$*)) -Itests/unit $(CFLAGS) -o $@ $< \
		$(call tool_objs,$(firstword $(subst /, ,$*))) $(LIBKP) $(LIBS_$(firstword $(subst /, ,$*)))

deps:
	@./build.sh deps

image: deps tools
	./build.sh build --config $(CONFIG)

# tests/tools: our outputs read by real consumers, no VM (minutes).
# tests/vm: anything that boots QEMU or libguestfs, on the tiny appliance.
FAST_TESTS = $(UNIT_BINS) $(wildcard tests/tools/t*.sh)
VM_TESTS = $(wildcard tests/vm/t*.sh)

check-fast: deps tools $(UNIT_BINS)
	prove --exec '' $(FAST_TESTS)

image-tiny: deps tools
	./build.sh build --config $(CONFIG) --profile $(PROFILE_TINY)

check-vm: image-tiny
	prove --exec '' $(VM_TESTS)

# Fast tests first (a unit failure shows in seconds), then the tiny appliance
# is built, then every test runs, so the closing summary counts them all.
check: check-fast image-tiny
	prove --exec '' $(FAST_TESTS) $(VM_TESTS)

bench: deps tools
	./build.sh bench --config $(CONFIG) --profile $(PROFILE_TINY)

lint:
	prove --exec '' tests/tools/t0010-shellcheck.sh

clean:
	rm -rf build/obj build/bin build/tests
