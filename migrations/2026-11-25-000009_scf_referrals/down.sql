DROP TABLE bill_discount_referrals;
DROP TABLE factoring_request_receivables;
