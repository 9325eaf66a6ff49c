# paperflow invoice texts: Polish (pl).
# One message per text the invoice PDF prints. Keep every key; translate the text after "=".
# { $name } is filled in by paperflow with an already formatted value (a number, an amount,
# a date); keep each one of them in the translation.

## Title and invoice facts
invoice-title = FAKTURA
credit-note-title = FAKTURA KORYGUJĄCA
invoice-number = Numer faktury
credit-note-number = Numer faktury korygującej
revision = Wersja
issue-date = Data wystawienia
due-date = Termin płatności
delivery-date = Data dostawy
currency = Waluta
order-reference = Numer zamówienia
buyer-reference = Referencja nabywcy
preceding-invoice = Faktura korygowana
preceding-invoice-of = { $id } z { $date }

## Parties
bill-to = NABYWCA
vat-id = NIP UE { $id }
tax-number = NIP { $number }
legal-id = KRS { $id }
contact = Osoba kontaktowa
phone = Telefon
email = E-mail

## Line table
column-description = Opis
column-quantity = Ilość
column-unit-price = Cena jedn. ({ $currency })
column-tax = VAT
column-amount = Wartość ({ $currency })

## Totals
net-total = Suma netto
allowance = Rabat
charge = Opłata dodatkowa
allowances-total = Rabaty
charges-total = Opłaty dodatkowe
tax-exclusive-total = Razem netto
tax-line = VAT { $rate } od { $base }
tax-total = Razem VAT
gross-total = Razem brutto
prepaid = Zapłacono z góry
total-due = Do zapłaty
amount-due = Kwota do zapłaty

## VAT breakdown and tax categories (UNCL5305)
vat-breakdown = Zestawienie VAT
vat-breakdown-category = Kategoria
vat-breakdown-rate = Stawka
vat-breakdown-basis = Podstawa opodatkowania
vat-breakdown-tax = Kwota VAT
tax-category-s = Stawka podstawowa
tax-category-z = Stawka zerowa
tax-category-e = Zwolnione z VAT
tax-category-ae = Odwrotne obciążenie
tax-category-k = Dostawa wewnątrzwspólnotowa
tax-category-g = Eksport poza UE
tax-category-o = Niepodlegające VAT
tax-category-l = IGIC Wysp Kanaryjskich
tax-category-m = IPSI Ceuty i Melilli
exemption-reason = { $category }: { $reason }
exemption-default-ae = Odwrotne obciążenie: VAT rozlicza nabywca
exemption-default-k = Wewnątrzwspólnotowa dostawa towarów, zwolniona z VAT
exemption-default-g = Eksport towarów, zwolniony z VAT
exemption-default-e = Zwolnione z VAT

## Notes and page furniture
notes = UWAGI
page-of = Strona { $page } z { $pages }
invoice-continued = Faktura { $id } (ciąg dalszy)
credit-note-continued = Faktura korygująca { $id } (ciąg dalszy)

## Payment
payment = Płatność
payment-iban = IBAN
payment-bic = BIC
payment-account-name = Właściciel rachunku
payment-reference = Tytuł przelewu
payment-terms = Warunki płatności
payment-instruction = Prosimy o przelew { $amount } do { $date } z tytułem { $reference }.
credit-note-instruction = Kwota { $amount } zostanie Państwu zwrócona.
scan-to-pay = Zeskanuj, aby zapłacić

## The PDF's document information (title and subject)
document-invoice = Faktura { $id }
document-credit-note = Faktura korygująca { $id }
document-subject = { $document } dla { $buyer }

## Payment means (UNTDID 4461)
payment-means = Forma płatności
payment-means-1 = Nieokreślona
payment-means-10 = Gotówka
payment-means-20 = Czek
payment-means-30 = Przelew
payment-means-31 = Polecenie obciążenia
payment-means-42 = Wpłata na rachunek bankowy
payment-means-48 = Karta płatnicza
payment-means-49 = Polecenie zapłaty
payment-means-57 = Zlecenie stałe
payment-means-58 = Przelew SEPA
payment-means-59 = Polecenie zapłaty SEPA
payment-means-97 = Rozliczenie między partnerami
