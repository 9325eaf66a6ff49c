# paperflow: the two commands of the quick start are `make demo` and `make test`.
# Every target installs what it needs first, and skips what is already there.

CARGO ?= cargo
OUT ?= out
SAMPLES := samples/invoice-small.json samples/invoice-600-lines.json \
           samples/invoice-multilingual.json samples/invoice-jpy.json
CJK_FONTS := /usr/share/fonts/truetype/droid

.PHONY: demo test tools lint unit-tests bench readme-image clean

## tools: what the tests and the demo use: poppler-utils, qpdf and a CJK font (apt), and
## moto, boto3, cargo-lambda and zig in the project's own virtualenv .tools/venv (pip)
tools:
	@scripts/install-tools.sh

## demo: render the sample invoices into ./out and show what happened to the invalid one
demo: tools
	$(CARGO) build --release --quiet -p paperflow-cli
	@mkdir -p $(OUT)
	PAPERFLOW_FALLBACK_FONTS=$(CJK_FONTS) ./target/release/paperflow render $(SAMPLES) --out-dir $(OUT)
	@echo
	@echo "An invalid document is refused with every problem named (exit code 2):"
	@./target/release/paperflow validate samples/invoice-invalid.json; test $$? -eq 2
	@echo
	@ls -l $(OUT)/*.pdf

## test: formatting, lints and every test
test: tools lint unit-tests

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --quiet -- -D warnings

unit-tests:
	$(CARGO) test --workspace --quiet

## bench: every speed, memory and size figure the issues set targets for
bench: tools
	$(CARGO) bench -p paperflow-render --bench render
	scripts/bench-memory.sh
	@mkdir -p $(OUT)
	@# The handler prints one EMF line per record on stdout; its figures go to stderr.
	$(CARGO) bench -p pdf-generator --bench handler > $(OUT)/bench-handler.stdout
	python3 scripts/bench-cold-start.py
	scripts/bench-zip-size.sh

## readme-image: page 1 of the small sample as docs/invoice-page1.png, made from real output
readme-image: tools
	$(CARGO) build --release --quiet -p paperflow-cli
	@mkdir -p docs $(OUT)
	./target/release/paperflow render samples/invoice-small.json -o $(OUT)/invoice-small.pdf
	pdftoppm -png -r 60 -f 1 -l 1 -singlefile $(OUT)/invoice-small.pdf docs/invoice-page1

clean:
	$(CARGO) clean
	rm -rf $(OUT)
