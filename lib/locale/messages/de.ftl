# paperflow invoice texts: German (de).
# One message per text the invoice PDF prints. Keep every key; translate the text after "=".
# { $name } is filled in by paperflow with an already formatted value (a number, an amount,
# a date); keep each one of them in the translation.

## Title and invoice facts
invoice-title = RECHNUNG
credit-note-title = GUTSCHRIFT
invoice-number = Rechnungsnummer
credit-note-number = Gutschriftsnummer
revision = Revision
issue-date = Rechnungsdatum
due-date = Fällig am
delivery-date = Lieferdatum
currency = Währung
order-reference = Bestellnummer
buyer-reference = Käuferreferenz
preceding-invoice = Ursprüngliche Rechnung
preceding-invoice-of = { $id } vom { $date }

## Parties
bill-to = RECHNUNG AN
vat-id = USt-IdNr. { $id }
tax-number = Steuernummer { $number }
legal-id = Registernummer { $id }
contact = Ansprechpartner
phone = Telefon
email = E-Mail

## Line table
column-description = Beschreibung
column-quantity = Menge
column-unit-price = Einzelpreis ({ $currency })
column-tax = USt.
column-amount = Betrag ({ $currency })

## Totals
net-total = Nettosumme
allowance = Nachlass
charge = Zuschlag
allowances-total = Nachlässe
charges-total = Zuschläge
tax-exclusive-total = Gesamtbetrag netto
tax-line = USt. { $rate } auf { $base }
tax-total = Umsatzsteuer gesamt
gross-total = Gesamtbetrag brutto
prepaid = Bereits gezahlt
total-due = Zu zahlen
amount-due = Zahlbetrag

## VAT breakdown and tax categories (UNCL5305)
vat-breakdown = Aufschlüsselung der Umsatzsteuer
vat-breakdown-category = Kategorie
vat-breakdown-rate = Satz
vat-breakdown-basis = Bemessungsgrundlage
vat-breakdown-tax = Steuerbetrag
tax-category-s = Normalsatz
tax-category-z = Nullsatz
tax-category-e = Steuerbefreit
tax-category-ae = Umkehrung der Steuerschuldnerschaft
tax-category-k = Innergemeinschaftliche Lieferung
tax-category-g = Ausfuhr aus der EU
tax-category-o = Nicht steuerbar
tax-category-l = Kanarische Inseln IGIC
tax-category-m = Ceuta und Melilla IPSI
exemption-reason = { $category }: { $reason }
exemption-default-ae = Steuerschuldnerschaft des Leistungsempfängers
exemption-default-k = Steuerfreie innergemeinschaftliche Lieferung
exemption-default-g = Steuerfreie Ausfuhrlieferung
exemption-default-e = Steuerbefreit

## Notes and page furniture
notes = ANMERKUNGEN
page-of = Seite { $page } von { $pages }
invoice-continued = Rechnung { $id } (Fortsetzung)
credit-note-continued = Gutschrift { $id } (Fortsetzung)

## Payment
payment = Zahlung
payment-iban = IBAN
payment-bic = BIC
payment-account-name = Kontoinhaber
payment-reference = Verwendungszweck
payment-terms = Zahlungsbedingungen
payment-instruction = Bitte überweisen Sie { $amount } bis zum { $date } unter Angabe von { $reference }.
credit-note-instruction = Der Betrag von { $amount } wird Ihnen gutgeschrieben.
scan-to-pay = Zahlen mit Code

## The PDF's document information (title and subject)
document-invoice = Rechnung { $id }
document-credit-note = Gutschrift { $id }
document-subject = { $document } an { $buyer }

## Payment means (UNTDID 4461)
payment-means = Zahlungsart
payment-means-1 = Nicht angegeben
payment-means-10 = Barzahlung
payment-means-20 = Scheck
payment-means-30 = Überweisung
payment-means-31 = Belastungsübertragung
payment-means-42 = Zahlung auf Bankkonto
payment-means-48 = Bankkarte
payment-means-49 = Lastschrift
payment-means-57 = Dauerauftrag
payment-means-58 = SEPA-Überweisung
payment-means-59 = SEPA-Lastschrift
payment-means-97 = Verrechnung zwischen Partnern
