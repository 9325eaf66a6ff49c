# The fixed texts of the Swiss QR-bill in Italian, word for word as the SIX Implementation
# Guidelines QR-bill 2.x prescribe them (annex "Designations in the payment part and receipt").
# Do not translate freely: a bank may reject a QR-bill whose headings differ.
qr-payment-part = Sezione pagamento
qr-receipt = Ricevuta
qr-account-payable-to = Conto / Pagabile a
qr-reference = Riferimento
qr-additional-information = Informazioni supplementari
qr-currency = Valuta
qr-amount = Importo
qr-payable-by = Pagabile da
qr-payable-by-name-address = Pagabile da (nome/indirizzo)
qr-in-favour-of = A favore di
qr-acceptance-point = Punto di accettazione
qr-separate-before-paying-in = Da staccare prima del versamento
qr-do-not-use-for-payment = NON UTILIZZARE PER IL PAGAMENTO
