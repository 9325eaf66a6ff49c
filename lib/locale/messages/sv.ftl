# paperflow invoice texts: Swedish (sv).
# One message per text the invoice PDF prints. Keep every key; translate the text after "=".
# { $name } is filled in by paperflow with an already formatted value (a number, an amount,
# a date); keep each one of them in the translation.

## Title and invoice facts
invoice-title = FAKTURA
credit-note-title = KREDITFAKTURA
invoice-number = Fakturanummer
credit-note-number = Kreditfakturanummer
revision = Version
issue-date = Fakturadatum
due-date = Förfallodatum
delivery-date = Leveransdatum
currency = Valuta
order-reference = Ordernummer
buyer-reference = Er referens
preceding-invoice = Ursprunglig faktura
preceding-invoice-of = { $id } den { $date }

## Parties
bill-to = FAKTURERAS TILL
vat-id = Momsreg.nr { $id }
tax-number = Skattenummer { $number }
legal-id = Org.nr { $id }
contact = Kontaktperson
phone = Telefon
email = E-post

## Line table
column-description = Beskrivning
column-quantity = Antal
column-unit-price = À-pris ({ $currency })
column-tax = Moms
column-amount = Belopp ({ $currency })

## Totals
net-total = Summa netto
allowance = Rabatt
charge = Avgift
allowances-total = Rabatter
charges-total = Avgifter
tax-exclusive-total = Summa exkl. moms
tax-line = Moms { $rate } på { $base }
tax-total = Summa moms
gross-total = Summa inkl. moms
prepaid = Redan betalt
total-due = Att betala
amount-due = Belopp att betala

## VAT breakdown and tax categories (UNCL5305)
vat-breakdown = Momsspecifikation
vat-breakdown-category = Kategori
vat-breakdown-rate = Sats
vat-breakdown-basis = Underlag
vat-breakdown-tax = Momsbelopp
tax-category-s = Normalsats
tax-category-z = Nollsats
tax-category-e = Momsfri
tax-category-ae = Omvänd skattskyldighet
tax-category-k = Unionsintern leverans
tax-category-g = Export utanför EU
tax-category-o = Ej momspliktig
tax-category-l = IGIC Kanarieöarna
tax-category-m = IPSI Ceuta och Melilla
exemption-reason = { $category }: { $reason }
exemption-default-ae = Omvänd skattskyldighet: köparen redovisar momsen
exemption-default-k = Unionsintern leverans, undantagen från moms
exemption-default-g = Export, undantagen från moms
exemption-default-e = Undantagen från moms

## Notes and page furniture
notes = ANTECKNINGAR
page-of = Sida { $page } av { $pages }
invoice-continued = Faktura { $id } (forts.)
credit-note-continued = Kreditfaktura { $id } (forts.)

## Payment
payment = Betalning
payment-iban = IBAN
payment-bic = BIC
payment-account-name = Kontohavare
payment-reference = Referens
payment-terms = Betalningsvillkor
payment-instruction = Vänligen betala { $amount } senast { $date } och ange referensen { $reference }.
credit-note-instruction = Beloppet { $amount } krediteras er.
scan-to-pay = Skanna för att betala

## The PDF's document information (title and subject)
document-invoice = Faktura { $id }
document-credit-note = Kreditfaktura { $id }
document-subject = { $document } till { $buyer }

## Payment means (UNTDID 4461)
payment-means = Betalningssätt
payment-means-1 = Ej angivet
payment-means-10 = Kontant
payment-means-20 = Check
payment-means-30 = Kreditöverföring
payment-means-31 = Debetöverföring
payment-means-42 = Betalning till bankkonto
payment-means-48 = Bankkort
payment-means-49 = Autogiro
payment-means-57 = Stående överenskommelse
payment-means-58 = SEPA-överföring
payment-means-59 = SEPA-autogiro
payment-means-97 = Avräkning mellan parter
