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

# Runs each fuzz target for FUZZTIME (seed corpora in testdata/fuzz are run
# by make test already).
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParseStepFunctionsRetry$$' -fuzztime $(FUZZTIME) ./retry
