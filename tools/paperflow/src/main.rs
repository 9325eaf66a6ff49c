//! `paperflow`: render and validate invoice documents from the shell, and trace what happened
//! to an invoice through the event archive.
//!
//! The command is a thin shell around the library: it reads files, calls
//! `paperflow_invoice::parse_invoice` and `paperflow_render::render`, and writes files; `trace`
//! reads the archive bucket through `paperflow-aws` and orders it with
//! `paperflow_pipeline::archive`. Exit codes: 0 all went well, 2 an input was invalid, 1 an I/O
//! or other failure.

mod local;
mod output;
mod trace;

use clap::{Parser, Subcommand};
use paperflow_render::{FontSet, PageSize, RenderOptions, font_files};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const EXAMPLES: &str = "\
Examples:
  paperflow render samples/invoice-small.json -o invoice.pdf
  paperflow render - -o - < invoice.json > invoice.pdf
  paperflow render samples/*.json --out-dir out/
  paperflow render invoice.json -o invoice.pdf --page-size letter
  PAPERFLOW_FALLBACK_FONTS=/usr/share/fonts/truetype/droid paperflow render cjk.json -o cjk.pdf
  paperflow validate samples/*.json
  paperflow trace INV-2026-000123 --archive-bucket paperflow-archive
  paperflow trace corr-42 --json --since 2026-11-26
  paperflow local                      # the whole stack on this machine, until Ctrl-C
  paperflow local --json --state-dir target/paperflow-local";

/// Render invoice documents as PDFs, and validate them.
#[derive(Parser)]
#[command(name = "paperflow", version, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render invoice documents (JSON) as PDFs.
    #[command(after_help = EXAMPLES)]
    Render {
        /// Invoice documents; `-` reads standard input.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Where to write the PDF of a single input; `-` writes standard output.
        #[arg(short, long, conflicts_with = "out_dir")]
        output: Option<PathBuf>,
        /// Folder for the PDFs of many inputs, each named after its input file.
        #[arg(long)]
        out_dir: Option<PathBuf>,
        /// Paper size: a4 or letter.
        #[arg(long, default_value = "a4")]
        page_size: PageSize,
        /// A font file, or a folder of them, for characters DejaVu Sans lacks (CJK, …).
        #[arg(long, env = font_files::ENV_VAR)]
        fallback_fonts: Option<PathBuf>,
    },
    /// Check invoice documents and print every problem with its JSON pointer.
    Validate {
        /// Invoice documents; `-` reads standard input.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
    },
    /// What happened to an invoice or a flow: its events from the archive, in time order.
    ///
    /// Reads the archive bucket with the AWS SDK's own configuration (region, credentials,
    /// AWS_ENDPOINT_URL). Prints time, source, type, subject and outcome, and the reason of
    /// each failure.
    Trace {
        /// A correlation id, or an invoice id.
        id: String,
        /// The archive bucket.
        #[arg(long, env = "ARCHIVE_BUCKET")]
        archive_bucket: String,
        /// Read only the archive's partitions from this date on (YYYY-MM-DD).
        #[arg(long)]
        since: Option<String>,
        /// JSON for tools instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// The whole stack on this machine, from infra/sam/template.yaml, until Ctrl-C.
    ///
    /// Starts moto's server (or uses --endpoint), creates the template's buckets, topics,
    /// queues and subscriptions, builds the functions and runs them under `cargo lambda watch`
    /// with the environment the template gives each, and connects them as AWS would: SQS event
    /// source mappings, SNS asynchronous invocations with retries and on-failure destinations,
    /// and the HTTP API on a loopback port. An edit to a function's sources rebuilds it and
    /// restarts it between invocations. Writes STATE_DIR/stack.json (endpoints, topic ARNs,
    /// buckets, the API's URL) for producers. Run it from the project's root.
    Local(local::LocalArgs),
}

/// How a run ended, worst outcome wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Ok,
    Invalid,
    Failed,
}

impl Outcome {
    fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Ok => ExitCode::SUCCESS,
            Outcome::Failed => ExitCode::from(1),
            Outcome::Invalid => ExitCode::from(2),
        }
    }
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Render {
            inputs,
            output,
            out_dir,
            page_size,
            fallback_fonts,
        } => render(
            &inputs,
            output,
            out_dir,
            page_size,
            fallback_fonts.as_deref(),
        ),
        Command::Validate { inputs } => validate(&inputs),
        Command::Trace {
            id,
            archive_bucket,
            since,
            json,
        } => {
            let request = trace::TraceRequest {
                query: id,
                bucket: archive_bucket,
                since,
                json,
            };
            reported(trace::run(&request))
        }
        Command::Local(args) => reported(local::run(args)),
    }
    .exit_code()
}

/// The outcome of a command that reports its failure as a message for the user.
fn reported(result: Result<(), String>) -> Outcome {
    match result {
        Ok(()) => Outcome::Ok,
        Err(message) => {
            eprintln!("error: {message}");
            Outcome::Failed
        }
    }
}

fn render(
    inputs: &[PathBuf],
    output: Option<PathBuf>,
    out_dir: Option<PathBuf>,
    page_size: PageSize,
    fallback_fonts: Option<&Path>,
) -> Outcome {
    let destinations: Vec<PathBuf> = match (output, out_dir) {
        (Some(output), None) if inputs.len() == 1 => vec![output],
        (Some(_), None) => {
            eprintln!(
                "error: -o names one output, but {} inputs were given: use --out-dir",
                inputs.len()
            );
            return Outcome::Failed;
        }
        (None, Some(dir)) => {
            if let Err(error) = std::fs::create_dir_all(&dir) {
                eprintln!("error: cannot create {}: {error}", dir.display());
                return Outcome::Failed;
            }
            match output::names_in(&dir, inputs) {
                Ok(paths) => paths,
                Err(message) => {
                    eprintln!("error: {message}");
                    return Outcome::Failed;
                }
            }
        }
        _ => {
            eprintln!(
                "error: say where the PDF goes: -o FILE (or -o - for standard output), or --out-dir DIR"
            );
            return Outcome::Failed;
        }
    };
    let fonts = match font_files::font_set(fallback_fonts) {
        Ok(fonts) => fonts,
        Err(message) => {
            eprintln!("error: {message}");
            return Outcome::Failed;
        }
    };
    let options = RenderOptions { page_size };
    inputs
        .iter()
        .zip(&destinations)
        .map(|(input, destination)| render_one(input, destination, &fonts, &options))
        .max()
        .unwrap_or(Outcome::Ok)
}

fn render_one(
    input: &Path,
    destination: &Path,
    fonts: &FontSet,
    options: &RenderOptions,
) -> Outcome {
    let name = input.display();
    let bytes = match output::read_input(input) {
        Ok(bytes) => bytes,
        Err(message) => {
            eprintln!("error: {message}");
            return Outcome::Failed;
        }
    };
    let invoice = match paperflow_invoice::parse_invoice(&bytes) {
        Ok(invoice) => invoice,
        Err(violations) => {
            eprintln!("{name}: invalid invoice, nothing written:");
            for violation in violations.iter() {
                eprintln!("  {violation}");
            }
            return Outcome::Invalid;
        }
    };
    let pdf = match paperflow_render::render(&invoice, fonts, options) {
        Ok(pdf) => pdf,
        Err(error) => {
            eprintln!("{name}: {error}");
            return Outcome::Failed;
        }
    };
    for warning in pdf.warnings() {
        eprintln!("warning: {name}: {warning}");
    }
    if let Err(message) = output::write_atomically(destination, &pdf.bytes) {
        eprintln!("error: {message}");
        return Outcome::Failed;
    }
    if destination != Path::new("-") {
        eprintln!(
            "{name}: wrote {} ({} page{}, {} bytes)",
            destination.display(),
            pdf.pages,
            if pdf.pages == 1 { "" } else { "s" },
            pdf.bytes.len()
        );
    }
    Outcome::Ok
}

fn validate(inputs: &[PathBuf]) -> Outcome {
    let mut outcome = Outcome::Ok;
    for input in inputs {
        let name = input.display();
        let bytes = match output::read_input(input) {
            Ok(bytes) => bytes,
            Err(message) => {
                eprintln!("error: {message}");
                outcome = outcome.max(Outcome::Failed);
                continue;
            }
        };
        match paperflow_invoice::parse_invoice(&bytes) {
            Ok(invoice) => println!(
                "{name}: valid: invoice {} revision {}, {} line{}, total {}",
                invoice.id,
                invoice.revision,
                invoice.lines.len(),
                if invoice.lines.len() == 1 { "" } else { "s" },
                invoice
                    .currency
                    .format_with_code(invoice.totals.gross_minor)
            ),
            Err(violations) => {
                println!("{name}: invalid, {} problem(s):", violations.len());
                for violation in violations.iter() {
                    println!("  {violation}");
                }
                outcome = outcome.max(Outcome::Invalid);
            }
        }
    }
    outcome
}
