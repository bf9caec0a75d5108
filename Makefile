# Candor: the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)
SWIFT ?= swift
DEMO_OUT ?= demo-out
CANDOR_REL = .build/release/candor

.PHONY: demo serve-demo openapi test test-flags test-chaos test-netns build release clean bench format-check format

build:
	./scripts/setup.sh
	$(SWIFT) build

release:
	./scripts/setup.sh
	$(SWIFT) build -c release

# Installs what is missing, builds, and analyses the sample interview.
demo: release
	./scripts/demo.sh $(CANDOR_REL) $(DEMO_OUT)

# The service on http://127.0.0.1:8080 with demo accounts (see README: Service).
serve-demo: release
	./scripts/serve-demo.sh $(CANDOR_REL)

# Regenerates docs/openapi.json and the copy the server serves from scripts/openapi.py.
openapi:
	python3 scripts/openapi.py

# The code under the format check (.swift-format): every Swift source, test and example.
FORMAT_PATHS = Sources Tests Examples

format-check:
	$(SWIFT) format lint --strict --configuration .swift-format --recursive $(FORMAT_PATHS)

format:
	$(SWIFT) format format --in-place --configuration .swift-format --recursive $(FORMAT_PATHS)

# Installs what the tests need, checks the format and runs the whole suite.
test: format-check
	./scripts/setup-test.sh
	$(SWIFT) build --build-tests
	url=$$(./scripts/start-postgres.sh) && CANDOR_TEST_PG_URL="$${CANDOR_TEST_PG_URL:-$$url}" $(SWIFT) test
	$(AS_ROOT) ./scripts/netns-cluster.sh .build/debug/candor || [ $$? -eq 77 ]

# The README's several-machines recipe in network namespaces (needs root, or sudo without a
# password; about 1.5 minutes; also run by `make test`, which takes its exit 77 "skipped" as a pass).
test-netns:
	./scripts/setup-test.sh
	$(SWIFT) build --product candor
	$(AS_ROOT) ./scripts/netns-cluster.sh .build/debug/candor

# Root for the network-namespace script: nothing as root, `sudo -n` where sudo asks no password.
AS_ROOT = $$([ "$$(id -u)" -eq 0 ] || ! sudo -n true 2>/dev/null || echo sudo -n)

# The development real-speech flag sets, Keele and Fish Fillets NG (about 25 minutes on two cores;
# not part of `make test`, which runs the held-out set in HeldOutFlagTests).
test-flags:
	./scripts/setup-test.sh
	$(SWIFT) build --build-tests
	CANDOR_REAL_FLAG_TESTS=1 $(SWIFT) test --filter 'RealSpeechFlagTests|DevelopmentFlagTests'

# The database chaos test with 10 repetitions (about 3 to 4 minutes; `make test` runs 2).
test-chaos:
	./scripts/setup-test.sh
	$(SWIFT) build --build-tests
	url=$$(./scripts/start-postgres.sh) && CANDOR_TEST_PG_URL="$${CANDOR_TEST_PG_URL:-$$url}" CANDOR_CHAOS_REPS=10 \
		$(SWIFT) test --skip-build --filter ChaosTests

bench: release
	./benchmarks/compare.sh

clean:
	rm -rf .build $(DEMO_OUT)
