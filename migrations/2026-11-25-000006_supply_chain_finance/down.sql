DROP TABLE bill_recourse_claims;
DROP TABLE bill_endorsements;
DROP TABLE bills;
DROP TABLE receivables;
DROP TABLE factoring_requests;
DROP TABLE registry_entries;
DROP TABLE program_suppliers;
DROP TABLE factoring_programs;
