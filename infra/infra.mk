# infra/infra.mk: the CDK app's targets, included by the root Makefile.
#
#   make synth        offline synth into cdk.out (no AWS credentials needed)
#   make deploy       build functions (+ web), then cdk deploy (real credentials)
#   make destroy      cdk destroy (FORCE=1 skips the prompt)
#   make test-infra   Go tests (assertions, cdk-nag AwsSolutions, idle cost),
#                     cdk-nag ServerlessChecks (npm, infra/nag) and cfn-lint
#
# Extra CLI arguments go in CDK_ARGS, e.g. CDK_ARGS='-c stage=beta'.

INFRA_BIN       := .cache/bin/infra
INFRA_TEST_BIN  := .cache/bin/chatstack.test
INFRA_VENV      := .cache/cfn-lint-venv
INFRA_LINT_DIR  := .cache/infra-templates
INFRA_DUMMY     := .cache/infra-dummy-build
# The functions the stack deploys (chatstack.FunctionNames()).
INFRA_FUNCTIONS := authorizer connection actions thumbnail stream fanout pushsender vapidkeys digest unsubscribe
INFRA_CDK       := node_modules/.bin/cdk
CDK_OUT         ?= cdk.out
INFRA_ASSET_DIR ?= build
CDK_ARGS        ?=

# Go sources the app and its tests compile from (beyond the module cache).
INFRA_GO_SRC := $(shell find infra internal/protocol internal/dynamo internal/chat -name '*.go' 2>/dev/null) go.mod go.sum

# jsii prints Node end-of-life banners and deprecation notices: noise only.
INFRA_QUIET := JSII_DEPRECATED=quiet JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION=1
# Offline synth: a fixed dummy environment when none is set, no IMDS probing,
# no notices or telemetry from the CLI.
INFRA_OFFLINE := $(INFRA_QUIET) AWS_EC2_METADATA_DISABLED=true \
	CDK_DEFAULT_ACCOUNT=$${CDK_DEFAULT_ACCOUNT:-123456789012} CDK_DEFAULT_REGION=$${CDK_DEFAULT_REGION:-us-east-1}
CDK_OFFLINE_FLAGS := --no-notices --no-version-reporting

TEST_TARGETS += test-infra

.PHONY: synth deploy destroy test-infra infra-bootstrap infra-app infra-cli infra-functions

# The app binary: rebuilt only when a Go source changes (2 s warm, about a
# minute cold).
$(INFRA_BIN): $(INFRA_GO_SRC)
	@mkdir -p $(dir $@)
	go build -o $@ ./infra

infra-app: $(INFRA_BIN)

# The pinned CDK CLI comes from the root package.json/package-lock.json
# (the root Makefile's deps-node runs npm ci).
infra-cli:
	@test -x $(INFRA_CDK) || $(MAKE) deps-node

# Function builds for synth: `make build` when any is missing.
infra-functions:
	@for f in $(INFRA_FUNCTIONS); do \
	  if [ ! -f $(INFRA_ASSET_DIR)/$$f.zip ] && [ ! -f $(INFRA_ASSET_DIR)/$$f/bootstrap ]; then $(MAKE) build; break; fi; \
	done

synth: infra-app infra-cli infra-functions ## synthesize the CDK stack into cdk.out, offline (CDK_ARGS="-c key=value")
	$(INFRA_OFFLINE) $(INFRA_CDK) synth --app $(INFRA_BIN) -c assetDir=$(INFRA_ASSET_DIR) --output $(CDK_OUT) --quiet $(CDK_OFFLINE_FLAGS) $(CDK_ARGS)
	@echo "synthesized into $(CDK_OUT)/"

# One-time per account and region: the CDK bootstrap stack (asset bucket,
# deployment roles).
infra-bootstrap: infra-app infra-cli infra-functions ## once per account/region: cdk bootstrap (real credentials)
	$(INFRA_QUIET) $(INFRA_CDK) bootstrap --app $(INFRA_BIN) -c assetDir=$(INFRA_ASSET_DIR) $(CDK_ARGS)

deploy: infra-app infra-cli ## build functions and web client, then cdk deploy (real credentials)
	$(MAKE) build
	@if $(MAKE) -n web-build >/dev/null 2>&1; then $(MAKE) web-build; else echo "no web-build target: deploying config.json only"; fi
	@mkdir -p .cache
	$(INFRA_QUIET) $(INFRA_CDK) deploy --app $(INFRA_BIN) -c assetDir=$(INFRA_ASSET_DIR) --require-approval broadening --outputs-file .cache/cdk-outputs.json $(CDK_ARGS)

# Destroy needs the app to synthesize, not real function builds.
$(INFRA_DUMMY)/%/bootstrap:
	@mkdir -p $(dir $@) && printf '#!/bin/sh\nexit 1\n' > $@

destroy: infra-app infra-cli $(INFRA_FUNCTIONS:%=$(INFRA_DUMMY)/%/bootstrap) ## cdk destroy (FORCE=1: no prompt; data is retained unless destroyData)
	$(INFRA_QUIET) $(INFRA_CDK) destroy --app $(INFRA_BIN) -c assetDir=$(INFRA_DUMMY) $(if $(FORCE),--force) $(CDK_ARGS)

# The test binary is built once (go test -c, cached) and run from its
# package directory; it synthesizes three configurations with dummy function
# builds (no `make build` needed), applies cdk-nag's AwsSolutions checks and
# writes the templates for cfn-lint.
$(INFRA_TEST_BIN): $(INFRA_GO_SRC)
	@mkdir -p $(dir $@)
	go test -c -o $@ ./infra/chatstack

# cfn-lint is Python: Debian's python3 with venv is installed when missing.
$(INFRA_VENV)/bin/cfn-lint: infra/requirements.txt
	@if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then \
	  sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y --no-install-recommends python3 python3-venv; \
	fi
	python3 -m venv $(INFRA_VENV)
	$(INFRA_VENV)/bin/pip install --quiet --disable-pip-version-check -r infra/requirements.txt
	@touch $@

# cdk-nag's ServerlessChecks pack exists only in the npm build (pinned in
# infra/nag/package.json): it checks the templates the Go tests write.
INFRA_NAG_DIR := infra/nag
$(INFRA_NAG_DIR)/node_modules/.package-lock.json: $(INFRA_NAG_DIR)/package.json $(INFRA_NAG_DIR)/package-lock.json
	cd $(INFRA_NAG_DIR) && $(NPM) ci --no-audit --no-fund
	@touch $@

test-infra: $(INFRA_TEST_BIN) $(INFRA_VENV)/bin/cfn-lint $(INFRA_NAG_DIR)/node_modules/.package-lock.json ## CDK assertions, cdk-nag AwsSolutions (Go tests) and ServerlessChecks, idle cost, then cfn-lint on the templates
	go vet ./infra/...
	go test -count=1 ./infra/cost
	@rm -rf $(INFRA_LINT_DIR)
	cd infra/chatstack && $(INFRA_QUIET) CHATSTACK_DUMP=$(CURDIR)/$(INFRA_LINT_DIR) $(CURDIR)/$(INFRA_TEST_BIN) -test.count=1 $(if $(V),-test.v)
	@echo
	$(INFRA_QUIET) node $(INFRA_NAG_DIR)/check.mjs --self-test
	$(INFRA_QUIET) node $(INFRA_NAG_DIR)/check.mjs $(INFRA_LINT_DIR)/*.template.json
	@# W3005 (DependsOn already implied by a Ref) comes from CDK's own
	@# function/role wiring. cfn-lint exit bits: 2 error, 4 warning, 8 info;
	@# only errors (or a crash) fail the target.
	@echo
	@rc=0; $(INFRA_VENV)/bin/cfn-lint --ignore-checks W3005 -- $(INFRA_LINT_DIR)/*.template.json || rc=$$?; \
	  if [ $$((rc & 3)) -ne 0 ]; then echo "cfn-lint: errors"; exit 1; fi; \
	  echo "cfn-lint: no errors (exit $$rc)"
