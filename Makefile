# Tokdeck — the README's two commands are `make run` and `make test`.
SHELL := /bin/bash
# One feature set everywhere so the heavy Tauri build is shared by run, test, clippy and e2e:
# `custom-protocol` embeds the built UI instead of loading the dev server.
FEATURES := --features tokdeck/custom-protocol
CARGO_TEST_FLAGS ?=
# Where cargo (and the tauri CLI, through cargo metadata) put builds and bundles.
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)

.PHONY: all setup ui run dev test check fmt lint rust-test ui-test e2e install-test bench bench-tray soak bundle bindings sim screenshot clean

all: test

setup:
	@scripts/setup.sh

ui: setup
	cd ui && npm run build

## make run: the app (the built-in TikTok simulator answers until a TikTok app is set in Settings)
run: ui
	cargo run -p tokdeck $(FEATURES)

## make dev: hot-reloading UI (tauri CLI dev server)
dev: setup
	ui/node_modules/.bin/tauri dev

## make sim: the TikTok simulator alone, with demo accounts, on port 7171
sim:
	cargo run -p tokdeck-sim -- --port 7171 --seed

## make test: every check CI runs
test: setup fmt lint ui-test ui rust-test e2e install-test
	@echo "make test: all checks passed"

fmt:
	cargo fmt --all -- --check

lint: ui
	cargo clippy --workspace --all-targets $(FEATURES) -- -D warnings
	cargo clippy -p tokdeck --all-targets --features e2e -- -D warnings
	cd ui && npm run check && npm run lint
	scripts/check-metadata.sh

ui-test: setup
	cd ui && npm test

# Rust tests run inside a throwaway desktop session so the keychain tests use a real
# Secret Service (gnome-keyring), never the user's.
rust-test: ui
	scripts/with-desktop.sh bash -c 'cargo test --workspace $(FEATURES) $(CARGO_TEST_FLAGS) && cargo test -p tokdeck-core --test keychain -- --ignored && cargo test -p tokdeck-core --test backup_keychain -- --ignored'

# End to end: the real app under Xvfb, driven by tauri-driver + WebKitWebDriver.
e2e: ui
	scripts/with-desktop.sh cargo test -p tokdeck --features e2e --test e2e -- --test-threads=1

## make install-test: the .deb installed as users do (scripts/install-test.sh): dpkg -i, start from
## the installed desktop entry, a tokdeck:// link through xdg-open reaches the running instance,
## dpkg -r leaves nothing behind. Needs root (CI runs as root); says so and skips otherwise.
## The package wraps a debug binary built over what `make rust-test` already compiled (the same
## packages and features, so only the app's own binary is linked); no release build here — that is
## `make bundle`.
install-test: ui
	cargo build --workspace --bins --tests $(FEATURES)
	@start=$$(date +%s.%N); \
	ui/node_modules/.bin/tauri bundle --debug --bundles deb && \
	echo "install-test: bundling the .deb took $$(awk -v a=$$start -v b=$$(date +%s.%N) 'BEGIN { printf "%.1f", b - a }')s"
	scripts/check-bundle.sh $(TARGET_DIR)/debug/bundle/deb/Tokdeck_*_amd64.deb
	scripts/with-desktop.sh scripts/install-test.sh $(TARGET_DIR)/debug/bundle/deb/Tokdeck_*_amd64.deb

## make screenshot: regenerate docs/screenshot.png and docs/screenshots/ (every page at 900x600
## and 1920x1080, light and dark) from the real app
screenshot: ui
	scripts/with-desktop.sh cargo test -p tokdeck --features e2e --test e2e -- --ignored --test-threads=1 readme_screenshot gallery

## make bench: performance targets, printed as ratios against references measured in the same run
bench: ui
	cargo bench -p tiktok-api --bench upload
	cargo bench -p tokdeck-core --bench accounts
	cargo bench -p tokdeck-core --bench posts
	cargo bench -p tokdeck-core --bench publish
	scripts/with-desktop.sh cargo test -p tokdeck --features e2e --test e2e -- --ignored --nocapture --test-threads=1 calendar_bench::
	cargo bench -p tokdeck-core --bench analytics
	cargo bench -p tokdeck-core --bench sampler
	cargo bench -p tokdeck-core --bench planning
	scripts/with-desktop.sh cargo test -p tokdeck --features e2e --test e2e -- --ignored --nocapture --test-threads=1 analytics_bench::
	cargo bench -p tokdeck-core --bench backup
	cargo bench -p tokdeck-core --bench ingest
	$(MAKE) bench-tray

## make bench-tray: P5 (process-tree PSS open / closed to the tray / --hidden) and P6 (exec ->
## first contentful paint, cold and reopened from the tray), against a blank WebKitGTK window
## (bin blank-webview) measured in the same run; the app and the reference are release builds
bench-tray: ui
	nice -n 5 cargo build --release -p tokdeck --features e2e --bin tokdeck --bin blank-webview
	TOKDECK_E2E_BIN=$(TARGET_DIR)/release/tokdeck scripts/with-desktop.sh cargo test -p tokdeck --features e2e --test e2e -- --ignored --nocapture --test-threads=1 tray_bench::

## make soak: the publisher's model test (core/tests/publish_model/) with fresh seeds until
## TOKDECK_SOAK_SECS run out (default 30 min); prints the cases run and the longest sequence
TOKDECK_SOAK_SECS ?= 1800
## then the media probe's header fuzzing with TOKDECK_FUZZ_CASES cases (default 3,000)
TOKDECK_FUZZ_CASES ?= 3000
## then TOKDECK_HANDOFF_RACES generated races of cancels, deletes and pauses against slot
## hand-offs (default 200; make test runs 6)
TOKDECK_HANDOFF_RACES ?= 200
soak: setup
	TOKDECK_SOAK_SECS=$(TOKDECK_SOAK_SECS) cargo test -p tokdeck-core --test publish_model publisher_model -- --nocapture
	TOKDECK_FUZZ_CASES=$(TOKDECK_FUZZ_CASES) cargo test -p tokdeck-core --test media_attack -- --nocapture
	TOKDECK_HANDOFF_RACES=$(TOKDECK_HANDOFF_RACES) cargo test -p tokdeck-core --test publish_flow handoff_races -- --nocapture

## make bundle: .deb and .rpm installers (release build; Windows and macOS installers are built by
## .github/workflows/release.yml on their own runners)
bundle: setup
	ui/node_modules/.bin/tauri build --bundles deb,rpm
	scripts/check-bundle.sh $(TARGET_DIR)/release/bundle/deb/Tokdeck_*_amd64.deb $(TARGET_DIR)/release/bundle/rpm/Tokdeck*.rpm

## make bindings: regenerate ui/src/lib/bindings.ts from the Rust types
bindings:
	TOKDECK_UPDATE_BINDINGS=1 cargo test -p tokdeck-core --lib ipc::tests::bindings_are_fresh

clean:
	cargo clean
	rm -rf ui/dist ui/node_modules tests/artifacts
