# paperflow invoice texts: English (en).
# One message per text the invoice PDF prints. Keep every key; translate the text after "=".
# { $name } is filled in by paperflow with an already formatted value (a number, an amount,
# a date); keep each one of them in the translation.

## Title and invoice facts
invoice-title = INVOICE
credit-note-title = CREDIT NOTE
invoice-number = Invoice number
credit-note-number = Credit note number
revision = Revision
issue-date = Issue date
due-date = Due date
delivery-date = Delivery date
currency = Currency
order-reference = Order reference
buyer-reference = Buyer reference
preceding-invoice = Preceding invoice
preceding-invoice-of = { $id } of { $date }

## Parties
bill-to = BILL TO
vat-id = VAT ID { $id }
tax-number = Tax number { $number }
legal-id = Registration { $id }
contact = Contact
phone = Phone
email = E-mail

## Line table
column-description = Description
column-quantity = Quantity
column-unit-price = Unit price ({ $currency })
column-tax = Tax
column-amount = Amount ({ $currency })

## Totals
net-total = Net total
allowance = Allowance
charge = Charge
allowances-total = Allowances
charges-total = Charges
tax-exclusive-total = Total without VAT
tax-line = Tax { $rate } on { $base }
tax-total = Total VAT
gross-total = Total with VAT
prepaid = Paid in advance
total-due = Total due
amount-due = Amount due

## VAT breakdown and tax categories (UNCL5305)
vat-breakdown = VAT breakdown
vat-breakdown-category = Category
vat-breakdown-rate = Rate
vat-breakdown-basis = Taxable amount
vat-breakdown-tax = VAT amount
tax-category-s = Standard rate
tax-category-z = Zero rated
tax-category-e = Exempt from VAT
tax-category-ae = Reverse charge
tax-category-k = Intra-community supply
tax-category-g = Export outside the EU
tax-category-o = Not subject to VAT
tax-category-l = Canary Islands IGIC
tax-category-m = Ceuta and Melilla IPSI
exemption-reason = { $category }: { $reason }
exemption-default-ae = Reverse charge: the recipient is liable for the VAT
exemption-default-k = Intra-community supply, exempt from VAT
exemption-default-g = Export outside the EU, exempt from VAT
exemption-default-e = Exempt from VAT

## Notes and page furniture
notes = NOTES
page-of = Page { $page } of { $pages }
invoice-continued = Invoice { $id } (continued)
credit-note-continued = Credit note { $id } (continued)

## Payment
payment = Payment
payment-iban = IBAN
payment-bic = BIC
payment-account-name = Account holder
payment-reference = Reference
payment-terms = Payment terms
payment-instruction = Please transfer { $amount } by { $date }, quoting the reference { $reference }.
credit-note-instruction = The amount of { $amount } will be credited to you.
scan-to-pay = Scan to pay

## The PDF's document information (title and subject)
document-invoice = Invoice { $id }
document-credit-note = Credit note { $id }
document-subject = { $document } to { $buyer }

## Payment means (UNTDID 4461)
payment-means = Payment means
payment-means-1 = Not defined
payment-means-10 = Cash
payment-means-20 = Cheque
payment-means-30 = Credit transfer
payment-means-31 = Debit transfer
payment-means-42 = Payment to bank account
payment-means-48 = Bank card
payment-means-49 = Direct debit
payment-means-57 = Standing agreement
payment-means-58 = SEPA credit transfer
payment-means-59 = SEPA direct debit
payment-means-97 = Clearing between partners
