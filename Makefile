# paperflow: the two commands of the quick start are `make demo` and `make test`.
# Every target installs what it needs first, and skips what is already there.

CARGO ?= cargo
OUT ?= out

.PHONY: demo test tools lint test-tiers test-unit test-moto test-stack bench readme-image clean infra-tools \
	infra-test package fuzz chaos

## tools: what the tests and the demo use: poppler-utils, qpdf and a CJK font (apt), and
## moto, boto3, cargo-lambda and zig in the project's own virtualenv .tools/venv (pip)
tools:
	@scripts/install-tools.sh

## demo: the whole pipeline on this machine (scripts/demo.sh): `paperflow local` brings up moto,
## the functions and their triggers from infra/sam/template.yaml; the samples go in as events
## through SNS and one request through the HTTP API; PDFs land in ./out; then everything stops.
demo: tools
	OUT=$(OUT) scripts/demo.sh

## test: formatting, lints and every test, tier by tier (what CI runs)
test: tools lint test-tiers test-unit test-moto test-stack infra-test

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --quiet -- -D warnings

## The test tiers. Every integration test target (`package:target`) sits in exactly one of them;
## `make test-tiers` fails when one is missing or listed twice (scripts/check-test-tiers.py).
## - unit: no server of any kind (poppler and qpdf may run): the quick loop, under a minute
##   after a build. With the unit tests and doc tests of every crate.
## - moto: against moto's server, started per test on a free loopback port.
## - stack: built functions under cargo lambda watch, the whole local stack, the README's recipes.
UNIT_TESTS := paperflow-aws:config paperflow-events:bounded paperflow-events:decoding \
	paperflow-events:envelope paperflow-invoice:never_panics paperflow-invoice:validation \
	paperflow-tests:pdf_output paperflow-tests:render_properties paperflow-tests:shaping invoice-api:handler \
	paperflow-local:http_api paperflow-local:template paperflow-cli:cli \
	paperflow-locale:catalogue paperflow-locale:formats paperflow-payment-qr:decode \
	paperflow-tests:json_schemas paperflow-invoice:document_1_1 paperflow-einvoice:requirements \
	paperflow-einvoice:xml_content paperflow-einvoice:official_validators paperflow-tests:einvoice_pdf \
	paperflow-tests:payment_qr_pdf paperflow-fuzz-properties:fuzz_replay paperflow-invoice:payment_codes paperflow-tests:printed_languages \
	paperflow-render:themes pdf-generator:fonts_layer_start
MOTO_TESTS := paperflow-aws:environment paperflow-aws:s3 paperflow-aws:sns paperflow-aws:unavailable \
	paperflow-tests:archiver paperflow-tests:invoice_api paperflow-tests:mailer paperflow-tests:misconfiguration \
	paperflow-tests:pdf_generator paperflow-local:provision paperflow-local:sns paperflow-local:sqs \
	paperflow-cli:trace paperflow-cli:dlq_redrive paperflow-local:faults paperflow-local:emulator paperflow-tests:theme_store
STACK_TESTS := paperflow-tests:function_invoke paperflow-tests:readme_recipes paperflow-local:runtime \
	paperflow-cli:local_stack paperflow-cli:dlq_stack paperflow-cli:localstack_flow \
	paperflow-cli:chaos_stack

# The `--test` filters of a tier's `package:target` entries. One `cargo test --workspace` call per
# tier, never one per package: `-p` alone would resolve the dependencies' features for that
# package only and build the AWS SDK again with other features. A filter selects the target of
# that name in every package, so a name must not stand in two tiers (make test-tiers checks).
tier-filters = $(foreach t,$(1),--test $(word 2,$(subst :, ,$(t))))

test-tiers:
	@python3 scripts/check-test-tiers.py --unit "$(UNIT_TESTS)" --moto "$(MOTO_TESTS)" --stack "$(STACK_TESTS)"

## test-unit: the quick loop: every crate's unit and doc tests and the integration tests that
## start no server
test-unit:
	$(CARGO) test --workspace --quiet --lib --bins $(call tier-filters,$(UNIT_TESTS))
	$(CARGO) test --workspace --quiet --doc

## test-moto: the adapters, the functions' handlers and the local stack's parts against moto
test-moto: tools
	$(CARGO) test --workspace --quiet $(call tier-filters,$(MOTO_TESTS))

## test-stack: the built functions under cargo lambda watch, the whole local stack end to end (on
## moto, and on LocalStack, the second emulator, from scripts/install-localstack.sh), and the
## README's recipes
test-stack: tools
	@scripts/install-localstack.sh
	$(CARGO) test --workspace --quiet $(call tier-filters,$(STACK_TESTS))

## bench: every speed, memory and size figure the issues set targets for
bench: tools
	$(CARGO) bench -p paperflow-render --bench render
	scripts/bench-memory.sh
	@mkdir -p $(OUT)
	@# The handler prints one EMF line per record on stdout; its figures go to stderr.
	$(CARGO) bench -p pdf-generator --bench handler > $(OUT)/bench-handler.stdout
	$(CARGO) bench -p invoice-api --bench sync_route > $(OUT)/bench-api.stdout
	$(CARGO) bench -p pdf-mailer --bench handler > $(OUT)/bench-mailer.stdout
	$(CARGO) bench -p event-archiver --bench handler > $(OUT)/bench-archiver.stdout
	@# The capacity model's CPU times, from this run's medians (commit the file with the figures).
	.tools/venv/bin/python scripts/capacity.py --record-measured "load average $$(cut -d' ' -f1-3 /proc/loadavg) at the end"
	python3 scripts/bench-cold-start.py
	scripts/bench-zip-size.sh
	scripts/build-fonts-layer.sh

## readme-image: page 1 of the small sample as docs/invoice-page1.png, and the branded German
## invoice with its EPC QR code (the sample theme) as docs/invoice-branded-de.png, made from real output
readme-image: tools
	$(CARGO) build --release --quiet -p paperflow-cli
	@mkdir -p docs $(OUT)
	./target/release/paperflow render samples/invoice-small.json -o $(OUT)/invoice-small.pdf
	pdftoppm -png -r 60 -f 1 -l 1 -singlefile $(OUT)/invoice-small.pdf docs/invoice-page1
	./target/release/paperflow render samples/invoice-de-branded.json -o $(OUT)/invoice-de-branded.pdf \
		--theme-dir samples/themes
	pdftoppm -png -r 72 -f 1 -l 1 -singlefile $(OUT)/invoice-de-branded.pdf docs/invoice-branded-de

## infra-tools: what infra-test uses: aws-sam-cli, cfn-lint, pytest (.tools/infra-venv), checkov
## (.tools/checkov-venv) and the CDK app's node_modules (npm ci in infra/cdk)
infra-tools:
	@scripts/install-infra-tools.sh

## infra-test: the SAM template and the CDK app, offline (no AWS account, no Docker, no built
## binaries): validated, linted, scanned, unit-tested, cdk-nag-checked and proved equivalent
INFRA_BIN := .tools/infra-venv/bin
CHECKOV := .tools/checkov-venv/bin/checkov --skip-download --quiet --compact --framework cloudformation
INFRA_REGION ?= eu-west-1
INFRA_OUT := infra/out
export SAM_CLI_TELEMETRY := 0
export CDK_DISABLE_CLI_TELEMETRY := true

infra-test: infra-tools
	scripts/build-fonts-layer.sh # the layer's folder, which both templates deploy
	$(INFRA_BIN)/sam validate --lint -t infra/sam/template.yaml --region $(INFRA_REGION)
	$(INFRA_BIN)/sam validate -t infra/sam/template.yaml --region $(INFRA_REGION)
	$(INFRA_BIN)/cfn-lint infra/sam/template.yaml
	@mkdir -p $(INFRA_OUT)
	$(INFRA_BIN)/python infra/tests/sam_translate.py $(INFRA_OUT)/sam-translated.json
	$(INFRA_BIN)/cfn-lint $(INFRA_OUT)/sam-translated.json
	cd infra/cdk && npx --no-install tsc --noEmit -p .
	@# cdk-nag runs inside the synth: an unacknowledged AwsSolutions finding fails it.
	cd infra/cdk && npx --no-install tsx bin/synth-offline.ts ../../$(INFRA_OUT)/cdk.out
	@# W3005: CDK writes a DependsOn on the role next to the function's GetAtt of it; harmless.
	$(INFRA_BIN)/cfn-lint --ignore-checks W3005 -- $(INFRA_OUT)/cdk.out/paperflow.template.json
	$(CHECKOV) -f infra/sam/template.yaml
	$(CHECKOV) -f $(INFRA_OUT)/cdk.out/paperflow.template.json
	cd infra/cdk && npm test --silent
	PAPERFLOW_CDK_TEMPLATE=$(INFRA_OUT)/cdk.out/paperflow.template.json $(INFRA_BIN)/python -m pytest -q -p no:cacheprovider infra/tests

## package: each function crate that exists, built as Lambda runs it (arm64, release, zip by
## cargo-lambda) one at a time the way `sam build` builds it, and each zip's size; then
## `sam build` itself (scripts/sam-build.sh, no prompt), which finds cargo's cache warm, and each
## SAM bootstrap compared with the zip's (scripts/package.sh; SKIP_SAM_BUILD=1 leaves SAM out);
## then the fallback fonts' layer (target/fonts-layer.zip, from Debian's font packages) and its
## size. Not part of `test`: release builds take minutes.
FUNCTIONS := invoice-api pdf-generator pdf-mailer event-archiver
package: tools
	@rustup target list --installed | grep -q aarch64-unknown-linux-gnu || rustup target add aarch64-unknown-linux-gnu
	scripts/package.sh $(FUNCTIONS)
	scripts/build-fonts-layer.sh

## fuzz: coverage-guided fuzzing (cargo-fuzz, libFuzzer, nightly) of the event decoding, the
## invoice validation, the renderer, the API's request handling and the template reader: each of
## FUZZ_TARGETS for FUZZ_SECONDS, then executions, coverage and crashes per target (fuzz/run.sh).
## A crash's input lands in fuzz/regressions/, which `make test` replays. Not part of `test`.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= events_decode invoice_validate render_valid api_request template_read
fuzz:
	@scripts/install-fuzz.sh
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TARGETS="$(FUZZ_TARGETS)" fuzz/run.sh

## chaos: the whole local stack with faults on every service (10 % errors, 2 % lost answers,
## 2 % resets, kills at 5 %), CHAOS_INVOICES invoices from a Python producer (duplicated, revised
## out of order, 10 % poison, over SNS and the API's 202 path), then an account of every input
## built from what the stack holds (scripts/chaos.py; out/chaos-account.json); and schemathesis
## through a fault-free stack's HTTP front, at least CHAOS_API_CASES cases in each mode. Exits 1
## on anything unaccounted or unexplained. Not part of `test` (its 100-invoice version is, against
## moto and LocalStack: chaos_stack in STACK_TESTS).
CHAOS_INVOICES ?= 1000
CHAOS_SEED ?= 16
CHAOS_API_CASES ?= 2000
chaos: tools
	$(CARGO) build --quiet -p paperflow-cli
	.tools/venv/bin/python scripts/chaos.py --invoices $(CHAOS_INVOICES) --seed $(CHAOS_SEED) \
	  --api-cases $(CHAOS_API_CASES) --account $(OUT)/chaos-account.json

clean:
	$(CARGO) clean
	rm -rf $(OUT)
