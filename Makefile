# make test is the project's test command: the README names it and .ci/run
# calls it. Keep every check CI must pass in it.
GO ?= go
PKGS ?= ./...

.PHONY: test fmt-check vet unit bench fuzz

test: fmt-check vet unit

fmt-check:
	@out="$$(gofmt -l .)"; \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

# -race on the whole suite; -count=1 so results are never served from cache.
unit:
	$(GO) test -race -count=1 $(PKGS)

# Benchmarks with allocations; peers are measured in the same run so the
# README can quote ratios.
bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

# Runs each fuzz target for FUZZTIME (the seed corpora in testdata/fuzz run
# in make test already). Go fuzzes one target per run, hence the loop.
FUZZTIME ?= 30s
FUZZ_TARGETS ?= \
	./retry:FuzzParseStepFunctionsRetry \
	./glue:FuzzArrowType \
	./localaws:FuzzGlueExpression \
	./localaws:FuzzAthenaTranslate \
	./athena:FuzzArrowType \
	./athena:FuzzResultCSV \
	./athena:FuzzFormatQuery
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$pkg $$name for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) $$pkg; \
	done
