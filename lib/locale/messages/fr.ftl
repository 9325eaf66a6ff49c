# paperflow invoice texts: French (fr).
# One message per text the invoice PDF prints. Keep every key; translate the text after "=".
# { $name } is filled in by paperflow with an already formatted value (a number, an amount,
# a date); keep each one of them in the translation.

## Title and invoice facts
invoice-title = FACTURE
credit-note-title = AVOIR
invoice-number = Numéro de facture
credit-note-number = Numéro d’avoir
revision = Révision
issue-date = Date d’émission
due-date = Date d’échéance
delivery-date = Date de livraison
currency = Devise
order-reference = Référence de commande
buyer-reference = Référence acheteur
preceding-invoice = Facture d’origine
preceding-invoice-of = { $id } du { $date }

## Parties
bill-to = FACTURÉ À
vat-id = N° TVA { $id }
tax-number = Numéro fiscal { $number }
legal-id = Immatriculation { $id }
contact = Contact
phone = Téléphone
email = E-mail

## Line table
column-description = Désignation
column-quantity = Quantité
column-unit-price = Prix unitaire ({ $currency })
column-tax = TVA
column-amount = Montant ({ $currency })

## Totals
net-total = Total net
allowance = Remise
charge = Frais
allowances-total = Remises
charges-total = Frais
tax-exclusive-total = Total HT
tax-line = TVA { $rate } sur { $base }
tax-total = Total TVA
gross-total = Total TTC
prepaid = Acompte versé
total-due = Net à payer
amount-due = Montant dû

## VAT breakdown and tax categories (UNCL5305)
vat-breakdown = Détail de la TVA
vat-breakdown-category = Catégorie
vat-breakdown-rate = Taux
vat-breakdown-basis = Base imposable
vat-breakdown-tax = Montant de TVA
tax-category-s = Taux normal
tax-category-z = Taux zéro
tax-category-e = Exonéré de TVA
tax-category-ae = Autoliquidation
tax-category-k = Livraison intracommunautaire
tax-category-g = Exportation hors UE
tax-category-o = Hors champ de la TVA
tax-category-l = IGIC des îles Canaries
tax-category-m = IPSI de Ceuta et Melilla
exemption-reason = { $category } : { $reason }
exemption-default-ae = Autoliquidation : TVA due par le preneur
exemption-default-k = Exonération de TVA, livraison intracommunautaire
exemption-default-g = Exonération de TVA, exportation hors UE
exemption-default-e = Exonéré de TVA

## Notes and page furniture
notes = REMARQUES
page-of = Page { $page } sur { $pages }
invoice-continued = Facture { $id } (suite)
credit-note-continued = Avoir { $id } (suite)

## Payment
payment = Paiement
payment-iban = IBAN
payment-bic = BIC
payment-account-name = Titulaire du compte
payment-reference = Référence
payment-terms = Conditions de paiement
payment-instruction = Merci de virer { $amount } avant le { $date } en indiquant la référence { $reference }.
credit-note-instruction = Le montant de { $amount } vous sera crédité.
scan-to-pay = Scanner pour payer

## The PDF's document information (title and subject)
document-invoice = Facture { $id }
document-credit-note = Avoir { $id }
document-subject = { $document } à { $buyer }

## Payment means (UNTDID 4461)
payment-means = Moyen de paiement
payment-means-1 = Non défini
payment-means-10 = Espèces
payment-means-20 = Chèque
payment-means-30 = Virement
payment-means-31 = Transfert de débit
payment-means-42 = Paiement sur compte bancaire
payment-means-48 = Carte bancaire
payment-means-49 = Prélèvement
payment-means-57 = Accord permanent
payment-means-58 = Virement SEPA
payment-means-59 = Prélèvement SEPA
payment-means-97 = Compensation entre partenaires
