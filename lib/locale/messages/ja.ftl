# paperflow invoice texts: Japanese (ja).
# One message per text the invoice PDF prints. Keep every key; translate the text after "=".
# { $name } is filled in by paperflow with an already formatted value (a number, an amount,
# a date); keep each one of them in the translation.

## Title and invoice facts
invoice-title = 請求書
credit-note-title = 貸方票
invoice-number = 請求書番号
credit-note-number = 貸方票番号
revision = 改訂
issue-date = 発行日
due-date = 支払期日
delivery-date = 納品日
currency = 通貨
order-reference = 注文番号
buyer-reference = 購入者参照番号
preceding-invoice = 元の請求書
preceding-invoice-of = { $id }（{ $date }）

## Parties
bill-to = 請求先
vat-id = 登録番号 { $id }
tax-number = 税務番号 { $number }
legal-id = 法人番号 { $id }
contact = 担当者
phone = 電話
email = メール

## Line table
column-description = 品目
column-quantity = 数量
column-unit-price = 単価（{ $currency }）
column-tax = 税率
column-amount = 金額（{ $currency }）

## Totals
net-total = 小計
allowance = 値引き
charge = 追加料金
allowances-total = 値引き合計
charges-total = 追加料金合計
tax-exclusive-total = 税抜合計
tax-line = 消費税 { $rate }（対象 { $base }）
tax-total = 消費税合計
gross-total = 税込合計
prepaid = 前払い済み
total-due = ご請求金額
amount-due = お支払金額

## VAT breakdown and tax categories (UNCL5305)
vat-breakdown = 税率別内訳
vat-breakdown-category = 区分
vat-breakdown-rate = 税率
vat-breakdown-basis = 課税対象額
vat-breakdown-tax = 消費税額
tax-category-s = 標準税率
tax-category-z = ゼロ税率
tax-category-e = 非課税
tax-category-ae = リバースチャージ
tax-category-k = EU域内供給
tax-category-g = EU域外への輸出
tax-category-o = 不課税
tax-category-l = カナリア諸島 IGIC
tax-category-m = セウタ・メリリャ IPSI
exemption-reason = { $category }：{ $reason }
exemption-default-ae = リバースチャージ：受領者が付加価値税を納付
exemption-default-k = EU域内供給のため免税
exemption-default-g = 輸出のため免税
exemption-default-e = 非課税

## Notes and page furniture
notes = 備考
page-of = { $page } / { $pages } ページ
invoice-continued = 請求書 { $id }（続き）
credit-note-continued = 貸方票 { $id }（続き）

## Payment
payment = お支払い
payment-iban = IBAN
payment-bic = BIC
payment-account-name = 口座名義
payment-reference = 振込参照番号
payment-terms = 支払条件
payment-instruction = { $date }までに{ $amount }を、参照番号 { $reference } を記載のうえお振り込みください。
credit-note-instruction = { $amount }をお客様の口座に返金いたします。
scan-to-pay = スキャンして支払う

## The PDF's document information (title and subject)
document-invoice = 請求書 { $id }
document-credit-note = 貸方票 { $id }
document-subject = { $buyer } 様宛 { $document }

## Payment means (UNTDID 4461)
payment-means = 支払方法
payment-means-1 = 指定なし
payment-means-10 = 現金
payment-means-20 = 小切手
payment-means-30 = 銀行振込
payment-means-31 = デビット振替
payment-means-42 = 銀行口座への支払い
payment-means-48 = 銀行カード
payment-means-49 = 口座振替
payment-means-57 = 継続的合意
payment-means-58 = SEPA 振込
payment-means-59 = SEPA 口座振替
payment-means-97 = 取引先間の相殺
