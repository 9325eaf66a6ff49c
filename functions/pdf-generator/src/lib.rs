//! pdf-generator: an SQS-triggered Lambda function (ReportBatchItemFailures).
//!
//! Each record of the pdf-requests queue carries an `invoice.finalized.v1` event. The function
//! renders the invoice, stores `invoices/{id}/r{revision}.pdf` in the documents bucket, moves
//! the latest pointer, and announces `invoice.pdf.ready.v1` on the document-events topic; an
//! input that can never succeed is announced as `invoice.pdf.failed.v1` instead, and a record
//! only a fix of the deployment can process goes to the queue's dead-letter queue at once. All
//! of that is `paperflow_pipeline::PdfGenerator` and `paperflow_lambda`'s batch policy; this
//! crate only wires them to Lambda, and `main.rs` only builds the clients and reads the
//! configuration ([`default_einvoice`]).

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use paperflow_lambda::metrics::{Unit, emit};
use paperflow_lambda::{BatchSettings, Record, RecordProcessor, send_to_dead_letter_queue};
use paperflow_pipeline::generate::EInvoiceFormat;
use paperflow_pipeline::{
    DeadLetter, DeadLetterQueue, DocumentStore, EventPublisher, NoDeadLetterQueue, PdfGenerator,
    RecordFailure, ThemeSource,
};
use std::sync::Arc;

const FUNCTION: &str = "pdf-generator";

/// Records rendered at the same time within one batch.
pub const CONCURRENCY: usize = 4;

/// The deployment's e-invoice for documents that name none, from `EINVOICE_FORMAT` as set
/// (`None`: unset, a plain PDF). Read once at start: a value that is no format stops the
/// function there, with the variable and the allowed values, instead of failing every record.
pub fn default_einvoice(configured: Option<&str>) -> Result<EInvoiceFormat, String> {
    configured.map_or(Ok(EInvoiceFormat::None), |value| {
        value
            .parse()
            .map_err(|rule| format!("EINVOICE_FORMAT {value:?}: {rule}"))
    })
}

/// Turns each record of the pdf-requests queue into a stored PDF and a notice.
pub struct PdfRequests<S, P, D = NoDeadLetterQueue> {
    generator: PdfGenerator<S, P>,
    dead_letters: D,
}

impl<S, P> PdfRequests<S, P> {
    /// Processes records with `generator`; without a dead-letter queue, a misconfigured
    /// record is left for redelivery.
    pub fn new(generator: PdfGenerator<S, P>) -> Self {
        PdfRequests {
            generator,
            dead_letters: NoDeadLetterQueue,
        }
    }
}

impl<S, P, D> PdfRequests<S, P, D> {
    /// The same, handing misconfigured records to `dead_letters` (pdf-requests-dlq).
    pub fn with_dead_letter_queue<Q>(self, dead_letters: Q) -> PdfRequests<S, P, Q> {
        PdfRequests {
            generator: self.generator,
            dead_letters,
        }
    }
}

impl<S, P, D> RecordProcessor for PdfRequests<S, P, D>
where
    S: DocumentStore + ThemeSource + 'static,
    P: EventPublisher + 'static,
    D: DeadLetterQueue + 'static,
{
    async fn process(&self, record: &Record<'_>) -> Result<(), RecordFailure> {
        let generated = self.generator.generate(record.body).await?;
        let duplicate = f64::from(u8::from(generated.duplicate));
        emit(
            FUNCTION,
            &[
                ("rendered", 1.0 - duplicate, Unit::Count),
                ("duplicate", duplicate, Unit::Count),
                ("render_ms", generated.render_ms, Unit::Milliseconds),
                ("bytes", generated.notice.data.size as f64, Unit::Bytes),
            ],
        );
        Ok(())
    }

    async fn reject(
        &self,
        record: &Record<'_>,
        failure: &RecordFailure,
    ) -> Result<(), RecordFailure> {
        self.generator.reject(record.body, failure).await?;
        emit(FUNCTION, &[("failed", 1.0, Unit::Count)]);
        Ok(())
    }

    async fn dead_letter(&self, letter: &DeadLetter<'_>) -> Result<(), RecordFailure> {
        send_to_dead_letter_queue(&self.dead_letters, letter).await
    }
}

/// The Lambda handler: one SQS batch in, the records to deliver again out.
pub async fn handle<S, P, D>(
    requests: Arc<PdfRequests<S, P, D>>,
    batch: SqsEvent,
) -> Result<SqsBatchResponse, lambda_runtime::Error>
where
    S: DocumentStore + ThemeSource + 'static,
    P: EventPublisher + 'static,
    D: DeadLetterQueue + 'static,
{
    let settings = BatchSettings {
        function: FUNCTION,
        concurrency: CONCURRENCY,
    };
    let (response, _) = paperflow_lambda::process_batch(requests, batch, settings).await?;
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deployment_default_is_a_plain_pdf_unless_a_format_is_named() {
        assert_eq!(default_einvoice(None), Ok(EInvoiceFormat::None));
        assert_eq!(
            default_einvoice(Some("xrechnung")),
            Ok(EInvoiceFormat::XRechnung)
        );
        assert_eq!(
            default_einvoice(Some("factur-x")),
            Ok(EInvoiceFormat::FacturX)
        );
    }

    #[test]
    fn an_unknown_format_names_the_variable_and_the_allowed_values() {
        let error = default_einvoice(Some("zugferd")).expect_err("no such format");
        assert_eq!(
            error,
            "EINVOICE_FORMAT \"zugferd\": must be \"none\", \"factur-x\", \"xrechnung\" or \"peppol\""
        );
    }
}
