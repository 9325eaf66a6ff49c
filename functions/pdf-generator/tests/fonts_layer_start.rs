//! The pdf-generator's start with the fonts layer: the function carries no font, so the layer's
//! DejaVu Sans faces (at PAPERFLOW_FALLBACK_FONTS) must be there, and be paperflow's own bytes,
//! or the function stops at start, saying which variable, which file and what is wrong, instead
//! of drawing documents with another font.

use std::path::Path;
use std::process::{Command, Output};

/// The function's process as Lambda starts it, with the configuration it reads before its fonts
/// (nothing is called: the process stops before it asks the runtime API for an event).
fn start_with_fonts(fonts: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pdf-generator"));
    command
        .env_clear()
        .env("AWS_REGION", "eu-central-1")
        .env("AWS_ACCESS_KEY_ID", "AKIDFONTSLAYERTEST00")
        .env("AWS_SECRET_ACCESS_KEY", "fonts-layer-test")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")
        .env("DOCUMENTS_BUCKET", "paperflow-documents")
        .env(
            "DOCUMENT_EVENTS_TOPIC_ARN",
            "arn:aws:sns:eu-central-1:000000000000:document-events",
        )
        .env(
            "DEAD_LETTER_QUEUE_URL",
            "http://127.0.0.1:9/000000000000/pdf-requests-dlq",
        );
    if let Some(fonts) = fonts {
        command.env("PAPERFLOW_FALLBACK_FONTS", fonts);
    }
    command.output().expect("the function's binary runs")
}

fn stopped_at_start_saying(output: &Output) -> String {
    assert!(!output.status.success(), "the function started");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn without_the_layer_variable_the_function_does_not_start() {
    let message = stopped_at_start_saying(&start_with_fonts(None));
    assert!(
        message.contains("PAPERFLOW_FALLBACK_FONTS is not set")
            && message.contains("DejaVuSans.ttf"),
        "{message}"
    );
}

#[test]
fn a_layer_without_dejavu_sans_stops_the_start_naming_the_variable_and_the_file() {
    let layer = tempfile::tempdir().expect("a temporary folder");
    paperflow_bundled_fonts::export(layer.path()).expect("exported");
    std::fs::remove_file(layer.path().join("DejaVuSans-Bold.ttf")).expect("removed");
    let message = stopped_at_start_saying(&start_with_fonts(Some(layer.path())));
    let missing = layer.path().join("DejaVuSans-Bold.ttf");
    assert!(
        message.contains("PAPERFLOW_FALLBACK_FONTS=")
            && message.contains(&missing.display().to_string())
            && message.contains("scripts/build-fonts-layer.sh"),
        "{message}"
    );
}

#[test]
fn a_face_with_other_bytes_is_refused_with_its_digest_and_the_expected_one() {
    let layer = tempfile::tempdir().expect("a temporary folder");
    paperflow_bundled_fonts::export(layer.path()).expect("exported");
    // A real font, parseable, but not the bold face: the regular one under the bold's name.
    std::fs::write(
        layer.path().join("DejaVuSans-Bold.ttf"),
        paperflow_bundled_fonts::REGULAR,
    )
    .expect("written");
    let message = stopped_at_start_saying(&start_with_fonts(Some(layer.path())));
    let regular = paperflow_render::fonts::DEJAVU_SANS.sha256;
    let bold = paperflow_render::fonts::DEJAVU_SANS_BOLD.sha256;
    assert!(
        message.contains("DejaVuSans-Bold.ttf is not paperflow's DejaVu Sans Bold")
            && message.contains(&format!("its SHA-256 is {regular}, expected {bold}")),
        "{message}"
    );
}
