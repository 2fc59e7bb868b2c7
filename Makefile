# The two commands of the README. Both install what is missing first.
BUILD ?= build
JOBS ?= $(shell nproc)
DB ?= storyline.db

PREFIX ?= /usr/local
TRIALS ?= 200
POLL_TRIALS ?= 50
CRASH_ARTICLES ?= 3000
CRASH_BATCH ?= 500
CRASH_SEED ?= 42

LISTEN ?= 127.0.0.1:8080

.PHONY: all deps deps-demo bin build lexicon demo cluster-demo serve screenshots test install crash-test fuzz clean format

all: build

deps:
	@scripts/install-deps test

deps-demo:
	@scripts/install-deps demo

# What the demo needs: the binary and the lexicon (no tests, no benchmarks).
bin: deps-demo
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DSTORYLINE_TESTS=OFF -DSTORYLINE_BENCH=OFF >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target storyline
	@$(MAKE) --no-print-directory lexicon

# Everything: the binary, the tests, the benchmarks.
build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DSTORYLINE_TESTS=ON -DSTORYLINE_BENCH=ON >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)
	@$(MAKE) --no-print-directory lexicon

# The pivot lexicon, from the FreeDict dictionaries installed by deps. Rebuilt
# when the code or data that shape its keys (stems, stop words) change.
LEXICON ?= models/pivot.lex
# The engine reads models/pivot.lex (or $$STORYLINE_LEXICON); without it,
# stories still link across languages on names and numbers (with a warning).
lexicon:
	@if [ ! -x $(BUILD)/storyline ]; then echo "make lexicon: build first (make build)" >&2; exit 2; fi
	@if [ ! -f $(LEXICON) ] || [ -n "$$(find src/signals src/lexicon data/stopwords /usr/share/dictd \
	    -newer $(LEXICON) -print -quit 2>/dev/null)" ]; then \
	  echo "building $(LEXICON) from FreeDict (about 15 s)"; \
	  $(BUILD)/storyline lexicon build --out $(LEXICON) >/dev/null || \
	    echo "warning: no pivot lexicon built (are the dict-freedict-* packages installed?)" >&2; \
	fi

demo: bin
	@rm -f $(DB) $(DB)-wal $(DB)-shm
	$(BUILD)/storyline --db $(DB) ingest examples/articles
	@echo
	$(BUILD)/storyline --db $(DB) stories
	@echo
	$(BUILD)/storyline --db $(DB) entities --limit 10
	@echo
	@echo "One story, with its headline, bullets, who said what, figures and sources:"
	@echo "  $(BUILD)/storyline --db $(DB) story ID [--lang en] [--json]"
	@echo
	@echo "The web page: run"
	@echo "  make serve        # or: $(BUILD)/storyline --db $(DB) serve --listen $(LISTEN)"
	@echo "and open http://$(LISTEN)/ (JSON API: http://$(LISTEN)/api/stories; docs/api.md)"

# The web page, the JSON API and the feeds over $(DB), until Ctrl-C.
serve: bin
	@if [ ! -f $(DB) ]; then $(BUILD)/storyline --db $(DB) ingest -q examples/articles; fi
	@echo "open http://$(LISTEN)/  (Ctrl-C stops)"
	$(BUILD)/storyline --db $(DB) serve --listen $(LISTEN)

# The screenshots in docs/screenshots (taken by the browser test, chromium).
screenshots: build
	STORYLINE_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BUILD)/storyline_tests --gtest_filter='BrowserTest.Screenshots'

# The distributed mode on this machine (PostgreSQL + NATS JetStream, two
# workers, a clusterer, a server): ingests examples/, prints the stories and
# checks they equal the embedded mode's. Everything it starts, it stops.
cluster-demo: build
	@BIN=$(BUILD)/storyline scripts/cluster-demo

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Installs the binary, its data and models under $(PREFIX) (bin/, share/storyline/).
install: bin
	cmake --install $(BUILD) --prefix $(PREFIX)

# Long crash tests (issue 10): SIGKILL `storyline ingest` (CRASH_ARTICLES
# articles, a commit every CRASH_BATCH) and `storyline poll` (loopback feeds)
# at TRIALS random moments each; check the store after every kill; the re-run
# must equal an uninterrupted run. Trial lines go to stderr (replay one with
# --only-trial I); figures to $(BUILD)/crash-*.json.
crash-test: build
	@rc=0; \
	$(BUILD)/storyline_crash --trials $(TRIALS) --articles $(CRASH_ARTICLES) --batch-size $(CRASH_BATCH) \
	  --seed $(CRASH_SEED) --json > $(BUILD)/crash-ingest.json || rc=1; \
	$(BUILD)/storyline_crash --poll --trials $(POLL_TRIALS) --seed $(CRASH_SEED) \
	  --json > $(BUILD)/crash-poll.json || rc=1; \
	exit $$rc

# libFuzzer smoke run of every fuzz target (FUZZ_SECONDS each).
FUZZ_SECONDS ?= 60
fuzz: deps
	@cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
	  -DSTORYLINE_FUZZ=ON -DSTORYLINE_TESTS=OFF -DSTORYLINE_BENCH=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
	@scripts/run-fuzzers build-fuzz $(FUZZ_SECONDS)

format:
	@clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'bench/*.cc' 'fuzz/*.cc')

clean:
	rm -rf $(BUILD)
