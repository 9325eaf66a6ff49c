//! `paperflow`: render and validate invoice documents from the shell, and trace what happened
//! to an invoice through the event archive.
//!
//! The command is a thin shell around the library: it reads files, calls
//! `paperflow_invoice::parse_invoice`, `paperflow_einvoice::to_xml` and
//! `paperflow_render::render`, and writes files; `trace`
//! reads the archive bucket through `paperflow-aws` and orders it with
//! `paperflow_pipeline::archive`. Exit codes: 0 all went well, 2 an input was invalid, 1 an I/O
//! or other failure.

mod dlq;
mod local;
mod output;
mod themes;
mod trace;

use clap::{Parser, Subcommand};
use paperflow_einvoice::EInvoiceFormat;
use paperflow_invoice::Invoice;
use paperflow_render::{FacturX, FontSet, PageSize, RenderOptions, RenderedPdf, font_files};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use themes::ThemeFolder;

const EXAMPLES: &str = "\
Examples:
  paperflow render samples/invoice-small.json -o invoice.pdf
  paperflow render - -o - < invoice.json > invoice.pdf
  paperflow render samples/*.json --out-dir out/
  paperflow render invoice.json -o invoice.pdf --page-size letter
  paperflow render invoice.json -o invoice.pdf --einvoice factur-x   # one PDF/A-3b with its XML
  paperflow render invoice.json -o invoice.pdf --einvoice xrechnung  # invoice.pdf + invoice.xml
  paperflow render samples/invoice-de-branded.json -o branded.pdf --theme-dir samples/themes
  PAPERFLOW_FALLBACK_FONTS=/usr/share/fonts/truetype/droid paperflow render cjk.json -o cjk.pdf
  paperflow validate samples/*.json
  paperflow fonts export target/fonts-layer/fonts   # the faces the functions read from the layer
  paperflow validate --einvoice peppol invoice.json   # and every BT Peppol still misses
  paperflow trace INV-2026-000123 --archive-bucket paperflow-archive
  paperflow trace corr-42 --json --since 2026-11-26
  paperflow local                      # the whole stack on this machine, until Ctrl-C
  paperflow local --json --state-dir target/paperflow-local
  paperflow dlq list                   # dead letters of the local stack (stack.json)
  paperflow dlq show pdf-requests-dlq
  paperflow dlq redrive pdf-requests-dlq --dry-run
  paperflow dlq list --stack-resources resources.json --parameter-override Stage=prod   # on AWS";

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
        /// A font file, or a folder of them, for characters DejaVu Sans lacks (CJK, …). A
        /// folder's own DejaVuSans*.ttf (the fonts layer's) are skipped: the bundled ones draw.
        #[arg(long, env = font_files::ENV_VAR)]
        fallback_fonts: Option<PathBuf>,
        /// The e-invoice of a document that names none: none, factur-x (one PDF/A-3b with the
        /// XML inside), xrechnung or peppol (the PDF and its XML beside it, X.pdf and X.xml).
        /// A document's own `einvoice` field wins.
        #[arg(long, env = "EINVOICE_FORMAT", default_value = "none")]
        einvoice: EInvoiceFormat,
        /// Folder of themes: a document whose `theme` is NAME is rendered with
        /// DIR/NAME/theme.json and its logo. Without it, such a document renders unbranded.
        #[arg(long)]
        theme_dir: Option<PathBuf>,
    },
    /// Check invoice documents and print every problem with its JSON pointer.
    Validate {
        /// Invoice documents; `-` reads standard input.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Also check that each document can become this e-invoice (none, factur-x, xrechnung,
        /// peppol), listing every missing business term. A document's own `einvoice` wins.
        #[arg(long, env = "EINVOICE_FORMAT", default_value = "none")]
        einvoice: EInvoiceFormat,
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
    /// The dead letters of a stack: list its dead-letter queues and on-failure destinations,
    /// show their messages decoded, and redrive them to where they came from.
    ///
    /// Reads the local stack's stack.json, or on AWS the JSON of `aws cloudformation
    /// list-stack-resources`, with the template the stack was deployed from.
    Dlq(dlq::DlqArgs),
    /// The fonts paperflow draws with.
    Fonts {
        #[command(subcommand)]
        command: FontsCommand,
    },
}

#[derive(Subcommand)]
enum FontsCommand {
    /// Write DejaVu Sans regular and bold, exactly as paperflow embeds them, with their licence.
    ///
    /// The Lambda functions carry no font: they read these two files from the fonts layer's
    /// folder (PAPERFLOW_FALLBACK_FONTS) and refuse any other bytes. scripts/build-fonts-layer.sh
    /// writes the layer's copies with this command.
    Export {
        /// The folder to write DejaVuSans.ttf, DejaVuSans-Bold.ttf and dejavu.copyright into
        /// (created if missing; existing files are replaced).
        folder: PathBuf,
    },
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
            einvoice,
            theme_dir,
        } => render(
            &inputs,
            output,
            out_dir,
            RenderOptions {
                page_size,
                ..RenderOptions::default()
            },
            fallback_fonts.as_deref(),
            einvoice,
            theme_dir.map(ThemeFolder::new),
        ),
        Command::Validate { inputs, einvoice } => validate(&inputs, einvoice),
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
        Command::Fonts {
            command: FontsCommand::Export { folder },
        } => export_fonts(&folder),
        Command::Local(args) => reported(local::run(args)),
        Command::Dlq(args) => reported(dlq::run(args)),
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

/// The command's fonts: the bundled DejaVu Sans faces, then the fallbacks at `fallback_fonts`.
/// A fonts layer's folder draws as in the functions: its own DejaVu files are the same bytes as
/// the bundled ones and are not added again.
fn command_font_set(fallback_fonts: Option<&Path>) -> Result<FontSet, String> {
    let fonts = paperflow_bundled_fonts::font_set().map_err(|error| error.to_string())?;
    match fallback_fonts {
        Some(path) => font_files::with_fallback_fonts(fonts, path),
        None => Ok(fonts),
    }
}

/// `paperflow fonts export DIR`: the bundled faces and their licence, as the fonts layer holds
/// them.
fn export_fonts(folder: &Path) -> Outcome {
    match paperflow_bundled_fonts::export(folder) {
        Ok(written) => {
            for path in written {
                println!("{}", path.display());
            }
            Outcome::Ok
        }
        Err(error) => {
            eprintln!(
                "error: cannot write the fonts into {}: {error}",
                folder.display()
            );
            Outcome::Failed
        }
    }
}

fn render(
    inputs: &[PathBuf],
    output: Option<PathBuf>,
    out_dir: Option<PathBuf>,
    options: RenderOptions,
    fallback_fonts: Option<&Path>,
    einvoice: EInvoiceFormat,
    mut themes: Option<ThemeFolder>,
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
    let fonts = match command_font_set(fallback_fonts) {
        Ok(fonts) => fonts,
        Err(message) => {
            eprintln!("error: {message}");
            return Outcome::Failed;
        }
    };
    inputs
        .iter()
        .zip(&destinations)
        .map(|(input, destination)| {
            render_one(
                input,
                destination,
                &fonts,
                &options,
                einvoice,
                themes.as_mut(),
            )
        })
        .max()
        .unwrap_or(Outcome::Ok)
}

/// The e-invoice a document becomes: its own choice, else the command's.
fn format_of(invoice: &Invoice, default: EInvoiceFormat) -> EInvoiceFormat {
    invoice.einvoice.unwrap_or(default)
}

/// A rendered document: the PDF, and the XML that goes beside it for XRechnung and Peppol.
struct Rendered {
    pdf: RenderedPdf,
    beside: Option<Vec<u8>>,
}

/// Renders `invoice` as `format` asks: a plain PDF, a Factur-X PDF with the XML inside, or a
/// PDF and its XML. A document that cannot become its e-invoice is refused whole: no PDF
/// without its XML.
fn render_as(
    name: &dyn std::fmt::Display,
    invoice: &Invoice,
    format: EInvoiceFormat,
    fonts: &FontSet,
    options: &RenderOptions,
) -> Result<Rendered, Outcome> {
    let xml = match format {
        EInvoiceFormat::None => None,
        _ => match paperflow_einvoice::to_xml(invoice, format) {
            Ok(xml) => Some(xml),
            Err(violations) => {
                eprintln!(
                    "{name}: cannot become an e-invoice as {format}, nothing written, {} problem(s):",
                    violations.len()
                );
                for violation in &violations {
                    eprintln!("  {violation}");
                }
                return Err(Outcome::Invalid);
            }
        },
    };
    let (options, beside) = match (format, xml) {
        (EInvoiceFormat::FacturX, Some(xml)) => (
            RenderOptions {
                factur_x: Some(FacturX { xml }),
                ..options.clone()
            },
            None,
        ),
        (_, xml) => (options.clone(), xml),
    };
    match paperflow_render::render(invoice, fonts, &options) {
        Ok(pdf) => Ok(Rendered { pdf, beside }),
        Err(error) => {
            eprintln!("{name}: {error}");
            Err(Outcome::Failed)
        }
    }
}

fn render_one(
    input: &Path,
    destination: &Path,
    fonts: &FontSet,
    options: &RenderOptions,
    einvoice: EInvoiceFormat,
    themes: Option<&mut ThemeFolder>,
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
    // A document's theme comes from --theme-dir; one that names a theme that is not there, or
    // is invalid, is refused whole rather than printed half-branded.
    let themed;
    let options = match (&invoice.theme, themes) {
        (Some(theme_name), Some(themes)) => match themes.theme(theme_name) {
            Ok(theme) => {
                themed = RenderOptions {
                    theme: Some(theme),
                    ..options.clone()
                };
                &themed
            }
            Err(message) => {
                eprintln!("{name}: {message}, nothing written");
                return Outcome::Invalid;
            }
        },
        (Some(theme_name), None) => {
            eprintln!(
                "warning: {name}: names theme {:?}; without --theme-dir it renders unbranded",
                theme_name.as_str()
            );
            options
        }
        (None, _) => options,
    };
    let format = format_of(&invoice, einvoice);
    let xml_destination = destination.with_extension("xml");
    if destination == Path::new("-")
        && matches!(format, EInvoiceFormat::XRechnung | EInvoiceFormat::Peppol)
    {
        eprintln!(
            "error: {name}: an e-invoice as {format} is a PDF and an XML file, and standard output holds one: use -o FILE or --out-dir DIR"
        );
        return Outcome::Failed;
    }
    let rendered = match render_as(&name, &invoice, format, fonts, options) {
        Ok(rendered) => rendered,
        Err(outcome) => return outcome,
    };
    let pdf = &rendered.pdf;
    for warning in pdf.warnings() {
        eprintln!("warning: {name}: {warning}");
    }
    // The XML first: should the PDF then fail, the XML is taken back, so that neither is
    // left without the other.
    if let Some(xml) = &rendered.beside
        && let Err(message) = output::write_atomically(&xml_destination, xml)
    {
        eprintln!("error: {message}");
        return Outcome::Failed;
    }
    if let Err(message) = output::write_atomically(destination, &pdf.bytes) {
        if rendered.beside.is_some() {
            let _ = std::fs::remove_file(&xml_destination);
        }
        eprintln!("error: {message}");
        return Outcome::Failed;
    }
    if destination != Path::new("-") {
        let kind = match format {
            EInvoiceFormat::FacturX => ", Factur-X PDF/A-3b with factur-x.xml",
            _ => "",
        };
        eprintln!(
            "{name}: wrote {} ({} page{}, {} bytes{kind})",
            destination.display(),
            pdf.pages,
            if pdf.pages == 1 { "" } else { "s" },
            pdf.bytes.len()
        );
        if let Some(xml) = &rendered.beside {
            eprintln!(
                "{name}: wrote {} ({format}, {} bytes)",
                xml_destination.display(),
                xml.len()
            );
        }
    }
    Outcome::Ok
}

fn validate(inputs: &[PathBuf], einvoice: EInvoiceFormat) -> Outcome {
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
            Ok(invoice) => {
                println!(
                    "{name}: valid: invoice {} revision {}, {} line{}, total {}",
                    invoice.id,
                    invoice.revision,
                    invoice.lines.len(),
                    if invoice.lines.len() == 1 { "" } else { "s" },
                    invoice
                        .currency
                        .format_with_code(invoice.totals.gross_minor)
                );
                outcome = outcome.max(validate_einvoice(&name, &invoice, einvoice));
            }
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

/// Says whether a valid invoice can become its e-invoice, with every missing business term.
fn validate_einvoice(
    name: &dyn std::fmt::Display,
    invoice: &Invoice,
    default: EInvoiceFormat,
) -> Outcome {
    let format = format_of(invoice, default);
    if format == EInvoiceFormat::None {
        return Outcome::Ok;
    }
    match paperflow_einvoice::check(invoice, format) {
        Ok(()) => {
            println!("{name}: can become an e-invoice as {format}");
            Outcome::Ok
        }
        Err(violations) => {
            println!(
                "{name}: cannot become an e-invoice as {format}, {} problem(s):",
                violations.len()
            );
            for violation in &violations {
                println!("  {violation}");
            }
            Outcome::Invalid
        }
    }
}
