//! Parties: onboarding (admin) and reading merchants, suppliers and core enterprises.

use actix_web::{web, HttpResponse};
use chrono::{Datelike, NaiveDate, Utc};
use domain::money::{Currency, Money};
use persistence::parties::{MonthlySalesRow, PartyFilter, PartyRecord, PartyRow};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ApiError, ErrorBody};
use crate::idempotency::{JsonBody, KeyPolicy};
use crate::pagination::Page;
use crate::request::{Call, Reply};
use crate::usecases::parties;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    Merchant,
    Supplier,
    CoreEnterprise,
    /// A consumer: `registration_number` holds a national-id-like reference, `monthly_sales`
    /// the declared monthly income, `store_opened_on` the date the account was opened.
    Shopper,
}

impl PartyKind {
    fn as_str(self) -> &'static str {
        match self {
            PartyKind::Merchant => "merchant",
            PartyKind::Supplier => "supplier",
            PartyKind::CoreEnterprise => "core_enterprise",
            PartyKind::Shopper => "shopper",
        }
    }
}

/// Onboarding request. Unknown fields are refused, so a client cannot set `id` or `created_at`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewParty {
    pub kind: PartyKind,
    #[schema(example = "Hangzhou Blue Sky Trading Co.")]
    pub name: String,
    #[schema(example = "91330100MA27XYZ12K")]
    pub registration_number: String,
    /// ISO 3166-1 alpha-2.
    #[schema(example = "CN")]
    pub country: String,
    #[schema(example = "apparel")]
    pub sector: String,
    pub onboarded_on: NaiveDate,
    #[schema(example = "finance@bluesky.example")]
    pub contact_email: String,
    /// ISO 4217 currency of the party's business figures.
    #[schema(example = "CNY")]
    pub currency: String,
    pub store_opened_on: Option<NaiveDate>,
    /// Share of sales returned, a decimal string, e.g. `"0.035"` (a JSON number is refused,
    /// as for amounts: binary floats cannot hold most decimals exactly).
    #[schema(value_type = Option<String>, example = "0.035", pattern = r"^-?[0-9]{1,20}(\.[0-9]{1,8})?$")]
    #[serde(default, with = "crate::decimal_text::option")]
    pub returns_rate: Option<Decimal>,
    #[serde(default)]
    pub monthly_sales: Vec<MonthlySales>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MonthlySales {
    /// The month, `YYYY-MM`.
    #[schema(example = "2026-10")]
    pub month: String,
    #[schema(example = "182000.00")]
    pub amount: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartyView {
    pub id: Uuid,
    pub kind: String,
    pub name: String,
    pub registration_number: String,
    pub country: String,
    pub sector: String,
    pub onboarded_on: NaiveDate,
    pub contact_email: String,
    pub currency: String,
    pub store_opened_on: Option<NaiveDate>,
    #[schema(value_type = Option<String>)]
    pub returns_rate: Option<Decimal>,
    pub monthly_sales: Vec<MonthlySales>,
    pub created_at: chrono::DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PartyQuery {
    pub kind: Option<PartyKind>,
    pub country: Option<String>,
    /// Cursor: the last id of the previous page.
    pub after: Option<Uuid>,
    pub limit: Option<i64>,
}

const MAX_SALES_MONTHS: usize = 60;

fn required_text(field: &str, value: &str, max_chars: usize) -> Result<String, ApiError> {
    let trimmed = value.trim();
    crate::text::name(field, trimmed)?;
    if trimmed.is_empty() || trimmed.chars().count() > max_chars {
        return Err(ApiError::invalid(
            field,
            format!("{field} must have 1 to {max_chars} characters"),
        ));
    }
    Ok(trimmed.to_string())
}

fn parse_month(field: &str, month: &str) -> Result<NaiveDate, ApiError> {
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .ok()
        .filter(|d| d.day() == 1 && month.len() == 7)
        .ok_or_else(|| ApiError::invalid(field, "month must be written YYYY-MM"))?;
    crate::usecases::dates::within_horizon(field, first)?;
    Ok(first)
}

fn valid_email(email: &str) -> bool {
    let Some((local, host)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && email.len() <= 254
        && !email.chars().any(char::is_whitespace)
}

/// The declared monthly sales as rows, oldest first: at most [`MAX_SALES_MONTHS`], each month
/// once, each amount in the party's currency.
fn sales_rows(
    declared: &[MonthlySales],
    party_id: Uuid,
    currency: Currency,
) -> Result<Vec<MonthlySalesRow>, ApiError> {
    if declared.len() > MAX_SALES_MONTHS {
        return Err(ApiError::invalid(
            "monthly_sales",
            format!("at most {MAX_SALES_MONTHS} months"),
        ));
    }
    let mut rows: Vec<MonthlySalesRow> = Vec::with_capacity(declared.len());
    for sales in declared {
        let month = parse_month("monthly_sales.month", &sales.month)?;
        let amount = Money::parse_non_negative(&sales.amount, currency)
            .map_err(|e| ApiError::invalid("monthly_sales.amount", e.to_string()))?;
        if rows.iter().any(|m| m.month == month) {
            return Err(ApiError::invalid(
                "monthly_sales.month",
                "a month appears twice",
            ));
        }
        rows.push(MonthlySalesRow {
            party_id,
            month,
            amount: amount.amount(),
        });
    }
    rows.sort_by_key(|m| m.month);
    Ok(rows)
}

impl NewParty {
    /// Parses the request into a row to store; every rejection names its field.
    fn into_record(self, id: Uuid) -> Result<PartyRecord, ApiError> {
        let currency = Currency::parse(&self.currency)
            .map_err(|e| ApiError::invalid("currency", e.to_string()))?;
        let country = self.country.trim();
        // The assigned codes of ISO 3166-1 (from a maintained list, not a pattern: `XX` or `UK`
        // look like codes but name no country).
        if isocountry::CountryCode::for_alpha2(country).is_err() {
            return Err(ApiError::invalid(
                "country",
                "country must be an ISO 3166-1 alpha-2 code such as CN",
            ));
        }
        if !valid_email(&self.contact_email) {
            return Err(ApiError::invalid(
                "contact_email",
                "contact_email is not an email address",
            ));
        }
        if self
            .returns_rate
            .is_some_and(|r| r < Decimal::ZERO || r > Decimal::ONE)
        {
            return Err(ApiError::invalid(
                "returns_rate",
                "returns_rate must be between 0 and 1",
            ));
        }
        let monthly_sales = sales_rows(&self.monthly_sales, id, currency)?;
        let party = PartyRow {
            id,
            kind: self.kind.as_str().to_string(),
            name: required_text("name", &self.name, 200)?,
            registration_number: required_text(
                "registration_number",
                &self.registration_number,
                64,
            )?,
            country: country.to_string(),
            sector: required_text("sector", &self.sector, 64)?,
            onboarded_on: self.onboarded_on,
            contact_email: self.contact_email.trim().to_string(),
            currency: currency.code().to_string(),
            store_opened_on: self.store_opened_on,
            returns_rate: self.returns_rate,
            // Stamped with the request's clock reading when stored (`usecases::parties::onboard`).
            created_at: chrono::DateTime::<Utc>::MIN_UTC,
        };
        Ok(PartyRecord {
            party,
            monthly_sales,
        })
    }
}

impl TryFrom<PartyRecord> for PartyView {
    type Error = ApiError;

    fn try_from(record: PartyRecord) -> Result<Self, ApiError> {
        let p = record.party;
        let currency = Currency::parse(&p.currency).map_err(ApiError::internal)?;
        Ok(PartyView {
            monthly_sales: record
                .monthly_sales
                .iter()
                .map(|m| MonthlySales {
                    month: m.month.format("%Y-%m").to_string(),
                    amount: crate::views::amount(m.amount, currency),
                })
                .collect(),
            id: p.id,
            kind: p.kind,
            name: p.name,
            registration_number: p.registration_number,
            country: p.country,
            sector: p.sector,
            onboarded_on: p.onboarded_on,
            contact_email: p.contact_email,
            currency: p.currency,
            store_opened_on: p.store_opened_on,
            returns_rate: p.returns_rate.map(|r| r.normalize()),
            created_at: p.created_at,
        })
    }
}

/// Onboards a party and queues a welcome email to its contact address, in one transaction.
/// Accepts an optional `Idempotency-Key`.
#[utoipa::path(post, path = "/v1/parties", tag = "parties", request_body = NewParty,
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
    responses((status = 201, body = PartyView), (status = 400, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "registration number already used in that country"),
        (status = 422, body = ErrorBody)))]
pub async fn create(call: Call, body: JsonBody<NewParty>) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let record = body.into_inner().into_record(Uuid::now_v7())?;
    call.run(
        KeyPolicy::Optional,
        Some(&hash),
        move |ctx| parties::onboard(ctx, record),
        |record| Reply::created(&PartyView::try_from(record)?),
    )
    .await
}

/// Reads one party: staff, or the party itself.
#[utoipa::path(get, path = "/v1/parties/{id}", tag = "parties", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "party id")),
    responses((status = 200, body = PartyView), (status = 404, body = ErrorBody)))]
pub async fn get(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    call.read(
        move |ctx| parties::find(ctx, id),
        |record| Reply::ok(&PartyView::try_from(record)?),
    )
    .await
}

/// Lists parties (staff), oldest first, with keyset pagination.
#[utoipa::path(get, path = "/v1/parties", tag = "parties", security(("bearer" = [])),
    params(PartyQuery),
    responses((status = 200, body = Page<PartyView>), (status = 403, body = ErrorBody)))]
pub async fn list(call: Call, query: web::Query<PartyQuery>) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let filter = PartyFilter {
        kind: query.kind.map(|k| k.as_str().to_string()),
        country: query.country,
        after: query.after,
        limit: call.page_size(query.limit),
    };
    let limit = filter.limit;
    call.read(
        move |ctx| parties::list(ctx, filter),
        move |rows| {
            let views = rows
                .into_iter()
                .map(|party| {
                    PartyView::try_from(PartyRecord {
                        party,
                        monthly_sales: Vec::new(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Reply::ok(&Page::new(views, limit, |v| v.id))
        },
    )
    .await
}
