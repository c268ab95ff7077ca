//! Lists that cut across products (orders, pledges, factoring requests, pools, bills): staff
//! see all or narrow to the party they name; a party is held to its own, whatever it asks.

use diesel::PgConnection;
use persistence::lists::Listing;
use persistence::RepoError;

use crate::usecases::{Context, UseCaseError};

/// Runs `fetch` over `listing` as the caller may see it.
pub fn visible<R>(
    ctx: &mut Context<'_>,
    mut listing: Listing,
    fetch: impl FnOnce(&mut PgConnection, &Listing) -> Result<Vec<R>, RepoError>,
) -> Result<Vec<R>, UseCaseError> {
    if !ctx.actor.staff {
        listing.party = ctx.actor.party;
    }
    Ok(fetch(ctx.conn, &listing)?)
}
