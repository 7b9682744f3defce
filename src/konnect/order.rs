//! Pair order: Konnect's documented order per family, and the order a
//! parsed line had, so re-rendering gives back its bytes.

use super::family::Family;
use super::field::Field;

/// Where a pair sat in a parsed line, so re-rendering gives the same bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Slot {
    Known(Field),
    /// The next of [`AuditEvent::extra`], in order.
    Extra,
}

const AUTHENTICATION_ORDER: [Field; 12] = [
    Field::Rt,
    Field::Src,
    Field::Request,
    Field::Success,
    Field::OrgId,
    Field::PortalId,
    Field::PrincipalId,
    Field::PrincipalName,
    Field::ActorId,
    Field::TraceId,
    Field::UserAgent,
    Field::KongInitiated,
];
const AUTHORIZATION_ORDER: [Field; 12] = [
    Field::Rt,
    Field::Src,
    Field::Action,
    Field::Granted,
    Field::OrgId,
    Field::PortalId,
    Field::PrincipalId,
    Field::PrincipalName,
    Field::ActorId,
    Field::TraceId,
    Field::UserAgent,
    Field::KongInitiated,
];
const ACCESS_ORDER: [Field; 14] = [
    Field::Rt,
    Field::Src,
    Field::Request,
    Field::Act,
    Field::Status,
    Field::OrgId,
    Field::PortalId,
    Field::PrincipalId,
    Field::PrincipalName,
    Field::ActorId,
    Field::UserAgent,
    Field::TraceId,
    Field::Query,
    Field::KongInitiated,
];

/// Konnect's documented pair order for a family (konnect.md section 1;
/// where `principal_name`, `actor_id` and `kong_initiated` go is not
/// documented: after `principal_id`, and last).
pub(crate) fn canonical_order(family: &Family) -> &'static [Field] {
    match family {
        Family::Authentication(_) => &AUTHENTICATION_ORDER,
        Family::Authorization(_) => &AUTHORIZATION_ORDER,
        Family::Access(_) => &ACCESS_ORDER,
    }
}
