//! Who answers for a dishonoured bill the platform discounted.
//!
//! When the acceptor does not pay at maturity, the platform (the bill's last holder) has
//! recourse, each for the whole face, against:
//! - the drawer, who issued the bill;
//! - every endorser, who passed the bill on;
//! - the seller who discounted the bill to the platform. Discounting transfers the bill to the
//!   platform as an endorsement would, so the seller answers like an endorser; without this
//!   claim the party that received the proceeds would be the one holder in the chain with no
//!   liability.
//!
//! The seller is the holder at discount: the last endorsee, or the payee when the bill was
//! never endorsed (only the holder endorses or discounts, and nothing is endorsed after a
//! discount, so the chain ends with the seller). Each party is liable once, under the first
//! role it holds in that order.

/// Why a party answers for a dishonoured bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecourseRole {
    Drawer,
    Endorser,
    DiscountingSeller,
}

impl RecourseRole {
    pub fn as_str(self) -> &'static str {
        match self {
            RecourseRole::Drawer => "drawer",
            RecourseRole::Endorser => "endorser",
            RecourseRole::DiscountingSeller => "discounting_seller",
        }
    }
}

/// One transfer of the bill, in chain order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endorsement<P> {
    pub from: P,
    pub to: P,
}

/// The parties with recourse claims on a discounted bill, each once, in the order drawer,
/// endorsers (chain order), discounting seller.
pub fn recourse_parties<P: Copy + PartialEq>(
    drawer: P,
    payee: P,
    chain: &[Endorsement<P>],
) -> Vec<(P, RecourseRole)> {
    let seller = chain.last().map_or(payee, |e| e.to);
    let candidates = std::iter::once((drawer, RecourseRole::Drawer))
        .chain(chain.iter().map(|e| (e.from, RecourseRole::Endorser)))
        .chain(std::iter::once((seller, RecourseRole::DiscountingSeller)));
    let mut liable: Vec<(P, RecourseRole)> = Vec::with_capacity(chain.len() + 2);
    for (party, role) in candidates {
        if liable.iter().all(|(p, _)| *p != party) {
            liable.push((party, role));
        }
    }
    liable
}

#[cfg(test)]
mod tests {
    use super::*;
    use RecourseRole::*;

    fn e(from: &'static str, to: &'static str) -> Endorsement<&'static str> {
        Endorsement { from, to }
    }

    #[test]
    fn a_bill_discounted_by_its_payee_gives_recourse_on_the_drawer_and_the_payee() {
        assert_eq!(
            recourse_parties("drawer", "payee", &[]),
            vec![("drawer", Drawer), ("payee", DiscountingSeller)]
        );
    }

    #[test]
    fn the_last_endorsee_who_discounted_answers_with_the_drawer_and_every_endorser() {
        let chain = [e("payee", "second"), e("second", "third")];
        assert_eq!(
            recourse_parties("drawer", "payee", &chain),
            vec![
                ("drawer", Drawer),
                ("payee", Endorser),
                ("second", Endorser),
                ("third", DiscountingSeller)
            ]
        );
    }

    #[test]
    fn a_party_met_twice_in_the_chain_is_liable_once_under_its_first_role() {
        // The drawer is its own payee and the bill comes back to it before it discounts.
        let chain = [e("drawer", "second"), e("second", "drawer")];
        assert_eq!(
            recourse_parties("drawer", "drawer", &chain),
            vec![("drawer", Drawer), ("second", Endorser)]
        );
    }
}
