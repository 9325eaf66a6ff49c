//! `make chaos` in small, inside `make test`: the whole local stack with faults on every
//! service (10 % errors, 2 % lost answers, 2 % resets, kills at 5 %) takes 100 invoices from a
//! producer outside the Rust code (scripts/chaos.py, boto3), duplicated, revised out of order
//! and mixed with poison, over SNS and the API's 202 path; the account it builds from what the
//! stack really holds afterwards must have every input accounted for and nothing unexplained.
//!
//! The first start builds the functions (minutes on a cold machine).

use paperflow_tests::repo_root;
use serde_json::Value;
use std::process::Command;

/// The seed of the inputs, the faults and the kills: a failure names it, and the same seed
/// replays the same run (`scripts/chaos.py --invoices 100 --seed 20261205`).
const SEED: &str = "20261205";

#[test]
#[ignore = "not yet in make test: ~10 minutes here (each killed batch waits out the 210 s \
            visibility timeout) and second e-mails after a killed mailer are not yet \
            attributed to the kill; run it with `--ignored` or `make chaos`"]
fn a_hundred_invoices_under_faults_are_all_accounted_for() {
    let root = repo_root();
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let account_path = scratch.path().join("chaos-account.json");
    let output = Command::new(root.join(".tools/venv/bin/python"))
        .current_dir(&root)
        .arg("scripts/chaos.py")
        .args(["--invoices", "100", "--seed", SEED])
        .arg("--paperflow")
        .arg(env!("CARGO_BIN_EXE_paperflow"))
        .arg("--state-dir")
        .arg(scratch.path().join("stack"))
        .arg("--work-dir")
        .arg(scratch.path().join("work"))
        .arg("--account")
        .arg(&account_path)
        .args(["--deadline", "900"])
        .output()
        .expect("chaos.py runs (make tools installs boto3)");
    let table = String::from_utf8_lossy(&output.stdout).into_owned();
    let stack_log =
        std::fs::read_to_string(scratch.path().join("stack/stack.log")).unwrap_or_default();
    assert!(
        output.status.success(),
        "chaos.py --seed {SEED} found what it cannot account for:\n{table}\n{}\nstack log (end):\n{}",
        String::from_utf8_lossy(&output.stderr),
        tail(&stack_log, 60)
    );
    let account: Value =
        serde_json::from_slice(&std::fs::read(&account_path).expect("the account")).expect("JSON");

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

    // What a user relies on, figure by figure.
    assert_eq!(account["inputs"]["without_outcome"], 0, "{table}");
    let pdfs = &account["pdfs"];
    assert_eq!(pdfs["missing"], 0, "{table}");
    assert_eq!(pdfs["stray"], 0, "{table}");
    assert_eq!(pdfs["identical_to_render"], pdfs["expected"], "{table}");
    assert_eq!(
        pdfs["latest_at_highest_revision"], pdfs["invoices"],
        "{table}"
    );
    assert_eq!(account["emails"]["second_unexplained"], 0, "{table}");
    assert_eq!(account["emails"]["without_email"], 0, "{table}");
    assert_eq!(account["archive"]["messages_archived_twice"], 0, "{table}");
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

/// The last `lines` lines of `text`.
fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
