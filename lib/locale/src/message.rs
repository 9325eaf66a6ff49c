//! The texts an invoice prints, by name: one [`Message`] per key of the `.ftl` catalogues.
//!
//! The enum is the contract between the renderer and the translators: the renderer can only ask
//! for a text that exists, and the catalogue test checks that every language's file has every
//! key with exactly the arguments listed here.

/// Declares the messages: variant, Fluent key, and the names of the arguments it takes.
macro_rules! messages {
    ($enum:ident { $( $(#[$doc:meta])* $variant:ident = $key:literal [$($arg:literal),*], )* }) => {
        /// A text of the catalogue.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $enum {
            $( $(#[$doc])* $variant, )*
        }

        impl $enum {
            /// Every message, in the order of the `.ftl` files.
            pub const ALL: &'static [$enum] = &[ $( $enum::$variant, )* ];

            /// The message's key in the `.ftl` files: `"bill-to"`.
            pub const fn key(self) -> &'static str {
                match self { $( $enum::$variant => $key, )* }
            }

            /// The names of the arguments the message takes (`$page` → `"page"`).
            pub const fn args(self) -> &'static [&'static str] {
                match self { $( $enum::$variant => &[$($arg),*], )* }
            }
        }
    };
}

messages!(Message {
    /// "INVOICE", the title of an invoice (BT-3 380).
    InvoiceTitle = "invoice-title" [],
    /// "CREDIT NOTE", the title of a credit note (BT-3 381).
    CreditNoteTitle = "credit-note-title" [],
    /// "Invoice number" (BT-1 of an invoice).
    InvoiceNumber = "invoice-number" [],
    /// "Credit note number" (BT-1 of a credit note).
    CreditNoteNumber = "credit-note-number" [],
    /// "Revision" of the document.
    Revision = "revision" [],
    /// "Issue date" (BT-2).
    IssueDate = "issue-date" [],
    /// "Due date" (BT-9).
    DueDate = "due-date" [],
    /// "Delivery date" (BT-72).
    DeliveryDate = "delivery-date" [],
    /// "Currency" (BT-5).
    Currency = "currency" [],
    /// "Order reference" (BT-13).
    OrderReference = "order-reference" [],
    /// "Buyer reference" (BT-10).
    BuyerReference = "buyer-reference" [],
    /// "Preceding invoice" (BG-3), on a credit note.
    PrecedingInvoice = "preceding-invoice" [],
    /// "INV-1 of 1 Nov 2026": the preceding invoice's number and issue date.
    PrecedingInvoiceOf = "preceding-invoice-of" ["id", "date"],
    /// "BILL TO", above the buyer.
    BillTo = "bill-to" [],
    /// "VAT ID DE123…" (BT-31, BT-48).
    VatId = "vat-id" ["id"],
    /// "Tax number 22/815/08154" (BT-32).
    TaxNumber = "tax-number" ["number"],
    /// "Registration HRB 12345" (BT-30, BT-47).
    LegalId = "legal-id" ["id"],
    /// "Contact" (BG-6, BG-9).
    Contact = "contact" [],
    /// "Phone".
    Phone = "phone" [],
    /// "E-mail".
    Email = "email" [],
    /// "Description", the heading of the line table's first column.
    ColumnDescription = "column-description" [],
    /// "Quantity".
    ColumnQuantity = "column-quantity" [],
    /// "Unit price (EUR)".
    ColumnUnitPrice = "column-unit-price" ["currency"],
    /// "Tax", the rate column.
    ColumnTax = "column-tax" [],
    /// "Amount (EUR)".
    ColumnAmount = "column-amount" ["currency"],
    /// "Net total", the sum of the line nets (BT-106).
    NetTotal = "net-total" [],
    /// "Allowance", a document-level allowance without a reason (BG-20).
    Allowance = "allowance" [],
    /// "Charge", a document-level charge without a reason (BG-21).
    Charge = "charge" [],
    /// "Allowances", their sum (BT-107).
    AllowancesTotal = "allowances-total" [],
    /// "Charges", their sum (BT-108).
    ChargesTotal = "charges-total" [],
    /// "Total without VAT" (BT-109).
    TaxExclusiveTotal = "tax-exclusive-total" [],
    /// "Tax 19 % on 1.234,56": one line of tax per rate.
    TaxLine = "tax-line" ["rate", "base"],
    /// "Total VAT" (BT-110).
    TaxTotal = "tax-total" [],
    /// "Total with VAT" (BT-112).
    GrossTotal = "gross-total" [],
    /// "Paid in advance" (BT-113).
    Prepaid = "prepaid" [],
    /// "Total due", the last line of the totals (BT-115, the v1 name).
    TotalDue = "total-due" [],
    /// "Amount due" (BT-115), in the payment instructions.
    AmountDue = "amount-due" [],
    /// "VAT breakdown", the heading of the table of BG-23.
    VatBreakdown = "vat-breakdown" [],
    /// "Category" (BT-118).
    VatBreakdownCategory = "vat-breakdown-category" [],
    /// "Rate" (BT-119).
    VatBreakdownRate = "vat-breakdown-rate" [],
    /// "Taxable amount" (BT-116).
    VatBreakdownBasis = "vat-breakdown-basis" [],
    /// "VAT amount" (BT-117).
    VatBreakdownTax = "vat-breakdown-tax" [],
    /// Tax category S: "Standard rate".
    TaxCategoryS = "tax-category-s" [],
    /// Tax category Z: "Zero rated".
    TaxCategoryZ = "tax-category-z" [],
    /// Tax category E: "Exempt from VAT".
    TaxCategoryE = "tax-category-e" [],
    /// Tax category AE: "Reverse charge".
    TaxCategoryAe = "tax-category-ae" [],
    /// Tax category K: "Intra-community supply".
    TaxCategoryK = "tax-category-k" [],
    /// Tax category G: "Export outside the EU".
    TaxCategoryG = "tax-category-g" [],
    /// Tax category O: "Not subject to VAT".
    TaxCategoryO = "tax-category-o" [],
    /// Tax category L: "Canary Islands IGIC".
    TaxCategoryL = "tax-category-l" [],
    /// Tax category M: "Ceuta and Melilla IPSI".
    TaxCategoryM = "tax-category-m" [],
    /// "Reverse charge: the recipient is liable for the VAT": a category's name and its
    /// exemption reason (BT-120), one line per exempt category.
    ExemptionReason = "exemption-reason" ["category", "reason"],
    /// The reason printed for category AE when the document gives none.
    ExemptionDefaultAe = "exemption-default-ae" [],
    /// The reason printed for category K when the document gives none.
    ExemptionDefaultK = "exemption-default-k" [],
    /// The reason printed for category G when the document gives none.
    ExemptionDefaultG = "exemption-default-g" [],
    /// The reason printed for categories E and O when the document gives none.
    ExemptionDefaultE = "exemption-default-e" [],
    /// "NOTES", above the document's notes.
    Notes = "notes" [],
    /// "Page 1 of 3", in every page's footer.
    PageOf = "page-of" ["page", "pages"],
    /// "Invoice INV-1 (continued)", at the top of a following page.
    InvoiceContinued = "invoice-continued" ["id"],
    /// "Credit note CN-1 (continued)".
    CreditNoteContinued = "credit-note-continued" ["id"],
    /// "Payment", the heading of the payment instructions.
    Payment = "payment" [],
    /// "IBAN" (BT-84).
    PaymentIban = "payment-iban" [],
    /// "BIC" (BT-86).
    PaymentBic = "payment-bic" [],
    /// "Account holder" (BT-85).
    PaymentAccountName = "payment-account-name" [],
    /// "Reference" (BT-83).
    PaymentReference = "payment-reference" [],
    /// "Payment terms" (BT-20).
    PaymentTerms = "payment-terms" [],
    /// "Please transfer 1.234,56 € by 26.12.2026, quoting the reference INV-1."
    PaymentInstruction = "payment-instruction" ["amount", "date", "reference"],
    /// "The amount of 100,00 € will be credited to you." on a credit note.
    CreditNoteInstruction = "credit-note-instruction" ["amount"],
    /// "Scan to pay", the caption under the EPC QR code.
    ScanToPay = "scan-to-pay" [],
    /// "Invoice INV-1", the title in the PDF's document information.
    DocumentInvoice = "document-invoice" ["id"],
    /// "Credit note CN-1", the same for a credit note.
    DocumentCreditNote = "document-credit-note" ["id"],
    /// "Invoice INV-1 to Acme", the subject in the PDF's document information.
    DocumentSubject = "document-subject" ["document", "buyer"],
    /// "Payment means" (BT-81).
    PaymentMeans = "payment-means" [],
    /// Payment means 1 (UNTDID 4461): "Not defined".
    PaymentMeans1 = "payment-means-1" [],
    /// Payment means 10: "Cash".
    PaymentMeans10 = "payment-means-10" [],
    /// Payment means 20: "Cheque".
    PaymentMeans20 = "payment-means-20" [],
    /// Payment means 30: "Credit transfer".
    PaymentMeans30 = "payment-means-30" [],
    /// Payment means 31: "Debit transfer".
    PaymentMeans31 = "payment-means-31" [],
    /// Payment means 42: "Payment to bank account".
    PaymentMeans42 = "payment-means-42" [],
    /// Payment means 48: "Bank card".
    PaymentMeans48 = "payment-means-48" [],
    /// Payment means 49: "Direct debit".
    PaymentMeans49 = "payment-means-49" [],
    /// Payment means 57: "Standing agreement".
    PaymentMeans57 = "payment-means-57" [],
    /// Payment means 58: "SEPA credit transfer".
    PaymentMeans58 = "payment-means-58" [],
    /// Payment means 59: "SEPA direct debit".
    PaymentMeans59 = "payment-means-59" [],
    /// Payment means 97: "Clearing between partners".
    PaymentMeans97 = "payment-means-97" [],
});

impl Message {
    /// The name of a payment means by its UNTDID 4461 code (`"58"`), as BT-81 prints it.
    pub fn payment_means(code: &str) -> Option<Message> {
        Some(match code {
            "1" => Message::PaymentMeans1,
            "10" => Message::PaymentMeans10,
            "20" => Message::PaymentMeans20,
            "30" => Message::PaymentMeans30,
            "31" => Message::PaymentMeans31,
            "42" => Message::PaymentMeans42,
            "48" => Message::PaymentMeans48,
            "49" => Message::PaymentMeans49,
            "57" => Message::PaymentMeans57,
            "58" => Message::PaymentMeans58,
            "59" => Message::PaymentMeans59,
            "97" => Message::PaymentMeans97,
            _ => return None,
        })
    }

    /// The name of a tax category by its UNCL5305 code (`"AE"`), as BT-118 prints it.
    pub fn tax_category(code: &str) -> Option<Message> {
        Some(match code {
            "S" => Message::TaxCategoryS,
            "Z" => Message::TaxCategoryZ,
            "E" => Message::TaxCategoryE,
            "AE" => Message::TaxCategoryAe,
            "K" => Message::TaxCategoryK,
            "G" => Message::TaxCategoryG,
            "O" => Message::TaxCategoryO,
            "L" => Message::TaxCategoryL,
            "M" => Message::TaxCategoryM,
            _ => return None,
        })
    }

    /// The exemption reason printed for a category (UNCL5305 code) whose document gives no
    /// reason (BT-120), where the category needs one (BR-AE-10, BR-IC-10, BR-G-10, BR-E-10,
    /// BR-O-10).
    pub fn default_exemption_reason(code: &str) -> Option<Message> {
        Some(match code {
            "AE" => Message::ExemptionDefaultAe,
            "K" => Message::ExemptionDefaultK,
            "G" => Message::ExemptionDefaultG,
            "E" | "O" => Message::ExemptionDefaultE,
            _ => return None,
        })
    }
}

messages!(QrBillText {
    /// "Payment part", the title of the right part.
    PaymentPart = "qr-payment-part" [],
    /// "Receipt", the title of the left part.
    Receipt = "qr-receipt" [],
    /// "Account / Payable to": the creditor.
    AccountPayableTo = "qr-account-payable-to" [],
    /// "Reference".
    Reference = "qr-reference" [],
    /// "Additional information".
    AdditionalInformation = "qr-additional-information" [],
    /// "Currency".
    Currency = "qr-currency" [],
    /// "Amount".
    Amount = "qr-amount" [],
    /// "Payable by": the debtor.
    PayableBy = "qr-payable-by" [],
    /// "Payable by (name/address)": above the empty box when there is no debtor.
    PayableByNameAddress = "qr-payable-by-name-address" [],
    /// "In favour of".
    InFavourOf = "qr-in-favour-of" [],
    /// "Acceptance point", on the receipt.
    AcceptancePoint = "qr-acceptance-point" [],
    /// "Separate before paying in", above the perforation when it is not printed.
    SeparateBeforePayingIn = "qr-separate-before-paying-in" [],
    /// "DO NOT USE FOR PAYMENT", on a notification with amount 0.
    DoNotUseForPayment = "qr-do-not-use-for-payment" [],
});
