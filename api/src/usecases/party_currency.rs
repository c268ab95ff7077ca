//! A party acts in its own currency, shared by the retail families.

use domain::money::Currency;
use persistence::parties::PartyRecord;

use crate::usecases::UseCaseError;

/// Refuses (on `currency`) a request in another currency than the party's own: its limits,
/// sales and exposure are all counted in that currency.
pub fn check(party: &PartyRecord, currency: Currency) -> Result<(), UseCaseError> {
    let own = &party.party.currency;
    if own != currency.code() {
        return Err(UseCaseError::invalid(
            "currency",
            format!("the party does business in {own}, not {}", currency.code()),
        ));
    }
    Ok(())
}
