DROP TABLE party_monthly_sales;
DROP TABLE parties;
