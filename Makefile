# Backchannel. `make dev` runs the chat on this machine; `make test` tests
# everything. Needs Go, Node.js 20+, Java 17+ and Maven (see README.md).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules --no-print-directory

GO ?= go
NPM ?= npm
# Follow go.mod's toolchain line (a patched Go, fetched once through the
# module proxy) even where the installed Go defaults to GOTOOLCHAIN=local.
export GOTOOLCHAIN ?= auto

# Fragments of infra/ and web/ add to these: TEST_TARGETS run after the Go
# tests in `make test`, DEV_DEPS before `make dev` (say, building web/dist).
TEST_TARGETS :=
DEV_DEPS :=

-include infra/infra.mk web/web.mk scripts/scripts.mk

# Lambda functions: every functions/<name>/main.go, built for arm64.
FUNCTIONS := $(patsubst functions/%/main.go,%,$(wildcard functions/*/main.go))
BUILD_DIR := build
LAMBDA_ENV := GOOS=linux GOARCH=arm64 CGO_ENABLED=0
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags "-s -w"

.PHONY: help dev test build deps deps-node deps-dynamodb deps-browser clean localstack deps-localstack test-localstack localstack-template $(FUNCTIONS:%=build-%)

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sort | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# Built, then run (not `go run`, which exits 1 on Ctrl-C whatever the
# program does).
dev: deps $(DEV_DEPS) ## run the chat locally (DEV_ARGS="--data .data --port 8080")
	$(GO) build -o $(BUILD_DIR)/dev ./scripts/dev
	exec $(BUILD_DIR)/dev $(DEV_ARGS)

# The CDK app's tests run once, in test-infra (infra/infra.mk), with cdk-nag
# and cfn-lint.
test: deps ## vet, then every Go test against the emulators, then the fragments' tests
	$(GO) vet ./...
	$(GO) run ./scripts/testenv -- $(GO) test -count=1 -timeout 30m $$($(GO) list ./... | grep -v -e '/infra$$' -e '/infra/')
	$(if $(strip $(TEST_TARGETS)),$(MAKE) $(TEST_TARGETS))

# LocalStack on the host, no Docker (docs/LOCALSTACK.md): pinned in
# scripts/localstack/requirements.txt, installed once into .cache/localstack/.
LOCALSTACK_PORT ?= 4566

localstack: deps-dynamodb ## run LocalStack on 127.0.0.1:$(LOCALSTACK_PORT) until Ctrl-C (no Docker; needs Python 3.13)
	$(GO) build -o $(BUILD_DIR)/localstack ./scripts/localstack
	exec $(BUILD_DIR)/localstack --port $(LOCALSTACK_PORT)

# The Go tests (the integration ones against LocalStack's DynamoDB, its
# streams, its S3 with signatures checked and its EventBridge; Cognito stays
# cognito-local, which the free edition lacks), the template among them
# (scripts/cfn-localstack: cdk.out, filtered, deployed through its
# CloudFormation). `.ci/run` runs it after `make test`. The integration
# package takes about 10 min against LocalStack here (3.5 against the
# emulators), past go test's default 10 min timeout: hence -timeout.
# In internal/integration only the tests that cross a service other than
# DynamoDB (S3, SQS, the stream and EventBridge, Scheduler, SES, Secrets
# Manager) or the core message flows run here: the DynamoDB adapter's whole
# contract runs against LocalStack in internal/dynamo, and the whole
# integration package (20 min against LocalStack, about 6 against the
# emulators) runs in `make test`. docs/LOCALSTACK.md "Time".
LOCALSTACK_INTEGRATION := ^Test(Messaging|ResumeConverges|ConversationActions|ThreadOverTheStack|PollsOverTheGateway|FileSharing|AvatarPicture|DeletedMessageFilesLeaveTheBucket|BigRoomFanoutGoesThroughTheQueue|WebPushToHiddenTab|LinkPreviews|StreamPublishesMessageEvents|SearchOverTheStream|MissedMentionIsMailedOnceAndUnsubscribeStopsIt|ScheduledMessagesAndReminders|GifsOverTheLocalStack)$$

test-localstack: deps deps-localstack localstack-template ## the adapter tests, the integration tests that cross AWS services, and the template against LocalStack (started and stopped here)
	$(GO) run ./scripts/localstack --port 0 -- \
	  $(GO) run ./scripts/testenv -- sh -c '$(GO) test -count=1 -timeout 30m -run "$(LOCALSTACK_INTEGRATION)" ./internal/integration/ & i=$$!; \
	    $(GO) test -count=1 -timeout 30m $$($(GO) list ./... | grep -v -e "/infra$$" -e "/infra/" -e "/internal/integration$$"); o=$$?; \
	    wait $$i; i=$$?; exit $$((o | i))'

# The synthesized template: cdk.out's (make synth to refresh), else the one
# `make test` (test-infra) wrote, else make synth now.
localstack-template:
	@[ -n "$(wildcard cdk.out/*.template.json .cache/infra-templates/default.template.json)" ] || $(MAKE) synth

deps-localstack: deps-dynamodb ## LocalStack's virtual environment into .cache/localstack (a no-op once there)
	$(GO) run ./scripts/localstack --prepare

build: $(FUNCTIONS:%=build-%) ## build every function to build/<name>/bootstrap and build/<name>.zip
	@for f in $(FUNCTIONS); do \
	  printf '  %-12s bootstrap %6s   zip %6s\n' "$$f" \
	    "$$(numfmt --to=iec --suffix=B $$(stat -c %s $(BUILD_DIR)/$$f/bootstrap))" \
	    "$$(numfmt --to=iec --suffix=B $$(stat -c %s $(BUILD_DIR)/$$f.zip))"; \
	done

# The bootstrap's time is pinned and zip -X drops extra attributes, so an
# unchanged function gives a byte-identical zip (and CDK asset hash).
$(FUNCTIONS:%=build-%): build-%:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(BUILD_DIR)/$*/bootstrap ./functions/$*
	@touch -t 198001010000 $(BUILD_DIR)/$*/bootstrap
	@rm -f $(BUILD_DIR)/$*.zip && zip -q -X -j $(BUILD_DIR)/$*.zip $(BUILD_DIR)/$*/bootstrap

deps: deps-node deps-dynamodb ## fetch the tools (npm ci, DynamoDB Local from Maven Central), once

deps-node: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

deps-dynamodb: ## DynamoDB Local into .cache/dynamodb-local (a no-op once there)
	$(GO) run ./scripts/testenv --prepare

# The emoji font makes screenshots show what users' browsers show.
deps-browser: ## Chromium (and an emoji font) for the browser tests, from Debian, if missing
	@if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/truetype/noto ]; then \
	  sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y --no-install-recommends chromium fonts-noto-color-emoji; \
	fi

clean: ## remove build output (keeps the caches: rm -rf .cache node_modules for those)
	rm -rf $(BUILD_DIR) cdk.out
