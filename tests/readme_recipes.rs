//! The README's recipes, run as a new user would run them: the shell block is taken from
//! README.md as it is written and run by bash in the repository's root, with none of the
//! caller's AWS variables, so a recipe that only works on its author's machine fails here.
//!
//! It was a user who found the first one broken: the recipe exported `AWS_REGION`, which the
//! Rust SDK reads, but its boto3 one-liner stopped with NoRegionError (boto3 reads
//! `AWS_DEFAULT_REGION`), and moto was used before it listened.

use paperflow_local::process::{Signal, signal_group};
use paperflow_tests::repo_root;
use serde_json::Value;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The paragraph that introduces the recipe this test runs.
const MOTO_RECIPE: &str = "To run the function by hand against moto";

/// The loopback ports the recipe names (moto, cargo lambda watch).
const RECIPE_PORTS: [u16; 2] = [5000, 9000];

/// The whole recipe may take this long: its first invoke builds the pdf-generator (with the
/// features of that one binary, so partly anew even after the workspace's own build).
const RECIPE_DEADLINE: Duration = Duration::from_secs(1200);

/// The first ```sh block after the paragraph that contains `introduction`.
fn shell_block_after(readme: &str, introduction: &str) -> String {
    let start = readme
        .find(introduction)
        .unwrap_or_else(|| panic!("README.md no longer says {introduction:?}"));
    let rest = &readme[start..];
    let open = rest.find("```sh\n").expect("a ```sh block follows") + "```sh\n".len();
    let close = rest[open..].find("```").expect("the block is closed");
    rest[open..open + close].to_owned()
}

/// bash running `script` in the repository's root, in its own process group (so that the
/// recipe's background jobs can be stopped with it), with a clean AWS environment. Its output
/// goes to files: the background jobs keep pipes open long after the script ends.
struct Recipe {
    child: Child,
    output: tempfile::TempDir,
}

impl Recipe {
    fn start(script: &str) -> Recipe {
        let output = tempfile::tempdir().expect("a temporary folder");
        let file = |name: &str| std::fs::File::create(output.path().join(name)).expect("a file");
        let mut command = Command::new("bash");
        command
            .args(["-euo", "pipefail", "-c", script])
            .current_dir(repo_root())
            .stdin(Stdio::null())
            .stdout(file("stdout"))
            .stderr(file("stderr"))
            .process_group(0);
        for (name, _) in std::env::vars() {
            if name.starts_with("AWS_") {
                command.env_remove(name);
            }
        }
        Recipe {
            child: command.spawn().expect("bash runs"),
            output,
        }
    }

    /// Waits for the script to end; whether it succeeded, its standard output and its standard
    /// error.
    fn finish(&mut self) -> (bool, String, String) {
        let deadline = Instant::now() + RECIPE_DEADLINE;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("bash can be waited for") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "the recipe took longer than {RECIPE_DEADLINE:?}; so far:\n{}\n{}",
                self.read("stdout"),
                self.read("stderr")
            );
            std::thread::sleep(Duration::from_millis(200));
        };
        (status.success(), self.read("stdout"), self.read("stderr"))
    }

    /// What the script has written to `stream` ("stdout" or "stderr") so far.
    fn read(&self, stream: &str) -> String {
        std::fs::read_to_string(self.output.path().join(stream)).unwrap_or_default()
    }
}

impl Drop for Recipe {
    /// The recipe leaves moto and the watch running in the background, as a user's terminal
    /// would: stop the whole group.
    fn drop(&mut self) {
        signal_group(self.child.id(), Signal::TERM);
        let _ = self.child.wait();
    }
}

#[test]
fn the_moto_recipe_runs_as_written_and_the_function_answers_the_mixed_batch() {
    for port in RECIPE_PORTS {
        assert!(
            std::net::TcpListener::bind(("127.0.0.1", port)).is_ok(),
            "port {port}, which the README's recipe uses, is taken on this machine"
        );
    }
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let recipe = shell_block_after(&readme, MOTO_RECIPE);
    // After the recipe, what a user would look at next: the bucket's keys.
    let script = format!(
        "{recipe}\n.tools/venv/bin/python -c \"import boto3; \
         print('KEYS', *sorted(o['Key'] for o in boto3.client('s3').list_objects_v2(Bucket='docs')['Contents']))\"\n"
    );
    let mut running = Recipe::start(&script);
    let (success, stdout, stderr) = running.finish();
    assert!(success, "the recipe failed:\n{stdout}\n{stderr}");

    // The function's own log lines (its metrics are JSON too) reach the terminal beside the
    // invoke's answer: the answer is the object with `batchItemFailures`.
    let answer: Value = stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|value| value.get("batchItemFailures").is_some())
        .unwrap_or_else(|| panic!("the invoke printed no batch answer:\n{stdout}\n{stderr}"));
    assert_eq!(
        answer["batchItemFailures"],
        serde_json::json!([]),
        "the mixed batch has only permanent failures, which are acknowledged: {answer}"
    );
    let keys = stdout
        .lines()
        .find_map(|line| line.strip_prefix("KEYS "))
        .unwrap_or_else(|| panic!("no listing of the bucket:\n{stdout}\n{stderr}"));
    assert!(
        keys.split(' ')
            .any(|key| key.starts_with("invoices/") && key.ends_with(".pdf")),
        "the valid invoice of the batch is stored as a PDF: {keys}"
    );
}
