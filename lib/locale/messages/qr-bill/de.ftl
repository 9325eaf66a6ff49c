# The fixed texts of the Swiss QR-bill in German, word for word as the SIX Implementation
# Guidelines QR-bill 2.x prescribe them (annex "Designations in the payment part and receipt").
# Do not translate freely: a bank may reject a QR-bill whose headings differ.
qr-payment-part = Zahlteil
qr-receipt = Empfangsschein
qr-account-payable-to = Konto / Zahlbar an
qr-reference = Referenz
qr-additional-information = Zusätzliche Informationen
qr-currency = Währung
qr-amount = Betrag
qr-payable-by = Zahlbar durch
qr-payable-by-name-address = Zahlbar durch (Name/Adresse)
qr-in-favour-of = Zugunsten
qr-acceptance-point = Annahmestelle
qr-separate-before-paying-in = Vor der Einzahlung abzutrennen
qr-do-not-use-for-payment = NICHT ZUR ZAHLUNG VERWENDEN
