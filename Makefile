# pipec — the Pipe compiler.  `make` builds bin/pipec; `make test` runs every test.
# Settings first; everything generated goes to build/ (never committed).

CC       ?= cc
PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
PIPEC    ?= bin/pipec
OPT      ?= -O2 -g
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wformat=2 -Wvla -Wno-unused-parameter
WERROR   ?=
SAN      ?=
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(WERROR) $(SAN) -MMD -MP \
             -Iruntime -Istdlib -Icompiler -I$(BUILD)/grammar $(CFLAGS)
LIBS     := -ltcc -ldl -lpcre2-8 -ledit -lz -lm
LDFLAGS_ALL = $(SAN) $(LDFLAGS)

RUNTIME_SRC  := $(wildcard runtime/*.c)
STDLIB_SRC   := $(wildcard stdlib/*.c)
COMPILER_SRC := $(wildcard compiler/*.c)
GEN_SRC      := $(BUILD)/grammar/lexer.c $(BUILD)/grammar/parser.c $(BUILD)/embed.c $(BUILD)/symtab.c
LIB_OBJ      := $(patsubst %.c,$(BUILD)/%.o,$(RUNTIME_SRC) $(STDLIB_SRC))
PIPEC_OBJ    := $(patsubst %.c,$(BUILD)/%.o,$(COMPILER_SRC)) $(GEN_SRC:.c=.o)
UNIT_SRC     := $(wildcard tests/unit/test_*.c)
UNIT_BIN     := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
EMBEDDED     := runtime/pipe.h stdlib/pipe_std.h $(RUNTIME_SRC) $(STDLIB_SRC) $(wildcard runtime/*_impl.h)

.PHONY: all deps demo test unit asan valgrind bench bench-records bench-idioms bench-shared bench-sandbox bench-natural fuzz fuzz_smoke install clean
all: $(PIPEC)

deps:
	@sh mk/deps.sh

$(PIPEC): $(PIPEC_OBJ) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDFLAGS_ALL) -rdynamic $(LIBS)

$(BUILD)/lib/libpipert.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/grammar/%.o: $(BUILD)/grammar/%.c Makefile
	$(CC) $(CFLAGS_ALL) -Wno-unused-function -Wno-missing-prototypes -Wno-sign-compare -c -o $@ $<

$(BUILD)/%.o: $(BUILD)/%.c Makefile
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# pattern rules, so that each makes its .c and .h in one run (explicit rules
# with two targets ran bison and flex twice at once under -j)
$(BUILD)/grammar/%.c $(BUILD)/grammar/%.h: grammar/%.y
	@mkdir -p $(dir $@)
	bison -Wall -Werror --defines=$(BUILD)/grammar/$*.h -o $(BUILD)/grammar/$*.c $<

$(BUILD)/grammar/%.c $(BUILD)/grammar/%.h: grammar/%.l $(BUILD)/grammar/parser.h
	flex --header-file=$(BUILD)/grammar/$*.h -o $(BUILD)/grammar/$*.c $<

$(PATSUBST_DUMMY) $(patsubst %.c,$(BUILD)/%.o,$(COMPILER_SRC)): $(BUILD)/grammar/parser.h $(BUILD)/grammar/lexer.h

$(BUILD)/embed.c: mk/embed.sh mk/statics.sh $(EMBEDDED)
	@mkdir -p $(dir $@)
	@clash=$$(sh mk/statics.sh $(RUNTIME_SRC) $(STDLIB_SRC)); if [ -n "$$clash" ]; then \
	    echo "static names defined in two runtime/stdlib files (emit-c pastes them into one):"; \
	    echo "$$clash"; exit 1; fi
	sh mk/embed.sh $(EMBEDDED) > $@

$(BUILD)/symtab.c: mk/symtab.sh runtime/pipe.h stdlib/pipe_std.h
	@mkdir -p $(dir $@)
	sh mk/symtab.sh "$(CC)" runtime/pipe.h stdlib/pipe_std.h > $@

$(BUILD)/tests/%: tests/unit/%.c $(filter-out $(BUILD)/compiler/main.o,$(PIPEC_OBJ)) $(BUILD)/lib/libpipert.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $^ $(LDFLAGS_ALL) -lcmocka $(LIBS)

demo: deps
	$(MAKE) all
	bin/pipec run examples/top_words.pipe --n 5 < examples/top_words.in

# The test suites: each runs one script against $(PIPEC) and ends with a line
# "NAME: N passed, M failed".  perf (callgrind) stays out of asan: valgrind and
# the sanitizers don't mix.
SUITES      := golden diff edge inputs stats graph repl fmt spec cli sort_spill sort_diff trace faults exec sandbox safe records_diff regex_diff numfmt_diff lists_diff join_diff reference opt_diff idioms native lint
ALL_SUITES  := $(SUITES) editors perf
# phony here, after ALL_SUITES is set (editors is also a folder: a .PHONY line
# read before the list was defined left it, and every suite, a plain file target)
.PHONY: $(ALL_SUITES)
suite_script = $(if $(filter editors,$1),editors/tests/run.sh,$(if $(filter perf,$1),tests/perf/run.sh,tests/run_$1.sh))

test: deps
	$(MAKE) all unit $(ALL_SUITES) fuzz_smoke

unit: $(UNIT_BIN)
	@sh tests/run_unit.sh $(UNIT_BIN)

$(ALL_SUITES): $(PIPEC)
	@PIPEC=$(PIPEC) sh $(call suite_script,$@)

ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
asan:
	$(MAKE) BUILD=build/asan PIPEC=build/asan/pipec SAN="$(ASAN_FLAGS)" OPT="-O1 -g" unit $(SUITES)

# ThreadSanitizer over the unit tests, test_two_runs among them (two runs at
# once in one process, on two threads); TSan and ASan do not mix: own build.
TSAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer
.PHONY: tsan
tsan:
	$(MAKE) BUILD=build/tsan PIPEC=build/tsan/pipec SAN="$(TSAN_FLAGS)" OPT="-O1 -g" unit

# memcheck over the unit tests and every suite that runs pipec (about an hour;
# VG_SUITES picks suites): see tests/run_valgrind.sh
valgrind: $(UNIT_BIN) $(PIPEC)
	@PIPEC=$(PIPEC) sh tests/run_valgrind.sh $(UNIT_BIN)

# bench/run.sh, then the records benchmark and the idioms (each also when one before failed)
bench: all
	@PIPEC=$(PIPEC) BUILD=$(BUILD) sh bench/run.sh; s=$$?; \
	PIPEC=$(PIPEC) BUILD=$(BUILD) sh bench/records.sh || s=1; \
	PIPEC=$(PIPEC) BUILD=$(BUILD) sh bench/idioms.sh || s=1; exit $$s

# Every formulation of every task of bench/idioms/, built and run, next to its awk/coreutils
# reference (IDIOMS_MB=20 for a quick run; IDIOMS picks tasks): bench/idioms.sh
bench-idioms: all
	@PIPEC=$(PIPEC) BUILD=$(BUILD) sh bench/idioms.sh

# CSV, TSV and JSON Lines tasks next to Miller, Python, pandas, datamash, jq, gojq
# and DuckDB on 1 GiB inputs (RECORDS_MB=20 for a quick run; not in test)
bench-records: all
	@PIPEC=$(PIPEC) BUILD=$(BUILD) sh bench/records.sh

# The shared harness (../shared/bench) with pipec's binaries beside its
# references, on an idle machine (~14 min; not in test): bench/shared.sh
bench-shared: all
	@PIPEC=$(PIPEC) sh bench/shared.sh

# The shared workloads written as LANGUAGE.md writes them (split and index)
# beside the field() forms and the hand-written C, in one run: bench/natural.sh
bench-natural: all
	@PIPEC=$(PIPEC) sh bench/natural.sh

# What --sandbox costs: three workloads built with and without it (not in test).
bench-sandbox: all
	@PIPEC=$(PIPEC) BUILD=$(BUILD) sh bench/sandbox.sh

# libFuzzer (clang, ASan, UBSan) on the front end (fuzz_parse: bytes through
# parse, check and C emission), on the input path (fuzz_input: bytes on
# stdin through the line reader into the pipelines of tests/fuzz/pipes/), on
# safe mode's opens (fuzz_path: trees of links checked against openat2) and on
# the record readers (fuzz_records: bytes on stdin into csv, tsv or json of a
# fixed record type, then a writer).
# `make fuzz` runs each for FUZZ_SECONDS, one process, on corpora seeded in
# $(FUZZ_DIR); findings land in $(FUZZ_DIR)/artifacts/.  fuzz_smoke (in
# `make test`) replays the seeds and tests/fuzz/regress/ once.  Keep the order
# of FUZZ_PIPES: an input's first byte picks a pipeline by its index.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= parse input path records
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS   = -std=c11 -D_GNU_SOURCE -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP \
                -Iruntime -Istdlib -Icompiler -I$(BUILD)/grammar -I$(FUZZ_DIR)/pipes
FUZZ_PIPES   := cat grep_f grep text numbers aggregate sort fanin proc runs lang9
FUZZ_LIB_OBJ := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(RUNTIME_SRC) $(STDLIB_SRC))
FUZZ_FE_OBJ  := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(filter-out compiler/main.c,$(COMPILER_SRC)) $(GEN_SRC))
FUZZ_BINS    := $(FUZZ_DIR)/fuzz_parse $(FUZZ_DIR)/fuzz_input $(FUZZ_DIR)/fuzz_path $(FUZZ_DIR)/fuzz_records
HAVE_CLANG   := $(shell command -v $(FUZZ_CC) 2>/dev/null)

$(FUZZ_DIR)/obj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(WARN) $(WERROR) -c -o $@ $<

$(FUZZ_DIR)/obj/$(BUILD)/%.o: $(BUILD)/%.c Makefile
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_DIR)/pipes/fuzz_pipes.h: tests/fuzz/emit_pipes.sh $(FUZZ_PIPES:%=tests/fuzz/pipes/%.pipe) $(PIPEC)
	sh tests/fuzz/emit_pipes.sh $(PIPEC) $(FUZZ_DIR)/pipes $(FUZZ_PIPES:%=tests/fuzz/pipes/%.pipe)

$(FUZZ_PIPES:%=$(FUZZ_DIR)/pipes/%.c): $(FUZZ_DIR)/pipes/fuzz_pipes.h ;

$(FUZZ_DIR)/obj/tests/fuzz/fuzz_input.o: $(FUZZ_DIR)/pipes/fuzz_pipes.h

# the front end includes the generated parser.h and lexer.h: made first
$(FUZZ_FE_OBJ) $(FUZZ_DIR)/obj/tests/fuzz/fuzz_parse.o: $(BUILD)/grammar/parser.h $(BUILD)/grammar/lexer.h

$(FUZZ_DIR)/fuzz_parse: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_parse.o $(FUZZ_FE_OBJ) $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LIBS)

$(FUZZ_DIR)/fuzz_input: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_input.o \
                        $(FUZZ_PIPES:%=$(FUZZ_DIR)/obj/$(FUZZ_DIR)/pipes/%.o) $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ -lpcre2-8 -lz -lm

$(FUZZ_DIR)/fuzz_path: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_path.o $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ -lpcre2-8 -lz -lm

$(FUZZ_DIR)/fuzz_records: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_records.o $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ -lpcre2-8 -lz -lm

fuzz: $(FUZZ_BINS)
	@FUZZ_DIR=$(FUZZ_DIR) FUZZ_NPIPES=$(words $(FUZZ_PIPES)) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TARGETS="$(FUZZ_TARGETS)" sh tests/fuzz/run.sh fuzz

fuzz_smoke:
ifeq ($(HAVE_CLANG),)
	@if [ "$$CI" = true ]; then echo "fuzz_smoke: FAIL: cannot run under CI=true: no $(FUZZ_CC)"; exit 1; fi
	@echo "fuzz_smoke: skipped: no $(FUZZ_CC) (apt-get install clang; make deps does)"
else
	@$(MAKE) --no-print-directory $(FUZZ_BINS)
	@FUZZ_DIR=$(FUZZ_DIR) FUZZ_NPIPES=$(words $(FUZZ_PIPES)) sh tests/fuzz/run.sh replay
endif

install: $(PIPEC)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(PIPEC) $(DESTDIR)$(PREFIX)/bin/pipec
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 docs/pipec.1 $(DESTDIR)$(PREFIX)/share/man/man1/pipec.1
	install -m 644 completion/pipec.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/pipec

clean:
	rm -rf build bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
