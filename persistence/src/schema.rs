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
