# paperflow invoice texts: Spanish (es).
# One message per text the invoice PDF prints. Keep every key; translate the text after "=".
# { $name } is filled in by paperflow with an already formatted value (a number, an amount,
# a date); keep each one of them in the translation.

## Title and invoice facts
invoice-title = FACTURA
credit-note-title = FACTURA RECTIFICATIVA
invoice-number = Número de factura
credit-note-number = Número de factura rectificativa
revision = Revisión
issue-date = Fecha de emisión
due-date = Fecha de vencimiento
delivery-date = Fecha de entrega
currency = Moneda
order-reference = Referencia del pedido
buyer-reference = Referencia del comprador
preceding-invoice = Factura rectificada
preceding-invoice-of = { $id } del { $date }

## Parties
bill-to = FACTURAR A
vat-id = NIF-IVA { $id }
tax-number = Número fiscal { $number }
legal-id = Registro { $id }
contact = Contacto
phone = Teléfono
email = Correo electrónico

## Line table
column-description = Descripción
column-quantity = Cantidad
column-unit-price = Precio unitario ({ $currency })
column-tax = IVA
column-amount = Importe ({ $currency })

## Totals
net-total = Total neto
allowance = Descuento
charge = Cargo
allowances-total = Descuentos
charges-total = Cargos
tax-exclusive-total = Base imponible total
tax-line = IVA { $rate } sobre { $base }
tax-total = Total IVA
gross-total = Total con IVA
prepaid = Pagado por adelantado
total-due = Total a pagar
amount-due = Importe a pagar

## VAT breakdown and tax categories (UNCL5305)
vat-breakdown = Desglose del IVA
vat-breakdown-category = Categoría
vat-breakdown-rate = Tipo
vat-breakdown-basis = Base imponible
vat-breakdown-tax = Cuota de IVA
tax-category-s = Tipo general
tax-category-z = Tipo cero
tax-category-e = Exento de IVA
tax-category-ae = Inversión del sujeto pasivo
tax-category-k = Entrega intracomunitaria
tax-category-g = Exportación fuera de la UE
tax-category-o = No sujeto a IVA
tax-category-l = IGIC de Canarias
tax-category-m = IPSI de Ceuta y Melilla
exemption-reason = { $category }: { $reason }
exemption-default-ae = Inversión del sujeto pasivo: el destinatario es el sujeto pasivo del IVA
exemption-default-k = Entrega intracomunitaria exenta de IVA
exemption-default-g = Exportación exenta de IVA
exemption-default-e = Exento de IVA

## Notes and page furniture
notes = NOTAS
page-of = Página { $page } de { $pages }
invoice-continued = Factura { $id } (continuación)
credit-note-continued = Factura rectificativa { $id } (continuación)

## Payment
payment = Pago
payment-iban = IBAN
payment-bic = BIC
payment-account-name = Titular de la cuenta
payment-reference = Referencia
payment-terms = Condiciones de pago
payment-instruction = Transfiera { $amount } antes del { $date } indicando la referencia { $reference }.
credit-note-instruction = El importe de { $amount } se abonará a su favor.
scan-to-pay = Escanear para pagar

## The PDF's document information (title and subject)
document-invoice = Factura { $id }
document-credit-note = Factura rectificativa { $id }
document-subject = { $document } para { $buyer }

## Payment means (UNTDID 4461)
payment-means = Medio de pago
payment-means-1 = No definido
payment-means-10 = Efectivo
payment-means-20 = Cheque
payment-means-30 = Transferencia
payment-means-31 = Transferencia de débito
payment-means-42 = Pago en cuenta bancaria
payment-means-48 = Tarjeta bancaria
payment-means-49 = Domiciliación
payment-means-57 = Acuerdo permanente
payment-means-58 = Transferencia SEPA
payment-means-59 = Adeudo directo SEPA
payment-means-97 = Compensación entre socios
