# pktwatch: one plain Makefile. `make` builds the release programs,
# `make asan` the sanitizer build, `make check` runs every test on both,
# `make fuzz` builds the libFuzzer targets (clang), `make bench` measures.

CC      ?= cc
CLANG   ?= clang
CSTD    := -std=c17
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers
OPT     ?= -O2 -g
DEFS    := -D_GNU_SOURCE
PKGS    := libpcap jansson libmicrohttpd sqlite3 libpcre2-8 libcurl libgcrypt libndpi
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
INC     := -Isrc
CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) -pthread $(DEFS) $(INC) $(PKG_CFLAGS) $(EXTRA_CFLAGS) -MMD -MP
LDLIBS_ALL = $(PKG_LIBS) -pthread -lm

SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIB_DIRS := src/util src/capture src/dissect src/flow src/stats src/output src/filter src/classify
LIB_SRC  := $(sort $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
AGENT_SRC:= $(sort $(wildcard src/agent/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))

# Quiet by default; `make V=1` shows the full commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2)
endif

# $(call objs,DIR,SOURCES) -> object files of SOURCES in build directory DIR
objs = $(patsubst %.c,$(1)/obj/%.o,$(2))

.PHONY: all release asan tsan check fuzz bench clean format format-check fuzz-run

# keep object files of chained rules (tests, tools, replay drivers)
.SECONDARY:

all: release

# ---- release -------------------------------------------------------------
R := build
release: $(R)/pktwatch $(R)/pktwatchd $(R)/tests/.stamp

$(R)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS_ALL) -c $< -o $@

$(R)/libpktwatch.a: $(call objs,$(R),$(LIB_SRC))
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

$(R)/pktwatch: $(call objs,$(R),$(CLI_SRC)) $(R)/libpktwatch.a
	$(call say,LD,$@)
	$(Q)$(CC) $(OPT) -o $@ $^ $(LDLIBS_ALL)

$(R)/pktwatchd: $(call objs,$(R),$(AGENT_SRC)) $(R)/libpktwatch.a
	$(call say,LD,$@)
	$(Q)$(CC) $(OPT) -o $@ $^ $(LDLIBS_ALL)

$(R)/tests/%: $(R)/obj/tests/unit/%.o $(R)/libpktwatch.a
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(OPT) -o $@ $^ $(LDLIBS_ALL)

$(R)/tools/%: $(R)/obj/tests/tools/%.o $(R)/libpktwatch.a
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(OPT) -o $@ $^ $(LDLIBS_ALL)

$(R)/tests/.stamp: $(patsubst tests/unit/%.c,$(R)/tests/%,$(UNIT_SRC)) $(patsubst tests/tools/%.c,$(R)/tools/%,$(filter-out tests/tools/fuzz_replay_main.c,$(TOOL_SRC)))
	@mkdir -p $(dir $@) && touch $@

# ---- sanitizers ----------------------------------------------------------
A := build/asan
asan: $(A)/pktwatch $(A)/pktwatchd $(A)/tests/.stamp

$(A)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC-SAN,$<)
	$(Q)$(CC) $(CFLAGS_ALL) -O1 $(SAN) -c $< -o $@

$(A)/libpktwatch.a: $(call objs,$(A),$(LIB_SRC))
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

$(A)/pktwatch: $(call objs,$(A),$(CLI_SRC)) $(A)/libpktwatch.a
	$(call say,LD,$@)
	$(Q)$(CC) $(SAN) -o $@ $^ $(LDLIBS_ALL)

$(A)/pktwatchd: $(call objs,$(A),$(AGENT_SRC)) $(A)/libpktwatch.a
	$(call say,LD,$@)
	$(Q)$(CC) $(SAN) -o $@ $^ $(LDLIBS_ALL)

$(A)/tests/%: $(A)/obj/tests/unit/%.o $(A)/libpktwatch.a
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(SAN) -o $@ $^ $(LDLIBS_ALL)

$(A)/tools/%: $(A)/obj/tests/tools/%.o $(A)/libpktwatch.a
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(SAN) -o $@ $^ $(LDLIBS_ALL)

# Fuzz targets rebuilt with the sanitizer build and a plain main(), so that
# `make check` replays every seed corpus without clang/libFuzzer.
$(A)/replay/%: $(A)/obj/fuzz/%.o $(A)/obj/tests/tools/fuzz_replay_main.o $(A)/libpktwatch.a
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(SAN) -o $@ $^ $(LDLIBS_ALL)

$(A)/tests/.stamp: $(patsubst tests/unit/%.c,$(A)/tests/%,$(UNIT_SRC)) $(patsubst tests/tools/%.c,$(A)/tools/%,$(filter-out tests/tools/fuzz_replay_main.c,$(TOOL_SRC))) $(patsubst fuzz/%.c,$(A)/replay/%,$(FUZZ_SRC))
	@mkdir -p $(dir $@) && touch $@

# ThreadSanitizer (clang), for the alerts tap's classification worker and
# its queue: not part of `make check`; run `build/tsan/pktwatch alerts FILE`,
# `build/tsan/tests/test_alerts` and `build/tsan/tests/test_spsc` by hand.
T := build/tsan
TSAN := -fsanitize=thread -fno-omit-frame-pointer
tsan: $(T)/pktwatch $(T)/tests/test_alerts $(T)/tests/test_spsc

$(T)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC-TSAN,$<)
	$(Q)$(CLANG) $(CSTD) -Wall -Wextra -Werror -Wno-missing-field-initializers -O1 -g -pthread $(DEFS) $(INC) $(PKG_CFLAGS) $(TSAN) -MMD -MP -c $< -o $@

$(T)/libpktwatch.a: $(call objs,$(T),$(LIB_SRC))
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

$(T)/pktwatch: $(call objs,$(T),$(CLI_SRC)) $(T)/libpktwatch.a
	$(call say,LD,$@)
	$(Q)$(CLANG) $(TSAN) -o $@ $^ $(LDLIBS_ALL)

$(T)/tests/%: $(T)/obj/tests/unit/%.o $(T)/libpktwatch.a
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CLANG) $(TSAN) -o $@ $^ $(LDLIBS_ALL)

# ---- tests ---------------------------------------------------------------
check: release asan
	@bash tests/run.sh $(R) && bash tests/run.sh $(A)

# ---- fuzzing (clang + libFuzzer) -------------------------------------------
F := build/fuzz
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
fuzz: $(patsubst fuzz/%.c,$(F)/%,$(FUZZ_SRC))

$(F)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC-FUZZ,$<)
	$(Q)$(CLANG) $(CSTD) -Wall -Wextra -Werror -Wno-missing-field-initializers -Wno-unused-command-line-argument -O1 -g $(DEFS) $(INC) $(PKG_CFLAGS) $(FUZZ_FLAGS) -MMD -MP -c $< -o $@

$(F)/libpktwatch.a: $(call objs,$(F),$(LIB_SRC))
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

$(F)/fuzz_%: $(F)/obj/fuzz/fuzz_%.o $(F)/libpktwatch.a
	$(call say,LD,$@)
	$(Q)$(CLANG) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS_ALL)

# Runs each fuzz target for FUZZ_SECONDS (default 60) on its seed corpus.
FUZZ_SECONDS ?= 60
fuzz-run: fuzz
	@bash fuzz/run.sh $(F) $(FUZZ_SECONDS)

# ---- benchmark -------------------------------------------------------------
bench: release
	@bash bench/run.sh $(R)

# ---- style -----------------------------------------------------------------
format:
	clang-format -i $(LIB_SRC) $(CLI_SRC) $(AGENT_SRC) $(wildcard src/*/*.h) $(UNIT_SRC) $(FUZZ_SRC)

format-check:
	clang-format --dry-run --Werror $(LIB_SRC) $(CLI_SRC) $(AGENT_SRC) $(wildcard src/*/*.h)

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
