//! `make chaos` in small, inside `make test`: the whole local stack with faults on every
//! service (10 % errors, 2 % lost answers, 2 % resets, kills at 5 %) takes 100 invoices from a
//! producer outside the Rust code (scripts/chaos.py, boto3), duplicated, revised out of order
//! and mixed with poison, over SNS and the API's 202 path; the account it builds from what the
//! stack really holds afterwards must have every input accounted for and nothing unexplained.
//!
//! The same run against LocalStack checks all of that but the e-mails (LocalStack community
//! has no SES v2). Killed batches come back after about a minute: the runs lower the queues'
//! visibility timeout through the template's QueueVisibilityTimeout parameter.
//!
//! The first start builds the functions (minutes on a cold machine).

use paperflow_local::localstack::LocalStackServer;
use paperflow_tests::repo_root;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// The seed of the inputs, the faults and the kills: a failure names it, and the same seed
/// replays the same run (`scripts/chaos.py --invoices 100 --seed 20261205`).
const SEED: &str = "20261205";

/// The pdf-requests and archive queues' visibility timeout for these runs (the template's
/// QueueVisibilityTimeout, 210 s deployed): a batch that a kill failed comes back after about
/// a minute (the local stack, as Lambda, keeps a batch hidden for at least its batching window
/// plus the function's timeout plus 30 s), not three and a half.
const VISIBILITY_TIMEOUT_S: &str = "30";

/// The account of `chaos.py --invoices 100` against the local stack (with `extra` arguments),
/// and its printed table; the test fails with the table when the run is not all accounted for.
fn chaos_run(scratch: &Path, extra: &[&str]) -> (Value, String) {
    let root = repo_root();
    let account_path = scratch.join("chaos-account.json");
    let output = Command::new(root.join(".tools/venv/bin/python"))
        .current_dir(&root)
        .arg("scripts/chaos.py")
        .args(["--invoices", "100", "--seed", SEED])
        .args(["--queue-visibility-timeout", VISIBILITY_TIMEOUT_S])
        .arg("--paperflow")
        .arg(env!("CARGO_BIN_EXE_paperflow"))
        .arg("--state-dir")
        .arg(scratch.join("stack"))
        .arg("--work-dir")
        .arg(scratch.join("work"))
        .arg("--account")
        .arg(&account_path)
        .args(["--deadline", "900"])
        .args(extra)
        .output()
        .expect("chaos.py runs (make tools installs boto3)");
    let table = String::from_utf8_lossy(&output.stdout).into_owned();
    let stack_log = std::fs::read_to_string(scratch.join("stack/stack.log")).unwrap_or_default();
    assert!(
        output.status.success(),
        "chaos.py --seed {SEED} {extra:?} found what it cannot account for:\n{table}\n{}\nstack log (end):\n{}",
        String::from_utf8_lossy(&output.stderr),
        tail(&stack_log, 60)
    );
    let account =
        serde_json::from_slice(&std::fs::read(&account_path).expect("the account")).expect("JSON");
    (account, table)
}

/// What a user relies on, figure by figure, whichever emulator ran the stack: every input
/// has its outcome, every PDF is there once and as `paperflow render` makes it, the archive
/// holds every event once and the sampled traces are whole.
fn assert_accounted_for(account: &Value, table: &str) {
    // The run really was chaotic: faults of several kinds and the producer's mix of inputs.
    let injected = account["faults"]["injected"]
        .as_object()
        .expect("fault counts");
    assert!(
        injected.len() >= 3,
        "faults of several kinds were injected: {injected:?}"
    );
    assert_eq!(account["inputs"]["by_kind"]["valid"], 130, "{table}");
    assert!(
        account["inputs"]["by_path"]["api"].as_u64() > Some(0),
        "{table}"
    );
    assert!(
        account["inputs"]["deliveries"].as_u64() > account["inputs"]["total"].as_u64(),
        "inputs were delivered more than once: {table}"
    );

    assert_eq!(account["inputs"]["without_outcome"], 0, "{table}");
    let pdfs = &account["pdfs"];
    assert_eq!(pdfs["missing"], 0, "{table}");
    assert_eq!(pdfs["stray"], 0, "{table}");
    assert_eq!(pdfs["identical_to_render"], pdfs["expected"], "{table}");
    assert_eq!(
        pdfs["latest_at_highest_revision"], pdfs["invoices"],
        "{table}"
    );
    // A message archived twice is allowed only where the archive's design allows it: a put
    // that succeeded unreported (its answer lost, the invocation killed or timed out).
    assert_eq!(account["archive"]["twice_unexplained"], 0, "{table}");
    assert_eq!(account["archive"]["events_missing"], 0, "{table}");
    assert_eq!(
        account["archive"]["traces_complete"], account["archive"]["traced"],
        "{table}"
    );
    assert!(
        account["invocations"]["pdf-generator"]["invocations"].as_u64() > Some(0),
        "invocations are counted per function: {table}"
    );
}

#[test]
fn a_hundred_invoices_under_faults_are_all_accounted_for() {
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let (account, table) = chaos_run(scratch.path(), &[]);
    assert_accounted_for(&account, &table);
    let emails = &account["emails"];
    assert_eq!(emails["checked"], true, "{table}");
    assert_eq!(emails["second_unexplained"], 0, "{table}");
    assert_eq!(emails["without_email"], 0, "{table}");
    assert_eq!(emails["stray"], 0, "{table}");
}

/// The same run against LocalStack community (scripts/install-localstack.sh): a second
/// emulator no one here wrote. It has no SES v2, so the mailer does not run there and the
/// account says that it did not check the e-mails, rather than passing them silently.
#[test]
fn a_hundred_invoices_under_faults_on_localstack_are_all_accounted_for() {
    let root = repo_root();
    let scratch = tempfile::tempdir().expect("a scratch folder");
    // Its error names scripts/install-localstack.sh when LocalStack is not installed.
    let localstack = LocalStackServer::start_for_project(&root, scratch.path())
        .unwrap_or_else(|error| panic!("LocalStack starts: {error}"));
    let endpoint = localstack.endpoint();
    let (account, table) = chaos_run(scratch.path(), &["--endpoint", &endpoint]);
    assert_accounted_for(&account, &table);
    let emails = &account["emails"];
    assert_eq!(emails["checked"], false, "{table}");
    assert!(
        emails["why"]
            .as_str()
            .is_some_and(|why| why.contains("mailer unavailable on this emulator")),
        "{table}"
    );
    assert!(
        table.contains("not checked (mailer unavailable on this emulator"),
        "the table says so: {table}"
    );
}

/// The last `lines` lines of `text`.
fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
