//! List filters with a closed set of values. Each is an enum, so an unknown value is refused by
//! the query extractor with 400 (`invalid_query`, naming the parameter) instead of quietly
//! matching nothing, and the OpenAPI document lists the values a client may send.

/// Declares a filter enum: each variant with the exact text stored in the database.
macro_rules! filter_enum {
    // `$text:tt`, not `literal`: a `literal` fragment reaches the derive macros wrapped in an
    // invisible group, and utoipa then ignores the rename (publishing `Active` for `active`).
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:tt),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// The value as stored.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }
    };
}

filter_enum!(
    /// A loan's product.
    LoanProduct {
        StockUp => "stock_up",
        Installment => "installment",
        OrderFinancing => "order_financing",
        InventoryFinancing => "inventory_financing",
    }
);

filter_enum!(
    /// A loan's status.
    LoanStatus {
        Active => "active",
        Closed => "closed",
        WrittenOff => "written_off",
    }
);

filter_enum!(
    /// A loan's days-past-due bucket.
    LoanBucket {
        Current => "current",
        Dpd1To30 => "1-30",
        Dpd31To60 => "31-60",
        Dpd61To90 => "61-90",
        Dpd90Plus => "90+",
    }
);

filter_enum!(
    /// A credit line's status.
    LineStatus {
        Active => "active",
        Frozen => "frozen",
        Closed => "closed",
    }
);

filter_enum!(
    /// A receivable's state.
    ReceivableState {
        Submitted => "submitted",
        Confirmed => "confirmed",
        Disputed => "disputed",
        Financed => "financed",
        Settled => "settled",
        Defaulted => "defaulted",
        Cancelled => "cancelled",
    }
);

filter_enum!(
    /// A factoring request's state.
    RequestState {
        Funded => "funded",
        Referred => "referred",
        Declined => "declined",
        Closed => "closed",
    }
);

filter_enum!(
    /// A bill's state.
    BillState {
        Registered => "registered",
        Accepted => "accepted",
        Discounted => "discounted",
        Paid => "paid",
        Dishonoured => "dishonoured",
    }
);

filter_enum!(
    /// A purchase order's status.
    OrderStatus {
        Confirmed => "confirmed",
        Settled => "settled",
    }
);

filter_enum!(
    /// A pledge's status (`margin_call`: a margin call is open).
    CollateralStatus {
        Pledged => "pledged",
        MarginCall => "margin_call",
        Released => "released",
    }
);

filter_enum!(
    /// A review case's status.
    ReviewState {
        Pending => "pending",
        Claimed => "claimed",
        AwaitingConfirmation => "awaiting_confirmation",
        Approved => "approved",
        Declined => "declined",
    }
);

filter_enum!(
    /// The product a review case came from.
    ReviewProduct {
        StockUpLine => "stock_up_line",
        Factoring => "factoring",
        BillDiscount => "bill_discount",
        Installment => "installment",
        OrderFinancing => "order_financing",
        InventoryFinancing => "inventory_financing",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_review_filters_name_every_status_and_product_and_nothing_else() {
        use domain::review::ReviewStatus;
        let statuses = [
            ReviewState::Pending,
            ReviewState::Claimed,
            ReviewState::AwaitingConfirmation,
            ReviewState::Approved,
            ReviewState::Declined,
        ];
        for state in statuses {
            assert!(ReviewStatus::parse(state.as_str()).is_some(), "{state:?}");
        }
        let products = credit_scoring::ProductKind::ALL;
        assert_eq!(products.len(), 6);
        for kind in products {
            let text = serde_json::Value::from(kind.as_str());
            let filter: ReviewProduct = serde_json::from_value(text).unwrap();
            assert_eq!(filter.as_str(), kind.as_str());
        }
    }

    #[test]
    fn a_filter_value_reads_back_as_the_stored_text() {
        let bucket: LoanBucket = serde_json::from_str("\"90+\"").unwrap();
        assert_eq!(bucket.as_str(), "90+");
        assert!(serde_json::from_str::<LoanStatus>("\"bogus\"").is_err());
    }
}
