# The fixed texts of the Swiss QR-bill in English, word for word as the SIX Implementation
# Guidelines QR-bill 2.x prescribe them (annex "Designations in the payment part and receipt").
# Do not translate freely: a bank may reject a QR-bill whose headings differ.
qr-payment-part = Payment part
qr-receipt = Receipt
qr-account-payable-to = Account / Payable to
qr-reference = Reference
qr-additional-information = Additional information
qr-currency = Currency
qr-amount = Amount
qr-payable-by = Payable by
qr-payable-by-name-address = Payable by (name/address)
qr-in-favour-of = In favour of
qr-acceptance-point = Acceptance point
qr-separate-before-paying-in = Separate before paying in
qr-do-not-use-for-payment = DO NOT USE FOR PAYMENT
