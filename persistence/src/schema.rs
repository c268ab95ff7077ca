//! Diesel table definitions, kept by hand in step with `migrations/`.

diesel::table! {
    parties (id) {
        id -> Uuid,
        kind -> Text,
        name -> Text,
        registration_number -> Text,
        country -> Bpchar,
        sector -> Text,
        onboarded_on -> Date,
        contact_email -> Text,
        currency -> Bpchar,
        store_opened_on -> Nullable<Date>,
        returns_rate -> Nullable<Numeric>,
        created_at -> Timestamptz,
        registration_fingerprint -> Bpchar,
    }
}

diesel::table! {
    party_monthly_sales (party_id, month) {
        party_id -> Uuid,
        month -> Date,
        amount -> Numeric,
    }
}

diesel::joinable!(party_monthly_sales -> parties (party_id));
diesel::allow_tables_to_appear_in_same_query!(parties, party_monthly_sales);

diesel::table! {
    journal_entries (id) {
        id -> Uuid,
        currency -> Bpchar,
        business_date -> Date,
        kind -> Text,
        reference -> Text,
        memo -> Text,
        reverses -> Nullable<Uuid>,
        created_at -> Timestamptz,
        party_id -> Uuid,
    }
}

diesel::table! {
    postings (id) {
        id -> Int8,
        entry_id -> Uuid,
        currency -> Bpchar,
        account -> Text,
        amount -> Numeric,
        party_id -> Uuid,
    }
}

diesel::table! {
    account_balances (party_id, account, currency, shard) {
        account -> Text,
        currency -> Bpchar,
        balance -> Numeric,
        postings_count -> Int8,
        updated_at -> Timestamptz,
        shard -> Int2,
        party_id -> Uuid,
    }
}

diesel::table! {
    audit_events (party_id, id) {
        id -> Int8,
        chain -> Text,
        seq -> Int8,
        actor -> Text,
        occurred_at -> Timestamptz,
        action -> Text,
        payload -> Text,
        prev_hash -> Bpchar,
        hash -> Bpchar,
        party_id -> Uuid,
    }
}

diesel::table! {
    audit_chain_heads (party_id, chain) {
        chain -> Text,
        seq -> Int8,
        hash -> Bpchar,
        prev_hash -> Nullable<Bpchar>,
        party_id -> Uuid,
    }
}

diesel::table! {
    audit_chain_seals (party_id, chain) {
        party_id -> Uuid,
        chain -> Text,
        seq -> Int8,
    }
}

diesel::table! {
    audit_checkpoints (id) {
        id -> Int8,
        created_at -> Timestamptz,
        heads_digest -> Bpchar,
        chains_covered -> Int8,
        prev_hash -> Bpchar,
        hash -> Bpchar,
    }
}

diesel::table! {
    audit_checkpoint_heads (party_id, checkpoint_id, chain) {
        checkpoint_id -> Int8,
        chain -> Text,
        seq -> Int8,
        hash -> Bpchar,
        party_id -> Uuid,
    }
}

diesel::table! {
    idempotency_keys (party_id, caller, key) {
        caller -> Text,
        key -> Text,
        method -> Text,
        path -> Text,
        request_hash -> Bpchar,
        response_status -> Int2,
        response_body -> Bytea,
        created_at -> Timestamptz,
        party_id -> Uuid,
    }
}

diesel::table! {
    outbox_emails (id) {
        id -> Uuid,
        template -> Text,
        reference -> Nullable<Text>,
        recipient -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        lease_id -> Nullable<Uuid>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
        leased_until -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    scoring_models (id, version) {
        id -> Text,
        version -> Int4,
        document -> Text,
        document_sha256 -> Bpchar,
        description -> Text,
        uploaded_by -> Text,
        uploaded_at -> Timestamptz,
    }
}

diesel::table! {
    scoring_assignments (product, role) {
        product -> Text,
        role -> Text,
        model_id -> Text,
        model_version -> Int4,
        challenger_share_bps -> Int4,
        assigned_by -> Text,
        assigned_at -> Timestamptz,
    }
}

diesel::table! {
    credit_decisions (id) {
        id -> Uuid,
        party_id -> Uuid,
        product -> Text,
        subject -> Text,
        model_id -> Text,
        model_version -> Int4,
        outcome -> Text,
        credit_limit -> Numeric,
        rate_annual -> Numeric,
        currency -> Bpchar,
        reasons -> Jsonb,
        decided_at -> Timestamptz,
        decided_by -> Text,
        is_shadow -> Bool,
        champion_decision_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    credit_decision_evidence (decision_id) {
        decision_id -> Uuid,
        score -> Float8,
        grade -> Text,
        probability_of_default -> Float8,
        inputs -> Jsonb,
        feature_points -> Jsonb,
        rules_fired -> Jsonb,
        party_id -> Uuid,
    }
}

diesel::joinable!(credit_decision_evidence -> credit_decisions (decision_id));
diesel::allow_tables_to_appear_in_same_query!(
    scoring_models,
    scoring_assignments,
    credit_decisions,
    credit_decision_evidence
);

diesel::table! {
    platform_calendar (id) {
        id -> Bool,
        business_date -> Date,
    }
}

diesel::table! {
    reviews (id) {
        id -> Uuid,
        subject_kind -> Text,
        subject_id -> Uuid,
        party_id -> Uuid,
        product -> Text,
        amount -> Numeric,
        currency -> Bpchar,
        engine_decision -> Jsonb,
        status -> Text,
        claimed_by -> Nullable<Text>,
        claimed_at -> Nullable<Timestamptz>,
        outcome -> Nullable<Text>,
        approved_amount -> Nullable<Numeric>,
        approved_rate -> Nullable<Numeric>,
        reason_code -> Nullable<Text>,
        private_note -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamptz>,
        confirmed_by -> Nullable<Text>,
        confirmed_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    credit_line_applications (id) {
        id -> Uuid,
        party_id -> Uuid,
        currency -> Bpchar,
        requested_limit -> Numeric,
        purpose -> Text,
        event_name -> Nullable<Text>,
        event_date -> Nullable<Date>,
        consent_given_at -> Timestamptz,
        status -> Text,
        decision -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    credit_lines (id) {
        id -> Uuid,
        party_id -> Uuid,
        application_id -> Uuid,
        currency -> Bpchar,
        limit_amount -> Numeric,
        used_amount -> Numeric,
        annual_rate -> Numeric,
        max_tenor_days -> Int4,
        expires_on -> Date,
        status -> Text,
        frozen_reason -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    loans (id) {
        id -> Uuid,
        line_id -> Nullable<Uuid>,
        party_id -> Uuid,
        currency -> Bpchar,
        principal -> Numeric,
        annual_rate -> Numeric,
        penalty_rate_daily -> Numeric,
        method -> Text,
        tenor_days -> Int4,
        start_date -> Date,
        maturity_date -> Date,
        status -> Text,
        principal_paid -> Numeric,
        interest_accrued_unrounded -> Numeric,
        interest_posted -> Numeric,
        interest_paid -> Numeric,
        penalty_accrued_unrounded -> Numeric,
        penalty_posted -> Numeric,
        penalty_paid -> Numeric,
        accrued_through -> Date,
        dpd -> Int4,
        bucket -> Text,
        written_off_on -> Nullable<Date>,
        recovered -> Numeric,
        created_at -> Timestamptz,
        product -> Text,
        fees_posted -> Numeric,
        fees_paid -> Numeric,
    }
}

diesel::table! {
    loan_installments (loan_id, number) {
        loan_id -> Uuid,
        number -> Int4,
        due_date -> Date,
        principal -> Numeric,
        interest -> Numeric,
        cum_principal -> Numeric,
        fee -> Numeric,
        party_id -> Uuid,
    }
}

diesel::table! {
    loan_transactions (id) {
        id -> Uuid,
        loan_id -> Uuid,
        kind -> Text,
        business_date -> Date,
        amount -> Numeric,
        principal -> Numeric,
        interest -> Numeric,
        penalty -> Numeric,
        external_reference -> Nullable<Text>,
        journal_entry_id -> Uuid,
        created_at -> Timestamptz,
        fee -> Numeric,
        external_reference_key -> Nullable<Text>,
        party_id -> Uuid,
        reference_fingerprint -> Nullable<Bpchar>,
    }
}

diesel::table! {
    eod_runs (business_date) {
        business_date -> Date,
        loans_accrued -> Int8,
        loans_aged -> Int8,
        lines_frozen -> Int8,
        reminders -> Int8,
        finished_at -> Timestamptz,
    }
}

diesel::table! {
    factoring_programs (id) {
        id -> Uuid,
        core_enterprise_id -> Uuid,
        currency -> Bpchar,
        advance_rate -> Numeric,
        discount_rate_annual -> Numeric,
        service_fee_rate -> Numeric,
        recourse -> Bool,
        max_tenor_days -> Int4,
        grace_days -> Int4,
        debtor_limit -> Numeric,
        supplier_limit -> Numeric,
        concentration_limit -> Numeric,
        confirmation_required -> Bool,
        debtor_exposure -> Numeric,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    program_suppliers (program_id, supplier_id) {
        program_id -> Uuid,
        supplier_id -> Uuid,
        status -> Text,
        supplier_limit -> Numeric,
        exposure -> Numeric,
        decision -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    registry_entries (fingerprint) {
        fingerprint -> Bpchar,
        kind -> Text,
        subject_id -> Uuid,
        encumbered -> Bool,
        registered_at -> Timestamptz,
        key_version -> Int2,
    }
}

diesel::table! {
    factoring_requests (id) {
        id -> Uuid,
        supplier_id -> Uuid,
        kind -> Text,
        state -> Text,
        currency -> Bpchar,
        face_total -> Numeric,
        advance_total -> Numeric,
        fees_total -> Numeric,
        advance_rate -> Numeric,
        concentration_limit -> Nullable<Numeric>,
        drawn_outstanding -> Numeric,
        borrowing_base -> Numeric,
        overdrawn -> Bool,
        decision -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    receivables (id) {
        id -> Uuid,
        supplier_id -> Uuid,
        debtor_id -> Uuid,
        program_id -> Uuid,
        invoice_number -> Text,
        issue_date -> Date,
        due_date -> Date,
        amount -> Numeric,
        currency -> Bpchar,
        document_sha256 -> Nullable<Bpchar>,
        fingerprint -> Bpchar,
        state -> Text,
        factoring_request_id -> Nullable<Uuid>,
        paid_amount -> Nullable<Numeric>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    bills (id) {
        id -> Uuid,
        bill_number -> Text,
        drawer_id -> Uuid,
        acceptor_id -> Uuid,
        payee_id -> Uuid,
        holder_id -> Nullable<Uuid>,
        face_value -> Numeric,
        currency -> Bpchar,
        issue_date -> Date,
        maturity_date -> Date,
        medium -> Text,
        fingerprint -> Bpchar,
        state -> Text,
        discount_interest -> Nullable<Numeric>,
        decision -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    bill_endorsements (bill_id, seq) {
        bill_id -> Uuid,
        seq -> Int4,
        from_party_id -> Uuid,
        to_party_id -> Uuid,
        endorsed_at -> Timestamptz,
        acceptor_id -> Uuid,
    }
}

diesel::table! {
    bill_recourse_claims (bill_id, party_id) {
        bill_id -> Uuid,
        party_id -> Uuid,
        role -> Text,
        amount -> Numeric,
        created_at -> Timestamptz,
        acceptor_id -> Uuid,
    }
}

diesel::table! {
    factoring_request_receivables (request_id, receivable_id) {
        request_id -> Uuid,
        receivable_id -> Uuid,
        pending -> Bool,
        advance_rate -> Numeric,
        concentration_limit -> Nullable<Numeric>,
        supplier_id -> Uuid,
    }
}

diesel::table! {
    bill_discount_referrals (id) {
        id -> Uuid,
        bill_id -> Uuid,
        holder_id -> Uuid,
        state -> Text,
        decision -> Text,
        created_at -> Timestamptz,
        decided_at -> Nullable<Timestamptz>,
        acceptor_id -> Uuid,
    }
}

diesel::joinable!(receivables -> factoring_programs (program_id));
diesel::joinable!(factoring_request_receivables -> receivables (receivable_id));
diesel::joinable!(bill_endorsements -> bills (bill_id));
diesel::allow_tables_to_appear_in_same_query!(
    factoring_programs,
    program_suppliers,
    registry_entries,
    factoring_requests,
    receivables,
    bills,
    bill_endorsements,
    bill_recourse_claims,
    factoring_request_receivables,
    bill_discount_referrals,
);

diesel::table! {
    installment_offers (id) {
        id -> Uuid,
        merchant_id -> Uuid,
        currency -> Bpchar,
        installments -> Int4,
        payer -> Text,
        fee_rate_per_period -> Numeric,
        min_purchase -> Numeric,
        max_purchase -> Numeric,
        active -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    installment_plans (loan_id) {
        loan_id -> Uuid,
        offer_id -> Uuid,
        merchant_id -> Uuid,
        shopper_id -> Uuid,
        order_reference -> Text,
        purchase_amount -> Numeric,
        merchant_subsidy -> Numeric,
        merchant_settlement -> Numeric,
        refunded -> Numeric,
        clawed_back -> Numeric,
        decision_id -> Uuid,
        created_at -> Timestamptz,
        order_key -> Nullable<Text>,
        order_fingerprint -> Nullable<Bpchar>,
    }
}

diesel::table! {
    orders (id) {
        id -> Uuid,
        merchant_id -> Uuid,
        buyer_id -> Uuid,
        order_number -> Text,
        kind -> Text,
        currency -> Bpchar,
        order_value -> Numeric,
        expected_settlement_on -> Date,
        status -> Text,
        loan_id -> Nullable<Uuid>,
        settled_amount -> Nullable<Numeric>,
        settled_on -> Nullable<Date>,
        created_at -> Timestamptz,
        order_key -> Nullable<Text>,
    }
}

diesel::table! {
    collateral (id) {
        id -> Uuid,
        merchant_id -> Uuid,
        warehouse -> Text,
        receipt_number -> Text,
        receipt_key -> Text,
        sku -> Text,
        category -> Text,
        quantity -> Int8,
        currency -> Bpchar,
        unit_value -> Numeric,
        haircut -> Numeric,
        status -> Text,
        loan_id -> Nullable<Uuid>,
        valued_on -> Date,
        created_at -> Timestamptz,
        receipt_fingerprint -> Bpchar,
    }
}

diesel::table! {
    collateral_valuations (id) {
        id -> Uuid,
        collateral_id -> Uuid,
        unit_value -> Numeric,
        valued_on -> Date,
        ltv -> Nullable<Numeric>,
        valued_by -> Text,
        created_at -> Timestamptz,
        merchant_id -> Uuid,
    }
}
