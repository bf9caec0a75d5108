# Candor: the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)
SWIFT ?= swift
DEMO_OUT ?= demo-out
CANDOR_REL = .build/release/candor

.PHONY: demo test test-flags build release clean bench

build:
	./scripts/setup.sh
	$(SWIFT) build

release:
	./scripts/setup.sh
	$(SWIFT) build -c release

# Installs what is missing, builds, and analyses the sample interview.
demo: release
	./scripts/demo.sh $(CANDOR_REL) $(DEMO_OUT)

# Installs what the tests need and runs the whole suite.
test:
	./scripts/setup-test.sh
	$(SWIFT) build --build-tests
	url=$$(./scripts/start-postgres.sh) && CANDOR_TEST_PG_URL="$${CANDOR_TEST_PG_URL:-$$url}" $(SWIFT) test

# The held-out real-speech flag test (about ten minutes on two cores; not part of `make test`).
test-flags:
	./scripts/setup-test.sh
	$(SWIFT) build --build-tests
	CANDOR_REAL_FLAG_TESTS=1 $(SWIFT) test --filter RealSpeechFlagTests

bench: release
	./benchmarks/compare.sh

clean:
	rm -rf .build $(DEMO_OUT)
