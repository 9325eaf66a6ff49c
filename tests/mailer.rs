//! The pdf-mailer against real parts: moto's server as S3, SNS, SQS and SES v2, a PDF stored
//! and announced by the real pdf-generator, and the mailer's own handler fed SNS events as
//! Lambda feeds them. What was sent is read back through moto's own inspection API and parsed
//! with an independent MIME parser.

use aws_config::SdkConfig;
use aws_lambda_events::event::sqs::SqsBatchResponse;
use mail_parser::MimeHeaders;
use paperflow_aws::{S3DocumentStore, SesMailer, SnsEventPublisher};
use paperflow_pipeline::mail::{MailSettings, PdfMailer, Sender};
use paperflow_pipeline::memory::ManualClock;
use paperflow_pipeline::store::{mail_claim_key, xml_key};
use paperflow_pipeline::{Mailer, OutgoingMail, PdfGenerator, SendError, pdf_key};
use paperflow_render::RenderOptions;
use paperflow_tests::consumers::{
    MAIL_FROM, SENDER_ADDRESS, SentEmail, sent_emails, sns_event, verify_sender,
};
use paperflow_tests::moto::{Moto, http_get};
use paperflow_tests::stack::{DOCUMENTS_BUCKET, TestStack, finalized_event, sqs_batch};
use pdf_generator::PdfRequests;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);
const CLAIM_TTL: Duration = Duration::from_secs(60);

type SesPdfMailer<M = SesMailer> = PdfMailer<S3DocumentStore, SnsEventPublisher, M>;

struct Harness {
    moto: Moto,
    sdk: SdkConfig,
    stack: TestStack,
}

impl Harness {
    async fn start() -> Harness {
        let moto = Moto::start();
        let sdk = moto.sdk_config().await;
        let stack = TestStack::create(&sdk).await;
        verify_sender(&sdk, SENDER_ADDRESS).await;
        Harness { moto, sdk, stack }
    }

    fn settings(&self) -> MailSettings {
        MailSettings::new(Sender::parse(MAIL_FROM).expect("a sender"))
    }

    fn mailer_with<M: Mailer>(&self, ses: M, settings: MailSettings) -> SesPdfMailer<M> {
        let store = S3DocumentStore::new(aws_sdk_s3::Client::new(&self.sdk), DOCUMENTS_BUCKET);
        let publisher = SnsEventPublisher::new(
            aws_sdk_sns::Client::new(&self.sdk),
            self.stack.document_events_arn.as_str(),
        );
        PdfMailer::new(store, publisher, ses, settings)
    }

    fn mailer(&self) -> SesPdfMailer {
        self.mailer_with(SesMailer::from_conf(&self.sdk), self.settings())
    }

    /// Renders and stores an invoice with the real pdf-generator and answers its ready notice
    /// (as it was published) and the stored PDF.
    async fn ready_notice(&self, invoice_id: &str, buyer_email: Option<&str>) -> (Value, Vec<u8>) {
        let mut document: Value =
            serde_json::from_slice(&paperflow_tests::sample("invoice-small.json")).expect("JSON");
        document["invoice_id"] = json!(invoice_id);
        match buyer_email {
            Some(address) => document["buyer"]["email"] = json!(address),
            None => {
                if let Some(buyer) = document["buyer"].as_object_mut() {
                    buyer.remove("email");
                }
            }
        }
        self.ready_notice_of(&document).await
    }

    /// Renders and stores `document` (revision 1) with the real pdf-generator and answers its
    /// ready notice and the stored PDF.
    async fn ready_notice_of(&self, document: &Value) -> (Value, Vec<u8>) {
        let invoice_id = document["invoice_id"].as_str().expect("an invoice id");
        let store = S3DocumentStore::new(aws_sdk_s3::Client::new(&self.sdk), DOCUMENTS_BUCKET);
        let publisher = SnsEventPublisher::new(
            aws_sdk_sns::Client::new(&self.sdk),
            self.stack.document_events_arn.as_str(),
        );
        let fonts = Arc::new(paperflow_bundled_fonts::font_set().expect("bundled fonts"));
        let generator = PdfGenerator::new(store, publisher, fonts, RenderOptions::default());
        let body = finalized_event("test/producer", &format!("ev-{invoice_id}"), document);
        let response: SqsBatchResponse =
            pdf_generator::handle(Arc::new(PdfRequests::new(generator)), sqs_batch(&[body]))
                .await
                .expect("the batch is answered");
        assert!(response.batch_item_failures.is_empty());
        let notices = self.stack.notices(1, WAIT).await;
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert_eq!(notices[0]["type"], "invoice.pdf.ready.v1");
        let pdf = self
            .stack
            .object(&pdf_key(invoice_id, 1))
            .await
            .expect("the PDF is stored");
        (notices[0].clone(), pdf)
    }

    fn emails(&self) -> Vec<SentEmail> {
        sent_emails(&self.moto)
    }
}

async fn deliver<M: Mailer>(
    mailer: &SesPdfMailer<M>,
    notice: &Value,
    ttl: Duration,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let message = notice.to_string();
    pdf_mailer::handle(mailer, sns_event(&message, "sns-message-1"), ttl).await
}

fn parse(email: &SentEmail) -> mail_parser::Message<'_> {
    mail_parser::MessageParser::default()
        .parse(email.raw.as_bytes())
        .expect("the sent message is MIME")
}

#[tokio::test]
async fn duplicate_ready_notices_send_one_email_whose_attachment_is_the_stored_pdf() {
    let harness = Harness::start().await;
    let (notice, pdf) = harness
        .ready_notice("INV-MAIL-1", Some("ap@contoso.example"))
        .await;
    let mailer = harness.mailer();

    deliver(&mailer, &notice, CLAIM_TTL)
        .await
        .expect("the first delivery mails");
    deliver(&mailer, &notice, CLAIM_TTL)
        .await
        .expect("a duplicate delivery succeeds");
    // Two more at the same time: both find it sent, and only announce.
    let (a, b) = tokio::join!(
        deliver(&mailer, &notice, CLAIM_TTL),
        deliver(&mailer, &notice, CLAIM_TTL)
    );
    assert!(a.is_ok() && b.is_ok(), "{a:?} {b:?}");

    let emails = harness.emails();
    assert_eq!(emails.len(), 1, "exactly one e-mail: {emails:?}");
    let email = &emails[0];
    assert!(email.source.contains(SENDER_ADDRESS), "{}", email.source);
    assert!(
        email
            .destinations
            .iter()
            .all(|to| to == "ap@contoso.example")
    );
    let message = parse(email);
    assert_eq!(message.subject(), Some("Invoice INV-MAIL-1"));
    let from = message.from().and_then(|from| from.first()).expect("From");
    assert_eq!(from.address(), Some(SENDER_ADDRESS));
    assert_eq!(from.name(), Some("Paperflow Billing"));
    let to = message.to().and_then(|to| to.first()).expect("To");
    assert_eq!(to.address(), Some("ap@contoso.example"));
    assert!(
        message
            .body_text(0)
            .is_some_and(|text| text.contains("INV-MAIL-1"))
    );
    let attachments: Vec<_> = message.attachments().collect();
    assert_eq!(attachments.len(), 1);
    let attachment = attachments[0];
    assert_eq!(attachment.attachment_name(), Some("INV-MAIL-1.pdf"));
    assert!(
        attachment
            .content_type()
            .is_some_and(|kind| kind.ctype() == "application" && kind.subtype() == Some("pdf"))
    );
    assert!(
        attachment.contents() == pdf.as_slice(),
        "the attachment decodes byte-identical to the stored PDF ({} vs {} bytes)",
        attachment.contents().len(),
        pdf.len()
    );

    // Every delivery announced, always under the same id, carrying SES's message id.
    let emailed = harness.stack.notices(4, WAIT).await;
    assert_eq!(emailed.len(), 4, "{emailed:?}");
    let expected_id = paperflow_events::derived_event_id(
        notice["source"].as_str().expect("a source"),
        notice["id"].as_str().expect("an id"),
        paperflow_events::EventType::Emailed,
    );
    for event in &emailed {
        assert_eq!(event["type"], "invoice.emailed.v1");
        assert_eq!(event["id"], expected_id.as_str());
        assert_eq!(event["source"], "paperflow/pdf-mailer");
        assert_eq!(event["subject"], "INV-MAIL-1");
        assert_eq!(event["correlationid"], notice["correlationid"]);
        assert_eq!(event["causationid"], notice["id"]);
        assert_eq!(event["data"]["invoice_id"], "INV-MAIL-1");
        assert_eq!(event["data"]["revision"], 1);
        assert_eq!(event["data"]["recipient"], "ap@contoso.example");
        assert_eq!(event["data"]["message_id"], email.id.as_str());
        assert_eq!(event["time"], emailed[0]["time"], "the time of sending");
    }
    let record: Value = serde_json::from_slice(
        &harness
            .stack
            .object(&mail_claim_key(notice["id"].as_str().expect("an id")))
            .await
            .expect("the send record"),
    )
    .expect("JSON");
    assert_eq!(record["state"], "sent");
    assert_eq!(record["message_id"], email.id.as_str());
}

#[tokio::test]
async fn simultaneous_first_deliveries_send_once_and_the_loser_is_retried() {
    let harness = Harness::start().await;
    let (notice, _) = harness
        .ready_notice("INV-RACE-1", Some("ap@contoso.example"))
        .await;
    let mailer = harness.mailer();
    let (a, b) = tokio::join!(
        deliver(&mailer, &notice, CLAIM_TTL),
        deliver(&mailer, &notice, CLAIM_TTL)
    );
    // One claims and sends. The other finds the claim (or loses the conditional write) and
    // fails, so that Lambda retries it; its retry finds the notice sent.
    let failures: Vec<String> = [a, b]
        .into_iter()
        .filter_map(|result| result.err().map(|error| error.to_string()))
        .collect();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].contains("mail_in_progress"), "{failures:?}");
    deliver(&mailer, &notice, CLAIM_TTL)
        .await
        .expect("the retry succeeds");
    assert_eq!(harness.emails().len(), 1);
    let emailed = harness.stack.notices(2, WAIT).await;
    assert_eq!(
        emailed.len(),
        2,
        "the sender and the retry announce: {emailed:?}"
    );
    assert_eq!(emailed[0]["id"], emailed[1]["id"]);
}

/// The SES adapter, except that the first send crashes the attempt (a panic, as a killed
/// process would stop it): after the claim, before anything reached SES.
struct CrashOnFirstSend {
    ses: SesMailer,
    crashed: AtomicBool,
}

impl Mailer for CrashOnFirstSend {
    async fn send(&self, mail: &OutgoingMail) -> Result<String, SendError> {
        if !self.crashed.swap(true, Ordering::SeqCst) {
            panic!("injected crash between the claim and the send");
        }
        self.ses.send(mail).await
    }
}

#[tokio::test]
async fn a_crash_after_the_claim_is_retried_once_the_claim_expires_and_sends_once() {
    let harness = Harness::start().await;
    let (notice, _) = harness
        .ready_notice("INV-CRASH-1", Some("ap@contoso.example"))
        .await;
    let crashing = CrashOnFirstSend {
        ses: SesMailer::from_conf(&harness.sdk),
        crashed: AtomicBool::new(false),
    };
    // The mailer's clock stands still until the test moves it past the claim's expiry.
    let clock = ManualClock::starting_at(time::OffsetDateTime::now_utc());
    let mailer = Arc::new(
        harness
            .mailer_with(crashing, harness.settings())
            .with_clock(Arc::new(clock.clone())),
    );
    let ttl = Duration::from_secs(2);

    let attempt = {
        let (mailer, notice) = (Arc::clone(&mailer), notice.clone());
        tokio::spawn(async move { deliver(&mailer, &notice, ttl).await })
    };
    let crashed = attempt.await.expect_err("the first attempt crashes");
    assert!(crashed.is_panic());
    let key = mail_claim_key(notice["id"].as_str().expect("an id"));
    let claim: Value =
        serde_json::from_slice(&harness.stack.object(&key).await.expect("a claim is left"))
            .expect("JSON");
    assert_eq!(claim["state"], "claimed");
    assert!(harness.emails().is_empty());

    // Lambda retries at once: the claim still holds, so the retry fails and sends nothing.
    let error = deliver(&mailer, &notice, ttl)
        .await
        .expect_err("the claim still holds");
    assert!(error.to_string().contains("mail_in_progress"), "{error}");
    assert!(harness.emails().is_empty());

    // Once the claim has expired, the retry takes it over and sends, once.
    clock.advance(ttl + Duration::from_millis(200));
    deliver(&mailer, &notice, ttl)
        .await
        .expect("the retry mails");
    deliver(&mailer, &notice, ttl)
        .await
        .expect("and a later duplicate only announces");
    assert_eq!(harness.emails().len(), 1);
    let record: Value =
        serde_json::from_slice(&harness.stack.object(&key).await.expect("the record"))
            .expect("JSON");
    assert_eq!(record["state"], "sent");
    assert_eq!(
        record["attempt"], 2,
        "the second attempt took the claim over"
    );
}

#[tokio::test]
async fn a_pdf_too_large_to_attach_is_sent_as_a_link_that_downloads_it() {
    let harness = Harness::start().await;
    let (notice, pdf) = harness
        .ready_notice("INV-LARGE-1", Some("ap@contoso.example"))
        .await;
    let settings = MailSettings {
        max_message_bytes: 4 * 1024,
        ..harness.settings()
    };
    let mailer = harness.mailer_with(SesMailer::from_conf(&harness.sdk), settings);
    deliver(&mailer, &notice, CLAIM_TTL).await.expect("mailed");

    let emails = harness.emails();
    assert_eq!(emails.len(), 1);
    let message = parse(&emails[0]);
    assert_eq!(message.attachments().count(), 0);
    let text = message.body_text(0).expect("a text body").into_owned();
    let link = text
        .split_whitespace()
        .find(|word| word.starts_with("http"))
        .unwrap_or_else(|| panic!("a link in {text:?}"));
    assert!(link.contains("INV-LARGE-1/r1.pdf"), "{link}");
    let download = http_get(link).expect("the link answers");
    assert_eq!(download.status, 200);
    assert!(download.body == pdf, "the link downloads the stored PDF");
}

#[tokio::test]
async fn a_notice_without_a_buyer_email_sends_nothing_and_is_not_an_error() {
    let harness = Harness::start().await;
    let (notice, _) = harness.ready_notice("INV-NOMAIL-1", None).await;
    assert!(notice["data"].get("buyer_email").is_none());
    deliver(&harness.mailer(), &notice, CLAIM_TTL)
        .await
        .expect("skipped, not failed");
    assert!(harness.emails().is_empty());
    let key = mail_claim_key(notice["id"].as_str().expect("an id"));
    assert!(harness.stack.object(&key).await.is_none(), "no send record");
    assert!(
        harness
            .stack
            .notices(1, Duration::from_secs(2))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn bad_notices_are_acknowledged_and_other_event_types_ignored() {
    let harness = Harness::start().await;
    let mailer = harness.mailer();
    let finalized = finalized_event(
        "test/producer",
        "ev-other",
        &json!({ "invoice_id": "INV-OTHER" }),
    );
    let mut newer_major: Value = serde_json::from_str(&finalized).expect("JSON");
    newer_major["type"] = json!("invoice.pdf.ready.v2");
    for body in [
        "this is not JSON".to_owned(),
        newer_major.to_string(),
        finalized,
    ] {
        pdf_mailer::handle(&mailer, sns_event(&body, "sns-bad"), CLAIM_TTL)
            .await
            .unwrap_or_else(|error| panic!("{body}: retrying cannot help, yet: {error}"));
    }
    assert!(harness.emails().is_empty());
    assert!(harness.stack.keys().await.is_empty(), "nothing was claimed");
}

#[tokio::test]
async fn while_s3_is_down_the_invocation_fails_so_that_lambda_retries_it() {
    let mut harness = Harness::start().await;
    let (notice, _) = harness
        .ready_notice("INV-DOWN-MAIL", Some("ap@contoso.example"))
        .await;
    let mailer = harness.mailer();
    harness.moto.stop();
    let error = deliver(&mailer, &notice, CLAIM_TTL)
        .await
        .expect_err("a dependency is down");
    assert!(error.to_string().contains("s3"), "{error}");
}

#[tokio::test]
async fn an_xrechnung_notice_sends_its_xml_attached_beside_the_pdf() {
    let harness = Harness::start().await;
    let document: Value =
        serde_json::from_slice(&paperflow_tests::sample("einvoice-xrechnung.json")).expect("JSON");
    let (notice, pdf) = harness.ready_notice_of(&document).await;
    let invoice_id = notice["data"]["invoice_id"].as_str().expect("an id");
    assert_eq!(notice["data"]["xml_key"], xml_key(invoice_id, 1));
    let xml = harness
        .stack
        .object(&xml_key(invoice_id, 1))
        .await
        .expect("the XML is stored");

    deliver(&harness.mailer(), &notice, CLAIM_TTL)
        .await
        .expect("mailed");
    let emails = harness.emails();
    assert_eq!(emails.len(), 1, "{emails:?}");
    let message = parse(&emails[0]);
    let attachments: Vec<_> = message.attachments().collect();
    assert_eq!(attachments.len(), 2, "the PDF and its XML");
    let of_type = |subtype: &str| {
        attachments
            .iter()
            .find(|part| {
                part.content_type().is_some_and(|kind| {
                    kind.ctype() == "application" && kind.subtype() == Some(subtype)
                })
            })
            .unwrap_or_else(|| panic!("an application/{subtype} attachment"))
    };
    assert!(of_type("pdf").contents() == pdf.as_slice());
    let attached_xml = of_type("xml");
    assert_eq!(
        attached_xml.attachment_name(),
        Some(format!("{invoice_id}.xml").as_str())
    );
    assert!(
        attached_xml.contents() == xml.as_slice(),
        "the XML attachment decodes byte-identical to the stored XML"
    );
}
