//! Pure credit-scoring engine: versioned scorecards, policy rules, decisions and training.
