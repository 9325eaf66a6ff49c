# paperflow invoice texts: Dutch (nl).
# One message per text the invoice PDF prints. Keep every key; translate the text after "=".
# { $name } is filled in by paperflow with an already formatted value (a number, an amount,
# a date); keep each one of them in the translation.

## Title and invoice facts
invoice-title = FACTUUR
credit-note-title = CREDITNOTA
invoice-number = Factuurnummer
credit-note-number = Creditnotanummer
revision = Revisie
issue-date = Factuurdatum
due-date = Vervaldatum
delivery-date = Leverdatum
currency = Valuta
order-reference = Ordernummer
buyer-reference = Referentie koper
preceding-invoice = Oorspronkelijke factuur
preceding-invoice-of = { $id } van { $date }

## Parties
bill-to = FACTUUR AAN
vat-id = Btw-nummer { $id }
tax-number = Fiscaal nummer { $number }
legal-id = KvK-nummer { $id }
contact = Contactpersoon
phone = Telefoon
email = E-mail

## Line table
column-description = Omschrijving
column-quantity = Aantal
column-unit-price = Stukprijs ({ $currency })
column-tax = Btw
column-amount = Bedrag ({ $currency })

## Totals
net-total = Totaal netto
allowance = Korting
charge = Toeslag
allowances-total = Kortingen
charges-total = Toeslagen
tax-exclusive-total = Totaal exclusief btw
tax-line = Btw { $rate } over { $base }
tax-total = Totaal btw
gross-total = Totaal inclusief btw
prepaid = Reeds betaald
total-due = Te betalen
amount-due = Te betalen bedrag

## VAT breakdown and tax categories (UNCL5305)
vat-breakdown = Btw-specificatie
vat-breakdown-category = Categorie
vat-breakdown-rate = Tarief
vat-breakdown-basis = Grondslag
vat-breakdown-tax = Btw-bedrag
tax-category-s = Standaardtarief
tax-category-z = Nultarief
tax-category-e = Vrijgesteld van btw
tax-category-ae = Btw verlegd
tax-category-k = Intracommunautaire levering
tax-category-g = Uitvoer buiten de EU
tax-category-o = Niet onderworpen aan btw
tax-category-l = IGIC Canarische Eilanden
tax-category-m = IPSI Ceuta en Melilla
exemption-reason = { $category }: { $reason }
exemption-default-ae = Btw verlegd naar de afnemer
exemption-default-k = Intracommunautaire levering, vrijgesteld van btw
exemption-default-g = Uitvoer, vrijgesteld van btw
exemption-default-e = Vrijgesteld van btw

## Notes and page furniture
notes = OPMERKINGEN
page-of = Pagina { $page } van { $pages }
invoice-continued = Factuur { $id } (vervolg)
credit-note-continued = Creditnota { $id } (vervolg)

## Payment
payment = Betaling
payment-iban = IBAN
payment-bic = BIC
payment-account-name = Rekeninghouder
payment-reference = Betalingskenmerk
payment-terms = Betalingsvoorwaarden
payment-instruction = Gelieve { $amount } vóór { $date } over te maken onder vermelding van { $reference }.
credit-note-instruction = Het bedrag van { $amount } wordt aan u terugbetaald.
scan-to-pay = Scan om te betalen

## The PDF's document information (title and subject)
document-invoice = Factuur { $id }
document-credit-note = Creditnota { $id }
document-subject = { $document } aan { $buyer }

## Payment means (UNTDID 4461)
payment-means = Betaalwijze
payment-means-1 = Niet gedefinieerd
payment-means-10 = Contant
payment-means-20 = Cheque
payment-means-30 = Overschrijving
payment-means-31 = Debetoverdracht
payment-means-42 = Betaling op bankrekening
payment-means-48 = Bankkaart
payment-means-49 = Automatische incasso
payment-means-57 = Doorlopende afspraak
payment-means-58 = SEPA-overschrijving
payment-means-59 = SEPA-incasso
payment-means-97 = Verrekening tussen partners
