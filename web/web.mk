# web/: the browser client (TypeScript, Preact, Vite). Included by the root
# Makefile, whose `make test` runs TEST_TARGETS and `make dev` DEV_DEPS.

WEB_DIR := web
WEB_SRC := $(shell find $(WEB_DIR)/src $(WEB_DIR)/index.html $(WEB_DIR)/vite.config.ts $(WEB_DIR)/tsconfig.json -type f 2>/dev/null)

TEST_TARGETS += web-test web-e2e
# `make dev` builds the client only when web/dist is missing.
DEV_DEPS += $(WEB_DIR)/dist/index.html $(WEB_DIR)/dist/widget/v1/widget.js

.PHONY: web-deps web-gen web-build web-test web-e2e

web-deps: $(WEB_DIR)/node_modules/.package-lock.json ## install the web client's npm packages (npm ci), when stale

$(WEB_DIR)/node_modules/.package-lock.json: $(WEB_DIR)/package.json $(WEB_DIR)/package-lock.json
	cd $(WEB_DIR) && $(NPM) ci --no-audit --no-fund
	@touch $@

web-gen: ## regenerate web/src/api/protocol.gen.ts and internal/wsapi/actions.gen.go from internal/protocol (the Go tests check they are current)
	$(GO) run ./scripts/gen-protocol

web-build: web-deps ## type-check and build the web client into web/dist
	cd $(WEB_DIR) && npx tsc --noEmit && npx vite build

$(WEB_DIR)/dist/index.html: | web-deps
	cd $(WEB_DIR) && npx vite build

# The support widget (web/widget): the same build writes it; a dist from
# before the widget gets it here.
$(WEB_DIR)/dist/widget/v1/widget.js: | web-deps
	cd $(WEB_DIR) && npx vite build

web-test: web-build ## unit tests (Vitest) and the JS size budget (200 KB gzipped)
	cd $(WEB_DIR) && npx vitest run && node scripts/check-size.mjs dist 200

web-e2e: deps-browser web-build ## end-to-end tests in headless Chromium against a local stack
	cd $(WEB_DIR) && node --test --test-concurrency=1 e2e/
