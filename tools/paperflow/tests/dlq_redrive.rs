//! `paperflow dlq` against moto: the template's queues created in a moto server of the test's
//! own (by the local stack's own provisioning), a `stack.json` naming them, and the real
//! command run as an operator would run it. moto has no StartMessageMoveTask, so every redrive
//! here is the receive-send-delete loop, and its promise is what is tested: a message leaves the
//! dead-letter queue only after the target took it.

use aws_sdk_sqs::types::{MessageAttributeValue, MessageSystemAttributeName, QueueAttributeName};
use paperflow_local::progress::Reporter;
use paperflow_local::spec::StackContext;
use paperflow_tests::moto::Moto;
use paperflow_tests::repo_root;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Output};

/// The template's queues in a moto server, and a state file that names them.
struct Fixture {
    _moto: Moto,
    dir: tempfile::TempDir,
    sqs: aws_sdk_sqs::Client,
    queues: BTreeMap<String, String>,
}

impl Fixture {
    async fn start() -> Fixture {
        let moto = Moto::start();
        let config = moto.sdk_config().await;
        let spec = paperflow_local::template::load(
            &repo_root().join("infra/sam/template.yaml"),
            &StackContext::default(),
            &BTreeMap::new(),
        )
        .expect("the project's template");
        let provisioned =
            paperflow_local::provision::provision(&spec, &config, &[], &Reporter::new(true))
                .await
                .expect("the template's resources in moto");
        let queues: BTreeMap<String, String> = spec
            .queues
            .iter()
            .map(|queue| {
                (
                    queue.logical_id.clone(),
                    provisioned.queue_urls[&queue.arn].clone(),
                )
            })
            .collect();
        let dir = tempfile::tempdir().expect("a state folder");
        let state = json!({
            "endpoint": moto.endpoint(),
            "region": "us-east-1",
            // No functions run in this tier: nothing listens there.
            "invoke_endpoint": "http://127.0.0.1:9",
            "parameters": spec.parameters,
            "queues": queues,
            "functions": {},
        });
        std::fs::write(dir.path().join("stack.json"), state.to_string()).expect("stack.json");
        Fixture {
            sqs: aws_sdk_sqs::Client::new(&config),
            _moto: moto,
            dir,
            queues,
        }
    }

    fn url(&self, logical_id: &str) -> &str {
        &self.queues[logical_id]
    }

    /// `paperflow dlq ARGS --state <the fixture's stack.json>`, from the project's root.
    fn dlq(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_paperflow"))
            .current_dir(repo_root())
            .arg("dlq")
            .args(args)
            .arg("--state")
            .arg(self.dir.path().join("stack.json"))
            .output()
            .expect("paperflow dlq runs")
    }

    /// Sends `body` to a queue with the attributes SNS's raw delivery gives an event.
    async fn send(&self, logical_id: &str, body: &str, invoice_id: &str) {
        let attribute = |value: &str| {
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
                .expect("an attribute")
        };
        self.sqs
            .send_message()
            .queue_url(self.url(logical_id))
            .message_body(body)
            .message_attributes("type", attribute("invoice.finalized.v1"))
            .message_attributes("subject", attribute(invoice_id))
            .send()
            .await
            .expect("sent");
    }

    /// Every message of a queue, taken: (body, the `subject` attribute).
    async fn drain(&self, logical_id: &str) -> BTreeSet<(String, String)> {
        let mut taken = BTreeSet::new();
        loop {
            let answer = self
                .sqs
                .receive_message()
                .queue_url(self.url(logical_id))
                .max_number_of_messages(10)
                .visibility_timeout(300)
                .message_attribute_names("All")
                .message_system_attribute_names(MessageSystemAttributeName::All)
                .send()
                .await
                .expect("received");
            if answer.messages().is_empty() {
                return taken;
            }
            for message in answer.messages() {
                let subject = message
                    .message_attributes()
                    .and_then(|attributes| attributes.get("subject"))
                    .and_then(|value| value.string_value())
                    .unwrap_or_default()
                    .to_owned();
                taken.insert((message.body().unwrap_or_default().to_owned(), subject));
            }
        }
    }
}

fn event(invoice_id: &str, padding: usize) -> String {
    json!({
        "specversion": "1.0",
        "id": format!("ev-{invoice_id}"),
        "source": "erp/billing",
        "type": "invoice.finalized.v1",
        "subject": invoice_id,
        "time": "2026-12-05T01:00:00Z",
        "correlationid": format!("corr-{invoice_id}"),
        "data": {"invoice_id": invoice_id, "revision": 2, "notes": "x".repeat(padding)}
    })
    .to_string()
}

fn stdout_lines(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect()
}

#[tokio::test]
async fn a_message_the_target_refuses_stays_in_the_dead_letter_queue_and_the_rest_move_with_their_attributes()
 {
    let fixture = Fixture::start().await;
    // The source queue takes at most 1 KiB: one dead letter is larger, and its send fails
    // while the others succeed, as a redrive interrupted for that message would be.
    fixture
        .sqs
        .set_queue_attributes()
        .queue_url(fixture.url("PdfRequestsQueue"))
        .attributes(QueueAttributeName::MaximumMessageSize, "1024")
        .send()
        .await
        .expect("a smaller limit");
    let mut expected = BTreeSet::new();
    for index in 0..12 {
        let id = format!("INV-DLQ-{index}");
        let body = event(&id, 0);
        fixture.send("PdfRequestsDeadLetterQueue", &body, &id).await;
        expected.insert((body, id));
    }
    let oversized = event("INV-DLQ-BIG", 2000);
    fixture
        .send("PdfRequestsDeadLetterQueue", &oversized, "INV-DLQ-BIG")
        .await;

    let output = fixture.dlq(&["redrive", "pdf-requests-dlq", "--json"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "one message is left: {stderr}"
    );
    assert!(
        stderr.contains(
            "1 message(s) could not be redriven and stay in paperflow-dev-pdf-requests-dlq"
        ),
        "{stderr}"
    );
    let lines = stdout_lines(&output);
    let left: Vec<&Value> = lines
        .iter()
        .filter(|line| line.get("left").is_some_and(Value::is_string))
        .collect();
    assert_eq!(left.len(), 1, "{lines:#?}");
    assert!(
        left[0]["left"]
            .as_str()
            .unwrap_or_default()
            .contains("shorter than 1024"),
        "the reason is SQS's: {lines:#?}"
    );
    let summary = lines.last().expect("a summary line");
    assert_eq!(summary["moved"], 12, "{summary}");
    assert_eq!(summary["to"], "queue paperflow-dev-pdf-requests");

    // Every moved message arrived once, with its body and attributes.
    assert_eq!(fixture.drain("PdfRequestsQueue").await, expected);
    // The refused one waits in the dead-letter queue, visible at once for the next attempt.
    let left_behind = fixture.drain("PdfRequestsDeadLetterQueue").await;
    assert_eq!(
        left_behind,
        BTreeSet::from([(oversized, "INV-DLQ-BIG".to_owned())])
    );
}

#[tokio::test]
async fn a_target_that_is_gone_keeps_every_message_in_the_dead_letter_queue() {
    let fixture = Fixture::start().await;
    let mut expected = BTreeSet::new();
    for index in 0..3 {
        let id = format!("INV-GONE-{index}");
        let body = event(&id, 0);
        fixture.send("ArchiveDeadLetterQueue", &body, &id).await;
        expected.insert((body, id));
    }
    fixture
        .sqs
        .delete_queue()
        .queue_url(fixture.url("ArchiveQueue"))
        .send()
        .await
        .expect("deleted");

    let output = fixture.dlq(&["redrive", "ArchiveDeadLetterQueue"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("3 message(s) could not be redriven"),
        "{stderr}"
    );
    assert_eq!(fixture.drain("ArchiveDeadLetterQueue").await, expected);
}

#[tokio::test]
async fn list_counts_show_decodes_and_a_dry_run_changes_nothing() {
    let fixture = Fixture::start().await;
    for index in 0..3 {
        let id = format!("INV-SHOW-{index}");
        fixture
            .send("PdfRequestsDeadLetterQueue", &event(&id, 0), &id)
            .await;
    }
    fixture
        .send(
            "PdfRequestsDeadLetterQueue",
            "this is not an event {",
            "poison",
        )
        .await;

    let listed = fixture.dlq(&["list", "--json"]);
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let rows: BTreeMap<String, Value> = stdout_lines(&listed)
        .into_iter()
        .map(|row| {
            (
                row["logical_id"].as_str().unwrap_or_default().to_owned(),
                row,
            )
        })
        .collect();
    let names: Vec<&str> = rows.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "AlarmDeliveriesDeadLetterQueue",
            "ArchiveDeadLetterQueue",
            "MailerFailuresQueue",
            "PdfRequestsDeadLetterQueue"
        ],
        "the queues no function consumes"
    );
    let pdf_dlq = &rows["PdfRequestsDeadLetterQueue"];
    assert_eq!(pdf_dlq["messages"], 4, "{pdf_dlq}");
    assert!(
        pdf_dlq["oldest_age_s"].as_i64().is_some_and(|age| age >= 0),
        "{pdf_dlq}"
    );
    assert_eq!(pdf_dlq["redrive_to"], "queue paperflow-dev-pdf-requests");
    assert_eq!(rows["ArchiveDeadLetterQueue"]["messages"], 0);
    assert_eq!(rows["ArchiveDeadLetterQueue"]["oldest_age_s"], Value::Null);
    // The template says whose failures the mailer's queue holds, run or not.
    assert_eq!(
        rows["MailerFailuresQueue"]["redrive_to"],
        "function PdfMailerFunction (invoked again)"
    );
    assert_eq!(
        rows["AlarmDeliveriesDeadLetterQueue"]["redrive_to"],
        "nowhere by default (--to)"
    );

    let shown = fixture.dlq(&["show", "pdf-requests-dlq", "--json"]);
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    let letters = stdout_lines(&shown);
    assert_eq!(letters.len(), 4, "{letters:#?}");
    let decoded: BTreeSet<(String, String)> = letters
        .iter()
        .filter(|letter| letter["shape"] == "event")
        .map(|letter| {
            assert_eq!(letter["type"], "invoice.finalized.v1");
            assert_eq!(letter["revision"], 2);
            assert!(
                letter["reason"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("no reason recorded"),
                "{letter}"
            );
            (
                letter["invoice_id"].as_str().unwrap_or_default().to_owned(),
                letter["correlation_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(
        decoded,
        (0..3)
            .map(|index| (
                format!("INV-SHOW-{index}"),
                format!("corr-INV-SHOW-{index}")
            ))
            .collect()
    );
    assert!(
        letters.iter().any(|letter| letter["shape"] == "unreadable"),
        "the poison message is shown as unreadable: {letters:#?}"
    );

    let dry = fixture.dlq(&["redrive", "pdf-requests-dlq", "--dry-run"]);
    let text = String::from_utf8_lossy(&dry.stdout);
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(
        text.contains("dry run: 4 message(s) of paperflow-dev-pdf-requests-dlq would go to queue paperflow-dev-pdf-requests; nothing changed"),
        "{text}"
    );
    assert_eq!(fixture.drain("PdfRequestsQueue").await, BTreeSet::new());
    assert_eq!(fixture.drain("PdfRequestsDeadLetterQueue").await.len(), 4);
}

#[tokio::test]
async fn a_queue_the_stack_does_not_have_is_refused_with_the_queues_it_has() {
    let fixture = Fixture::start().await;
    let output = fixture.dlq(&["show", "no-such-dlq"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("no queue \"no-such-dlq\" in the stack"),
        "{stderr}"
    );
    assert!(
        stderr.contains("paperflow-dev-pdf-requests-dlq"),
        "{stderr}"
    );
    let output = fixture.dlq(&["redrive", "alarm-deliveries-dlq"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no queue's redrive policy and no function's on-failure destination names paperflow-dev-alarm-deliveries-dlq"),
        "{stderr}"
    );
}
