# The fixed texts of the Swiss QR-bill in French, word for word as the SIX Implementation
# Guidelines QR-bill 2.x prescribe them (annex "Designations in the payment part and receipt").
# Do not translate freely: a bank may reject a QR-bill whose headings differ.
qr-payment-part = Section paiement
qr-receipt = Récépissé
qr-account-payable-to = Compte / Payable à
qr-reference = Référence
qr-additional-information = Informations supplémentaires
qr-currency = Monnaie
qr-amount = Montant
qr-payable-by = Payable par
qr-payable-by-name-address = Payable par (nom/adresse)
qr-in-favour-of = En faveur de
qr-acceptance-point = Point de dépôt
qr-separate-before-paying-in = A détacher avant le versement
qr-do-not-use-for-payment = NE PAS UTILISER POUR LE PAIEMENT
