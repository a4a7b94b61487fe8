# scripts/scripts.mk: checks beyond the unit tests, included by the root
# Makefile; `make test` runs the short ones (TEST_TARGETS).
#
#   make fuzz-short      every Go fuzz target for FUZZTIME (5s) each
#   make fuzz            the same for FUZZTIME=5m (a long run)
#   make vulncheck       govulncheck over the Go code (needs the vuln DB)
#   make npm-audit       npm audit of both lockfiles (needs the audit endpoint)
#   make loadtest-small  the load and chaos test's small configuration
#   make loadtest        the large one (LOADTEST_ARGS to change it)
#   make restore-drill   restore the table into a new one and check it (docs/OPERATIONS.md)
#   make erasure-replay  after a restore, queue again the erasures made after the restore point
#   make widget-tti      the support widget's time to interactive on throttled connections

LOADTEST_BIN         = $(BUILD_DIR)/loadtest
LOADTEST_SMALL_ARGS ?= -clients 50 -rooms 5 -messages 2000 -rate 80 -kill-every 500ms -timeout 5m
LOADTEST_ARGS       ?= -clients 200 -rooms 20 -messages 20000 -rate 150 -kill-every 250ms -timeout 20m
FUZZTIME            ?= 5s

TEST_TARGETS += fuzz-short vulncheck npm-audit loadtest-small

.PHONY: widget-tti fuzz fuzz-short vulncheck npm-audit loadtest loadtest-small loadtest-bin restore-drill erasure-replay

fuzz-short: ## run every Go fuzz target for FUZZTIME (default 5s) each
	FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

fuzz: ## long fuzz run: every Go fuzz target for 5 minutes (FUZZTIME=...), and the formatting property test with 200,000 inputs
	FUZZTIME=$(if $(filter 5s,$(FUZZTIME)),5m,$(FUZZTIME)) scripts/fuzz.sh
	$(MAKE) web-deps
	cd $(WEB_DIR) && FORMAT_FUZZ_RUNS=200000 npx vitest run test/ui/format.fuzz.test.ts

vulncheck: ## govulncheck (pinned in tools/govulncheck) over functions/, internal/, scripts/; skipped when no vuln DB is reachable
	scripts/vulncheck.sh --self-test
	scripts/vulncheck.sh

npm-audit: deps-node web-deps ## npm audit of the root and web/ lockfiles; skipped when the audit endpoint does not answer
	scripts/npm-audit.sh --self-test
	scripts/npm-audit.sh

loadtest-bin:
	$(GO) build -o $(LOADTEST_BIN) ./scripts/loadtest

loadtest-small: deps loadtest-bin ## the load and chaos test, small: 50 clients, 5 rooms, 2,000 messages, forced disconnects
	$(LOADTEST_BIN) $(LOADTEST_SMALL_ARGS)

loadtest: deps loadtest-bin ## the load and chaos test, large (LOADTEST_ARGS="-clients 200 -rooms 20 -messages 20000 ...")
	$(LOADTEST_BIN) $(LOADTEST_ARGS)

# The restore drill (docs/OPERATIONS.md "The restore drill"): AWS credentials
# of the account, e.g. RESTORE_DRILL_ARGS="-table Backchannel-TableXYZ -delete";
# against `make dev`'s DynamoDB Local add -mode copy and set AWS_ENDPOINT_URL_DYNAMODB.
RESTORE_DRILL_ARGS ?=
restore-drill: ## restore the table to a point in time into a new table and check it (RESTORE_DRILL_ARGS="-table NAME -delete")
	$(GO) run ./scripts/restore-drill $(RESTORE_DRILL_ARGS)

# After a table restore (docs/OPERATIONS.md "Erasure and backups"):
# ERASURE_REPLAY_ARGS="-table T -user-pool-id P -queue-url Q [-dry-run]".
ERASURE_REPLAY_ARGS ?=
erasure-replay: ## queue again the erasures made after a restore point (ERASURE_REPLAY_ARGS="-table T -user-pool-id P -queue-url Q -dry-run")
	$(GO) run ./scripts/erasure-replay $(ERASURE_REPLAY_ARGS)

WIDGET_TTI_ARGS ?=
widget-tti: deps deps-browser web-build ## the support widget's time to interactive on the demo site, throttled (Slow 4G, Fast 3G), in ms (WIDGET_TTI_ARGS="--url http://127.0.0.1:8081/ --runs 5")
	node scripts/widget-tti/tti.mjs $(WIDGET_TTI_ARGS)
