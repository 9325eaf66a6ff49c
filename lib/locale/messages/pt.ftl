# paperflow invoice texts: Portuguese (pt).
# One message per text the invoice PDF prints. Keep every key; translate the text after "=".
# { $name } is filled in by paperflow with an already formatted value (a number, an amount,
# a date); keep each one of them in the translation.

## Title and invoice facts
invoice-title = FATURA
credit-note-title = NOTA DE CRÉDITO
invoice-number = Número da fatura
credit-note-number = Número da nota de crédito
revision = Revisão
issue-date = Data de emissão
due-date = Data de vencimento
delivery-date = Data de entrega
currency = Moeda
order-reference = Referência da encomenda
buyer-reference = Referência do comprador
preceding-invoice = Fatura de origem
preceding-invoice-of = { $id } de { $date }

## Parties
bill-to = FATURAR A
vat-id = NIF { $id }
tax-number = Número fiscal { $number }
legal-id = Registo comercial { $id }
contact = Contacto
phone = Telefone
email = E-mail

## Line table
column-description = Descrição
column-quantity = Quantidade
column-unit-price = Preço unitário ({ $currency })
column-tax = IVA
column-amount = Valor ({ $currency })

## Totals
net-total = Total líquido
allowance = Desconto
charge = Encargo
allowances-total = Descontos
charges-total = Encargos
tax-exclusive-total = Total sem IVA
tax-line = IVA { $rate } sobre { $base }
tax-total = Total do IVA
gross-total = Total com IVA
prepaid = Pago antecipadamente
total-due = Total a pagar
amount-due = Valor a pagar

## VAT breakdown and tax categories (UNCL5305)
vat-breakdown = Resumo do IVA
vat-breakdown-category = Categoria
vat-breakdown-rate = Taxa
vat-breakdown-basis = Base tributável
vat-breakdown-tax = Valor do IVA
tax-category-s = Taxa normal
tax-category-z = Taxa zero
tax-category-e = Isento de IVA
tax-category-ae = Autoliquidação
tax-category-k = Transmissão intracomunitária
tax-category-g = Exportação para fora da UE
tax-category-o = Não sujeito a IVA
tax-category-l = IGIC das Canárias
tax-category-m = IPSI de Ceuta e Melilha
exemption-reason = { $category }: { $reason }
exemption-default-ae = Autoliquidação: IVA devido pelo adquirente
exemption-default-k = Transmissão intracomunitária isenta de IVA
exemption-default-g = Exportação isenta de IVA
exemption-default-e = Isento de IVA

## Notes and page furniture
notes = OBSERVAÇÕES
page-of = Página { $page } de { $pages }
invoice-continued = Fatura { $id } (continuação)
credit-note-continued = Nota de crédito { $id } (continuação)

## Payment
payment = Pagamento
payment-iban = IBAN
payment-bic = BIC
payment-account-name = Titular da conta
payment-reference = Referência
payment-terms = Condições de pagamento
payment-instruction = Queira transferir { $amount } até { $date }, indicando a referência { $reference }.
credit-note-instruction = O valor de { $amount } ser-lhe-á creditado.
scan-to-pay = Digitalize para pagar

## The PDF's document information (title and subject)
document-invoice = Fatura { $id }
document-credit-note = Nota de crédito { $id }
document-subject = { $document } para { $buyer }

## Payment means (UNTDID 4461)
payment-means = Meio de pagamento
payment-means-1 = Não definido
payment-means-10 = Numerário
payment-means-20 = Cheque
payment-means-30 = Transferência
payment-means-31 = Transferência de débito
payment-means-42 = Pagamento em conta bancária
payment-means-48 = Cartão bancário
payment-means-49 = Débito direto
payment-means-57 = Acordo permanente
payment-means-58 = Transferência SEPA
payment-means-59 = Débito direto SEPA
payment-means-97 = Compensação entre parceiros
