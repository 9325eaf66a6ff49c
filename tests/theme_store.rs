//! Themes from the documents bucket, against moto's S3: the pdf-generator renders a branded
//! invoice with `themes/{name}/`, refuses one whose theme does not exist with a failed notice
//! naming it, and the theme cache asks S3 with the ETag whether a theme changed (a `304` keeps
//! it, a changed object is read again).

use aws_sdk_s3::primitives::ByteStream;
use paperflow_aws::{S3DocumentStore, SnsEventPublisher};
use paperflow_pipeline::ports::ConditionalRead;
use paperflow_pipeline::{Freshness, PdfGenerator, ThemeCache, ThemeSource};
use paperflow_render::theme::Rgb;
use paperflow_render::{RenderOptions, ThemeFile};
use paperflow_tests::moto::Moto;
use paperflow_tests::stack::{DOCUMENTS_BUCKET, TestStack, failed_ids, finalized_event, sqs_batch};
use pdf_generator::PdfRequests;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

struct Harness {
    _moto: Moto,
    sdk: aws_config::SdkConfig,
    stack: TestStack,
}

impl Harness {
    async fn start() -> Harness {
        let moto = Moto::start();
        let sdk = moto.sdk_config().await;
        let stack = TestStack::create(&sdk).await;
        Harness {
            _moto: moto,
            sdk,
            stack,
        }
    }

    fn store(&self) -> S3DocumentStore {
        S3DocumentStore::new(aws_sdk_s3::Client::new(&self.sdk), DOCUMENTS_BUCKET)
    }

    async fn put(&self, key: &str, body: Vec<u8>) {
        aws_sdk_s3::Client::new(&self.sdk)
            .put_object()
            .bucket(DOCUMENTS_BUCKET)
            .key(key)
            .body(ByteStream::from(body))
            .send()
            .await
            .expect("put");
    }

    /// Uploads the sample theme as `make demo` does: `themes/northwind/…`.
    async fn upload_sample_theme(&self) {
        let folder = sample_theme_folder();
        for file in ["theme.json", "logo.png"] {
            let body = std::fs::read(folder.join(file)).expect("sample theme file");
            self.put(&format!("themes/northwind/{file}"), body).await;
        }
    }

    /// Runs one `invoice.finalized.v1` for `document` through the function's handler.
    async fn generate(&self, document: &Value) -> Vec<String> {
        let publisher = SnsEventPublisher::new(
            aws_sdk_sns::Client::new(&self.sdk),
            self.stack.document_events_arn.as_str(),
        );
        let fonts = Arc::new(paperflow_bundled_fonts::font_set().expect("bundled fonts"));
        let generator = PdfGenerator::new(self.store(), publisher, fonts, RenderOptions::default());
        let requests = Arc::new(PdfRequests::new(generator));
        let body = finalized_event(
            "test/producer",
            "0193a5b0-0000-7000-8000-00000000e001",
            document,
        );
        let response = pdf_generator::handle(requests, sqs_batch(&[body]))
            .await
            .expect("the batch is answered");
        failed_ids(&response)
    }
}

fn sample_theme_folder() -> std::path::PathBuf {
    paperflow_tests::repo_root().join("samples/themes/northwind")
}

fn branded_document() -> Value {
    serde_json::from_slice(&paperflow_tests::sample("invoice-de-branded.json")).expect("JSON")
}

fn theme_json(accent: &str) -> Vec<u8> {
    json!({ "accent_color": accent }).to_string().into_bytes()
}

#[tokio::test]
async fn a_branded_invoice_is_rendered_with_the_theme_from_the_bucket() {
    let harness = Harness::start().await;
    harness.upload_sample_theme().await;
    let document = branded_document();
    assert!(harness.generate(&document).await.is_empty());

    // The same bytes as rendering locally with the sample theme's folder.
    let folder = sample_theme_folder();
    let file = ThemeFile::parse(&std::fs::read(folder.join("theme.json")).expect("theme.json"))
        .expect("valid theme");
    let logo = std::fs::read(folder.join("logo.png")).expect("logo");
    let options = RenderOptions {
        theme: Some(Arc::new(file.with_logo(Some(&logo)).expect("valid logo"))),
        ..RenderOptions::default()
    };
    let invoice = paperflow_invoice::invoice_from_value(&document).expect("valid invoice");
    let fonts = paperflow_bundled_fonts::font_set().expect("fonts");
    let expected = paperflow_render::render(&invoice, &fonts, &options).expect("renders");
    let stored = harness
        .stack
        .object("invoices/NW-2026-004814/r1.pdf")
        .await
        .expect("stored");
    assert!(
        stored == expected.bytes,
        "the stored PDF is not the branded one"
    );
    let notices = harness.stack.notices(1, WAIT).await;
    assert_eq!(notices[0]["type"], "invoice.pdf.ready.v1", "{notices:?}");
}

#[tokio::test]
async fn an_invoice_naming_a_missing_theme_fails_permanently_naming_it() {
    let harness = Harness::start().await;
    let mut document = branded_document();
    document["theme"] = json!("acme");
    // Permanent: acknowledged, not left for redelivery.
    assert!(harness.generate(&document).await.is_empty());

    let notices = harness.stack.notices(1, WAIT).await;
    assert_eq!(notices.len(), 1, "{notices:?}");
    let notice = &notices[0];
    assert_eq!(notice["type"], "invoice.pdf.failed.v1");
    assert_eq!(notice["data"]["code"], "theme_missing");
    let message = notice["data"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("\"acme\""), "{message}");
    assert!(message.contains("themes/acme/theme.json"), "{message}");
    assert!(
        harness
            .stack
            .object("invoices/NW-2026-004814/r1.pdf")
            .await
            .is_none(),
        "nothing is stored"
    );
}

#[tokio::test]
async fn an_invalid_theme_fails_permanently_with_the_field_and_rule() {
    let harness = Harness::start().await;
    harness
        .put("themes/northwind/theme.json", theme_json("#0B5FF"))
        .await;
    assert!(harness.generate(&branded_document()).await.is_empty());
    let notices = harness.stack.notices(1, WAIT).await;
    assert_eq!(notices[0]["data"]["code"], "theme_invalid", "{notices:?}");
    let message = notices[0]["data"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("accent_color: must be"), "{message}");
}

#[tokio::test]
async fn s3_answers_a_conditional_get_of_an_unchanged_theme_file_with_not_modified() {
    let harness = Harness::start().await;
    harness
        .put("themes/t/theme.json", theme_json("#0B5FFF"))
        .await;
    let store = harness.store();
    let ConditionalRead::Changed { etag, .. } = store
        .get_if_changed("themes/t/theme.json", None)
        .await
        .expect("read")
    else {
        panic!("the first read returns the object");
    };
    assert_eq!(
        store
            .get_if_changed("themes/t/theme.json", Some(&etag))
            .await
            .expect("read"),
        ConditionalRead::Unchanged
    );
    assert_eq!(
        store
            .get_if_changed("themes/nothing/theme.json", None)
            .await
            .expect("read"),
        ConditionalRead::Missing
    );
}

#[tokio::test]
async fn the_theme_cache_revalidates_by_etag_and_rereads_a_changed_theme() {
    let harness = Harness::start().await;
    harness
        .put("themes/t/theme.json", theme_json("#0B5FFF"))
        .await;
    let store = harness.store();
    let name = "t".parse().expect("valid name");
    // Revalidate on every use, so that each call asks S3.
    let cache = ThemeCache::new(Duration::ZERO);

    let first = cache.theme(&store, &name).await.expect("theme");
    assert_eq!(first.freshness, Freshness::Read);
    let second = cache.theme(&store, &name).await.expect("theme");
    assert_eq!(second.freshness, Freshness::Revalidated, "S3 answered 304");
    assert!(Arc::ptr_eq(&first.theme, &second.theme));

    harness
        .put("themes/t/theme.json", theme_json("#FF0000"))
        .await;
    let third = cache.theme(&store, &name).await.expect("theme");
    assert_eq!(
        third.freshness,
        Freshness::Read,
        "a changed object is read again"
    );
    assert_eq!(third.theme.accent, Rgb(255, 0, 0));
}
