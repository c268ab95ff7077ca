DROP TABLE credit_decision_evidence;
DROP TABLE credit_decisions;
DROP TABLE scoring_assignments;
DROP TABLE scoring_models;
