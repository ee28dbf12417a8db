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
LIBS     := -ltcc -ldl -lpcre2-8 -ledit -lm
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

.PHONY: all deps demo test unit $(ALL_SUITES) asan valgrind bench fuzz install clean
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

$(BUILD)/grammar/parser.c $(BUILD)/grammar/parser.h: grammar/parser.y
	@mkdir -p $(dir $@)
	bison -Wall -Werror --defines=$(BUILD)/grammar/parser.h -o $(BUILD)/grammar/parser.c $<

$(BUILD)/grammar/lexer.c $(BUILD)/grammar/lexer.h: grammar/lexer.l $(BUILD)/grammar/parser.h
	flex --header-file=$(BUILD)/grammar/lexer.h -o $(BUILD)/grammar/lexer.c $<

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
SUITES      := golden diff edge stats graph repl fmt spec cli sort_spill faults
ALL_SUITES  := $(SUITES) editors perf
suite_script = $(if $(filter editors,$1),editors/tests/run.sh,$(if $(filter perf,$1),tests/perf/run.sh,tests/run_$1.sh))

test: deps
	$(MAKE) all unit $(ALL_SUITES)

unit: $(UNIT_BIN)
	@sh tests/run_unit.sh $(UNIT_BIN)

$(ALL_SUITES): $(PIPEC)
	@PIPEC=$(PIPEC) sh $(call suite_script,$@)

ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
asan:
	$(MAKE) BUILD=build/asan PIPEC=build/asan/pipec SAN="$(ASAN_FLAGS)" OPT="-O1 -g" unit $(SUITES)

# memcheck over the unit tests and the spec and cli suites (a few minutes)
valgrind: $(UNIT_BIN) $(PIPEC)
	@PIPEC=$(PIPEC) sh tests/run_valgrind.sh $(UNIT_BIN)

bench: all
	@PIPEC=$(PIPEC) BUILD=$(BUILD) sh bench/run.sh

# libFuzzer on the front end (parse, check, emit): FUZZ_SECONDS per run,
# seeded with every .pipe in the repository; crashes land in build/fuzz/.
FUZZ_SECONDS ?= 60
FUZZ_SRC := $(filter-out compiler/main.c,$(COMPILER_SRC)) $(RUNTIME_SRC) $(STDLIB_SRC)
fuzz: $(GEN_SRC)
	@mkdir -p build/fuzz/corpus
	cp examples/*.pipe examples/lib/*.pipe tests/golden/*.pipe tests/errors/*.pipe build/fuzz/corpus/
	clang -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer,address,undefined -Iruntime -Istdlib -Icompiler \
	    -I$(BUILD)/grammar -o build/fuzz/fuzz_parse tests/fuzz/fuzz_parse.c $(FUZZ_SRC) $(GEN_SRC) $(LIBS)
	cd build/fuzz && ./fuzz_parse -max_total_time=$(FUZZ_SECONDS) -max_len=4096 corpus

install: $(PIPEC)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(PIPEC) $(DESTDIR)$(PREFIX)/bin/pipec
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 docs/pipec.1 $(DESTDIR)$(PREFIX)/share/man/man1/pipec.1
	install -m 644 completion/pipec.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/pipec

clean:
	rm -rf build bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
