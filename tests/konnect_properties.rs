//! CEF -> JSON -> CEF (and CPS, serde) is the identity for every family,
//! with hostile characters in every free-text field.
#![cfg(feature = "konnect")]

use audit_cef::{
    Access, AuditEvent, AuthOutcome, AuthType, Authentication, Authorization, Family, Format, KeySet, Product, Signer,
    Verifier,
};
use chrono::{TimeZone, Utc};
use proptest::prelude::*;

const HOSTILE: &str = "[a-zA-Z0-9 =\\\\|\\n\\r\\t\"{}:,é😀\\u{0}-\\u{1f}]{0,12}";
/// Header text: no CR or LF (E2).
const HEADER: &str = "[a-zA-Z0-9 =\\\\|\\t\"é😀/*_.-]{0,12}";

fn family() -> impl Strategy<Value = Family<'static>> {
    prop_oneof![
        (0usize..10, 0usize..8, HOSTILE, any::<bool>(), "[A-Z_]{1,8}").prop_map(|(t, o, request, success, other)| {
            let kinds = [
                AuthType::Invalid,
                AuthType::Basic,
                AuthType::Sso,
                AuthType::Pat,
                AuthType::Spat,
                AuthType::Google,
                AuthType::Github,
                AuthType::WindowsLive,
                AuthType::Federated,
            ];
            let outcomes = [
                AuthOutcome::Success,
                AuthOutcome::NotFound,
                AuthOutcome::InvalidPassword,
                AuthOutcome::TokenExpired,
                AuthOutcome::Locked,
                AuthOutcome::Disabled,
                AuthOutcome::Invalid,
            ];
            let kind = kinds.get(t).cloned().unwrap_or(AuthType::Other(other.clone().into()));
            let outcome = outcomes.get(o).cloned().unwrap_or(AuthOutcome::Other(other.into()));
            Family::Authentication(Authentication { kind, outcome, request: request.into(), success })
        }),
        (HEADER, HEADER, HOSTILE, any::<bool>()).prop_filter_map("header", |(service, resource, action, granted)| {
            Authorization::new(service, resource, action, granted).ok().map(Family::Authorization)
        }),
        (HOSTILE, HOSTILE, any::<u16>(), HOSTILE).prop_map(|(request, method, status, query)| {
            Family::Access(Access::new(request, method, status, query))
        }),
    ]
}

prop_compose! {
    fn event()(
        family in family(),
        dev_portal in any::<bool>(),
        seconds in 0i64..253_402_300_799,
        rt in any::<i64>(),
        v6 in any::<bool>(),
        ip in any::<u128>(),
        ids in any::<[u128; 3]>(),
        trace_id in any::<u64>(),
        user_agent in HOSTILE,
        principal_name in proptest::option::of(HOSTILE),
        actor_id in proptest::option::of(HOSTILE),
        portal in any::<bool>(),
        kong_initiated in any::<bool>(),
        // Unique keys in byte order: JSON has no order and no duplicates.
        extra in proptest::collection::btree_map("x_[a-z0-9_.]{0,6}", HOSTILE, 0..3),
    ) -> AuditEvent<'static> {
        let src = if v6 { std::net::IpAddr::from(ip.to_be_bytes()) } else { std::net::IpAddr::from((ip as u32).to_be_bytes()) };
        let mut builder = AuditEvent::builder(family)
            .product(if dev_portal { Product::DevPortal } else { Product::Konnect })
            .time(Utc.timestamp_opt(seconds, 0).unwrap())
            .rt(rt)
            .src(src)
            .org_id(uuid::Uuid::from_u128(ids[0]))
            .principal_id(uuid::Uuid::from_u128(ids[1]))
            .trace_id(trace_id)
            .user_agent(user_agent)
            .kong_initiated(kong_initiated);
        if let Some(name) = principal_name { builder = builder.principal_name(name); }
        if let Some(actor) = actor_id { builder = builder.actor_id(actor); }
        if portal { builder = builder.portal_id(uuid::Uuid::from_u128(ids[2])); }
        for (key, value) in extra { builder = builder.extra(key, value); }
        builder.build().unwrap()
    }
}

/// E9: a final CEF value ending in spaces or TABs loses them on decode.
fn e9(event: &AuditEvent) -> bool {
    let cef = event.to_cef_string();
    cef.ends_with(' ') || cef.ends_with('\t')
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn cef_json_cef_is_the_identity(event in event()) {
        prop_assume!(!e9(&event));
        let cef = event.to_cef_string();
        let from_cef = AuditEvent::from_cef(cef.as_bytes()).map_err(|e| TestCaseError::fail(format!("{e}: {cef}")))?;
        prop_assert_eq!(&from_cef, &event);
        let json = from_cef.to_json_string();
        let from_json = AuditEvent::from_json(json.as_bytes()).map_err(|e| TestCaseError::fail(format!("{e}: {json}")))?;
        prop_assert_eq!(from_json.to_cef_string(), cef);
        prop_assert_eq!(serde_json::from_str::<serde_json::Value>(&json).is_ok(), true);
        let via_serde: AuditEvent = serde_json::from_str(&serde_json::to_string(&event).unwrap()).unwrap();
        prop_assert_eq!(&via_serde, &event);
    }

    #[test]
    fn every_format_signs_and_verifies_back_to_the_event(event in event(), format in 0usize..3) {
        prop_assume!(!e9(&event));
        let format = [Format::Cef, Format::Json, Format::Cps][format];
        let signer = Signer::from_seed(&[7; 32]);
        let mut buf = Vec::new();
        event.sign_into(format, &signer, &mut buf).unwrap();
        let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
        let verified = verifier.verify_audit(&buf).map_err(|e| TestCaseError::fail(format!("{e}: {}", String::from_utf8_lossy(&buf))))?;
        prop_assert_eq!(verified.entry(), &event);
    }
}
