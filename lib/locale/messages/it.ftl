# paperflow invoice texts: Italian (it).
# One message per text the invoice PDF prints. Keep every key; translate the text after "=".
# { $name } is filled in by paperflow with an already formatted value (a number, an amount,
# a date); keep each one of them in the translation.

## Title and invoice facts
invoice-title = FATTURA
credit-note-title = NOTA DI CREDITO
invoice-number = Numero fattura
credit-note-number = Numero nota di credito
revision = Revisione
issue-date = Data di emissione
due-date = Data di scadenza
delivery-date = Data di consegna
currency = Valuta
order-reference = Riferimento ordine
buyer-reference = Riferimento acquirente
preceding-invoice = Fattura di riferimento
preceding-invoice-of = { $id } del { $date }

## Parties
bill-to = FATTURARE A
vat-id = Partita IVA { $id }
tax-number = Codice fiscale { $number }
legal-id = Registro imprese { $id }
contact = Contatto
phone = Telefono
email = E-mail

## Line table
column-description = Descrizione
column-quantity = Quantità
column-unit-price = Prezzo unitario ({ $currency })
column-tax = IVA
column-amount = Importo ({ $currency })

## Totals
net-total = Totale netto
allowance = Sconto
charge = Maggiorazione
allowances-total = Sconti
charges-total = Maggiorazioni
tax-exclusive-total = Totale imponibile
tax-line = IVA { $rate } su { $base }
tax-total = Totale IVA
gross-total = Totale IVA inclusa
prepaid = Già pagato
total-due = Totale da pagare
amount-due = Importo dovuto

## VAT breakdown and tax categories (UNCL5305)
vat-breakdown = Riepilogo IVA
vat-breakdown-category = Categoria
vat-breakdown-rate = Aliquota
vat-breakdown-basis = Imponibile
vat-breakdown-tax = Imposta
tax-category-s = Aliquota ordinaria
tax-category-z = Aliquota zero
tax-category-e = Esente IVA
tax-category-ae = Inversione contabile
tax-category-k = Cessione intracomunitaria
tax-category-g = Esportazione fuori UE
tax-category-o = Fuori campo IVA
tax-category-l = IGIC delle Canarie
tax-category-m = IPSI di Ceuta e Melilla
exemption-reason = { $category }: { $reason }
exemption-default-ae = Inversione contabile: l’imposta è dovuta dal destinatario
exemption-default-k = Cessione intracomunitaria non imponibile
exemption-default-g = Esportazione non imponibile
exemption-default-e = Esente IVA

## Notes and page furniture
notes = NOTE
page-of = Pagina { $page } di { $pages }
invoice-continued = Fattura { $id } (segue)
credit-note-continued = Nota di credito { $id } (segue)

## Payment
payment = Pagamento
payment-iban = IBAN
payment-bic = BIC
payment-account-name = Intestatario del conto
payment-reference = Causale
payment-terms = Condizioni di pagamento
payment-instruction = Si prega di bonificare { $amount } entro il { $date } indicando la causale { $reference }.
credit-note-instruction = L’importo di { $amount } le verrà accreditato.
scan-to-pay = Scansiona per pagare

## The PDF's document information (title and subject)
document-invoice = Fattura { $id }
document-credit-note = Nota di credito { $id }
document-subject = { $document } a { $buyer }

## Payment means (UNTDID 4461)
payment-means = Modalità di pagamento
payment-means-1 = Non definito
payment-means-10 = Contanti
payment-means-20 = Assegno
payment-means-30 = Bonifico
payment-means-31 = Trasferimento di addebito
payment-means-42 = Pagamento su conto bancario
payment-means-48 = Carta bancaria
payment-means-49 = Addebito diretto
payment-means-57 = Accordo permanente
payment-means-58 = Bonifico SEPA
payment-means-59 = Addebito diretto SEPA
payment-means-97 = Compensazione tra partner
