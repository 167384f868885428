# sigv4kit: `make test` is the one test command (CI runs it through .ci/run).
#
# The AWS test suites are transcribed in internal/suites/testdata; the
# tests compare that transcription with $(SIGV4_TESTDATA), by default
# ../shared/testdata next to this checkout, when it exists.

SHELL := /bin/bash
GO ?= go
export SIGV4_TESTDATA ?= $(abspath ../shared/testdata)
STATICCHECK_VERSION := v0.8.2
TOOLS := $(CURDIR)/.cache/tools
CACHE ?= $(HOME)/.cache/sigv4kit

.PHONY: test check fmt vet staticcheck unit compat e2e bench fuzz

## test: everything CI checks: format, vet, staticcheck, unit tests with -race, compat and e2e
test: check unit compat e2e

check: fmt vet staticcheck

fmt:
	@out=$$(gofmt -l . ); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
	cd compat && $(GO) vet ./... && $(GO) vet -tags e2e ./...

staticcheck: $(TOOLS)/staticcheck
	$(TOOLS)/staticcheck ./...
	cd compat && $(TOOLS)/staticcheck ./...

$(TOOLS)/staticcheck:
	GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

## unit: the main module's tests, with the race detector, then the
## allocation budgets (which -race's instrumentation would inflate)
unit:
	$(GO) test -race -count=1 ./...
	$(GO) test -count=1 -run 'AllocationBudget' ./sigv4/ ./presign/

## compat: differential tests against aws-sdk-go-v2 and the other anchors,
## then the cross-language one (botocore, @smithy/signature-v4; its setup
## installs node's packages and finds botocore), verbose for its counts
compat:
	cd compat && $(GO) test -count=1 $$($(GO) list ./... | grep -v '/compat/xlang$$')
	CACHE=$(CACHE) bash compat/scripts/xlang-setup.sh
	cd compat && SIGV4_REQUIRE_XLANG=1 $(GO) test -count=1 -v ./xlang/

## e2e: end-to-end tests against a real versitygw on 127.0.0.1, and real
## clients (AWS CLI, @aws-sdk/client-s3 with node, whose package the setup
## installs) against objectserver -tls (compat/e2e/streaming)
e2e:
	CACHE=$(CACHE) bash compat/scripts/streaming-setup.sh
	CACHE=$(CACHE) bash compat/scripts/e2e.sh

## bench: side-by-side benchmarks with benchstat and ratios
bench:
	CACHE=$(CACHE) bash compat/scripts/bench.sh

## fuzz: run each fuzz target for a short while
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime 20000x $$pkg || exit 1; \
	  done; \
	done
