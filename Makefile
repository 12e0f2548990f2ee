# make test is the project's test command: the README names it and .ci/run
# calls it. Keep every check CI must pass in it.
GO ?= go
PKGS ?= ./...

.PHONY: test fmt-check vet unit integration minio bench gobench fuzz lambda

test: fmt-check vet unit integration

fmt-check:
	@out="$$(gofmt -l .)"; \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

# -race on the whole suite; -count=1 so results are never served from cache.
# The MinIO half of the conformance suite needs the server integration
# starts, so it runs there rather than skipping here.
unit:
	$(GO) test -race -count=1 -skip '^TestConformanceMinIO$$' $(PKGS)

# The S3 conformance suite (s3io/conformance_test.go) against localaws and a
# real MinIO on loopback. .ci/minio.sh builds the pinned MinIO into
# $${XDG_CACHE_HOME:-$$HOME/.cache}/wrangler/bin when missing (minutes, once),
# starts it with a temporary data directory on a free port, runs the tests
# with WRANGLER_S3_ENDPOINT and credentials set, and stops it even when they
# fail. MinIO is AGPL and only ever run as a separate test server.
integration:
	GO="$(GO)" .ci/minio.sh run -- $(GO) test -race -count=1 -run '^TestConformance' ./s3io/

# Builds MinIO ahead of time (make test does it when needed).
minio:
	GO="$(GO)" .ci/minio.sh install

# Benchmarks with allocations; peers are measured in the same run so the
# README can quote ratios.
# bench is the side-by-side comparison program (issue 9): every section, one
# run, the ratio table printed and written to bench/RESULTS.md, which the
# README quotes. BENCHFLAGS passes more flags (-only, -repeat, sizes).
BENCHFLAGS ?=
bench:
	$(GO) run ./bench -out bench/RESULTS.md $(BENCHFLAGS)

# gobench runs the packages' own go test benchmarks, allocations reported.
gobench:
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
	./athena:FuzzFormatQuery \
	./s3io:FuzzParseURL \
	./s3io:FuzzCSVReader \
	./s3io:FuzzJSONLinesReader \
	./s3io:FuzzPartitionValue
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$pkg $$name for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

# The Lambda example for provided.al2023 on amd64 and arm64: static
# (CGO_ENABLED=0), without the RPC shim (-tags lambda.norpc), stripped, with
# gRPC's grpcnotrace tag: arrow-go's pqarrow imports arrow/flight, so gRPC is
# linked though never used, and gRPC's golang.org/x/net/trace reaches
# text/template, whose reflect.MethodByName stops the linker from dropping
# unused methods (every operation of the SDK's Glue and S3 clients stayed).
# The tag only removes gRPC's /debug/requests pages. Zips at the best deflate
# level; fails over LAMBDA_LIMIT MiB. Prints each zip's size and the amd64
# process start-to-ready time.
LAMBDA_LIMIT ?= 15
lambda:
	@set -e; for arch in amd64 arm64; do \
		CGO_ENABLED=0 GOOS=linux GOARCH=$$arch $(GO) build -tags lambda.norpc,grpcnotrace -trimpath -ldflags='-s -w' \
			-o bin/lambda-$$arch/bootstrap ./examples/lambda; \
	done
	$(GO) run ./examples/lambda/zipsize -limit $(LAMBDA_LIMIT) bin/lambda-amd64/bootstrap bin/lambda-arm64/bootstrap
