//! Konnect's documented entries re-render byte for byte through the typed
//! model; bad fields are named.
#![cfg(feature = "konnect")]

use audit_cef::{AuditEvent, ErrorKind, Family, Field, PrefixStyle, Product};

/// From `konnect.md` section 1 and `tests/data/vectors/konnect.jsonl`.
const DOCUMENTED: [&str; 2] = [
    "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=3959872677347089807 user_agent=grpc-node-js/1.12.4 sig=KbLaBhQFnggT_8CyC95b777R1_fGvvLVDn7awjZK8eZLdGPrSvnS-sxJw63j930eKr-VTsQv8-TQTD_GVmAPAQ",
    "2025-06-23T14:28:47Z konghq.com CEF:0|KongInc|Dev-Portal|1.0|AUTHENTICATION_TYPE_BASIC|AUTHENTICATION_OUTCOME_SUCCESS|0|rt=1750688927556 src=172.71.232.22 request=/api/v2/developer/authenticate success=true org_id=998db3e4-5cb7-4dd5-b51c-9878096a6999 portal_id=3e551b39-227d-4297-b911-e68fd5d77c17 principal_id=a3d2699a-0ed3-4417-bb10-d8e74a1513a4 trace_id=3360194145499877252 user_agent= sig=XQC3OSFxLbi5dy2-o4xAXHT-x8oW5Df-zVsACWQLMU9Q-sPnEyk5CVs4JHwuRcwO0QNLsNaP1wsyrXYPeneXDQ",
];

fn unsigned(line: &str) -> &str {
    line.rsplit_once(" sig=").map_or(line, |(body, _)| body)
}

#[test]
fn documented_cef_lines_re_render_byte_for_byte_signature_aside() {
    for line in DOCUMENTED {
        let event = AuditEvent::from_cef(line.as_bytes()).unwrap();
        assert_eq!(event.to_cef_string(), unsigned(line));
    }
    let devportal = AuditEvent::from_cef(DOCUMENTED[1].as_bytes()).unwrap();
    assert_eq!(devportal.product(), Product::DevPortal);
    assert_eq!(devportal.user_agent(), "");
    assert!(matches!(devportal.family(), Family::Authentication(a) if a.success));
}

#[test]
fn vectors_file_lines_re_render() {
    let text = include_str!("data/vectors/konnect.jsonl");
    let mut seen = 0;
    for record in text.lines() {
        let value: serde_json::Value = serde_json::from_str(record).unwrap();
        let line = value["input"].as_str().unwrap();
        assert_eq!(AuditEvent::from_cef(line.as_bytes()).unwrap().to_cef_string(), unsigned(line));
        seen += 1;
    }
    assert_eq!(seen, 2);
}

#[test]
fn bsd_prefix_from_2023_and_unknown_pairs_in_the_middle_round_trip() {
    for line in [
        "Apr 14 05:39:08 konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.organization|1|rt=1681450748123 src=127.0.0.6 action=read granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=1 user_agent=grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; ganges)",
        "Jan  1 00:00:01 konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|6|rt=1704067201000 src=::1 action=edit granted=false region=eu org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 actor_id= trace_id=18446744073709551615 user_agent=x kong_initiated=true",
        "2025-01-01T00:00:00Z konghq.com CEF:0|KongInc|Konnect|1.0|KongGateway|Ingress|10|rt=1735689600000 src=10.1.2.3 request=/v2/x act=GET status=500 org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 user_agent=a\\=b trace_id=7 query={\"a\":\"b c\"}",
        "2025-01-01T00:00:00Z konghq.com CEF:0|KongInc|Konnect|1.0|AUTHENTICATION_TYPE_PASSKEY|AUTHENTICATION_OUTCOME_SOMETHING_NEW|3|rt=1 src=10.1.2.3 request=/login success=false org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=7 user_agent=u",
    ] {
        let event = AuditEvent::from_cef(line.as_bytes()).unwrap();
        assert_eq!(event.to_cef_string(), line);
    }
    let bsd = AuditEvent::from_cef(b"Apr 14 05:39:08 konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.organization|1|rt=1681450748123 src=127.0.0.6 action=read granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=1 user_agent=").unwrap();
    assert_eq!(bsd.prefix_style(), PrefixStyle::Bsd);
    assert_eq!(bsd.time().to_rfc3339(), "2023-04-14T05:39:08+00:00");
}

#[test]
fn bad_fields_are_named() {
    let good = unsigned(DOCUMENTED[0]);
    for (from, to, kind) in [
        (
            "org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999",
            "org_id=not-a-uuid",
            ErrorKind::InvalidField(Field::OrgId.into()),
        ),
        (
            "org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999",
            "org_id=777DB3E4-5cb7-4dd5-b51c-9878096a6999",
            ErrorKind::InvalidField(Field::OrgId.into()),
        ),
        ("org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 ", "", ErrorKind::MissingField(Field::OrgId.into())),
        ("src=127.0.0.6", "src=127.0.0.256", ErrorKind::InvalidField(Field::Src.into())),
        ("granted=true", "granted=yes", ErrorKind::InvalidField(Field::Granted.into())),
        ("granted=true ", "", ErrorKind::MissingField(Field::Granted.into())),
        ("rt=1750280466889", "rt=17502804668890000000000", ErrorKind::InvalidField(Field::Rt.into())),
        ("trace_id=3959872677347089807", "trace_id=-1", ErrorKind::InvalidField(Field::TraceId.into())),
        ("2025-06-18T21:02:36Z", "2025-06-18T25:02:36Z", ErrorKind::InvalidField(Field::Time.into())),
        ("2025-06-18T21:02:36Z konghq.com ", "", ErrorKind::MissingField(Field::Time.into())),
        ("|konnect|Authz.control-planes|", "|konnect|control-planes|", ErrorKind::UnknownFamily),
        ("|KongInc|", "|Acme|", ErrorKind::UnknownFamily),
        ("|Konnect|", "|Gateway|", ErrorKind::InvalidField(Field::Product.into())),
        ("src=127.0.0.6", "src=127.0.0.6 src=127.0.0.7", ErrorKind::InvalidField(Field::Src.into())),
    ] {
        assert!(good.contains(from), "{from}");
        let bad = good.replacen(from, to, 1);
        assert_eq!(AuditEvent::from_cef(bad.as_bytes()).map(|_| ()).unwrap_err().kind(), kind, "{bad}");
    }
}

/// Kong's one byte-exact compact JSON entry (konnect.md section 2).
const DOCUMENTED_JSON: &str = r#"{"action":"read","cef_version":"0","event_class_id":"identity","event_product":"Konnect","event_ts":"2023-04-28T20:52:09Z","event_vendor":"KongInc","event_version":"1.0","granted":true,"name":"Authz.identity-provider","org_id":"b065b594-6afc-4658-9101-5d9cf3f36b7b","principal_id":"87655c36-8d63-48fe-9a1e-53b28dfbc19b","rt":1682715129807,"severity":1,"src":"127.0.0.6","trace_id":3895213347334635099,"user_agent":"grpc-go/1.54.0","sig":"Jm73seSwAiacSBysDmgQ3D_R_1c39_T0Iuus9GqUEnAjCc-UnyKhFgS8jDx5UIl4J6PTCH5ouuPizwnjnMDECg"}"#;

#[test]
fn documented_json_signed_payload_re_renders_byte_for_byte() {
    let (payload, _) = DOCUMENTED_JSON.rsplit_once(r#","sig":""#).unwrap();
    let payload = format!("{payload}}}");
    let event = AuditEvent::from_json(DOCUMENTED_JSON.as_bytes()).unwrap();
    assert_eq!(event.to_json_string(), payload);
    assert_eq!(AuditEvent::from_json(payload.as_bytes()).unwrap(), event);
    assert_eq!(event.trace_id(), 3895213347334635099);
    // The same event as CPS and as CEF, and back.
    let mut cps = Vec::new();
    event.render_cps_into(&mut cps);
    assert_eq!(String::from_utf8(cps.clone()).unwrap(), format!("{{\"event\":{payload}}}"));
    assert_eq!(AuditEvent::from_cps(&cps).unwrap(), event);
    let cef = event.to_cef_string();
    assert_eq!(
        cef,
        "2023-04-28T20:52:09Z konghq.com CEF:0|KongInc|Konnect|1.0|identity|Authz.identity-provider|1|rt=1682715129807 src=127.0.0.6 action=read granted=true org_id=b065b594-6afc-4658-9101-5d9cf3f36b7b principal_id=87655c36-8d63-48fe-9a1e-53b28dfbc19b trace_id=3895213347334635099 user_agent=grpc-go/1.54.0"
    );
    assert_eq!(AuditEvent::from_cef(cef.as_bytes()).unwrap(), event);
}

#[test]
fn json_reads_the_type_variants_kong_shows() {
    let variants = DOCUMENTED_JSON
        .replace(r#""cef_version":"0""#, r#""cef_version":0"#)
        .replace(r#""rt":1682715129807"#, r#""rt":"1682715129807""#)
        .replace(r#""granted":true"#, r#""granted":"true""#)
        .replace(r#""trace_id":3895213347334635099"#, r#""trace_id":"3895213347334635099""#);
    assert_eq!(
        AuditEvent::from_json(variants.as_bytes()).unwrap(),
        AuditEvent::from_json(DOCUMENTED_JSON.as_bytes()).unwrap()
    );
    for (from, to, kind) in [
        (r#""granted":true"#, r#""granted":1"#, ErrorKind::InvalidField(Field::Granted.into())),
        (r#""rt":1682715129807"#, r#""rt":1.5"#, ErrorKind::InvalidField(Field::Rt.into())),
        (
            r#""trace_id":3895213347334635099"#,
            r#""trace_id":3.895213347334635e18"#,
            ErrorKind::InvalidField(Field::TraceId.into()),
        ),
        (
            r#""event_ts":"2023-04-28T20:52:09Z""#,
            r#""event_ts":"yesterday""#,
            ErrorKind::InvalidField(Field::Time.into()),
        ),
        (r#""src":"127.0.0.6""#, r#""src":"localhost""#, ErrorKind::InvalidField(Field::Src.into())),
        (r#""org_id":"b065b594-6afc-4658-9101-5d9cf3f36b7b","#, "", ErrorKind::MissingField(Field::OrgId.into())),
        (r#""cef_version":"0","#, "", ErrorKind::MissingField(Field::CefVersion.into())),
        (r#""name":"Authz.identity-provider""#, r#""name":"Login""#, ErrorKind::UnknownFamily),
    ] {
        let bad = DOCUMENTED_JSON.replacen(from, to, 1);
        assert_ne!(bad, DOCUMENTED_JSON, "{from}");
        assert_eq!(AuditEvent::from_json(bad.as_bytes()).map(|_| ()).unwrap_err().kind(), kind, "{bad}");
    }
    assert_eq!(AuditEvent::from_json(b"{not json").unwrap_err().kind(), ErrorKind::InvalidJson);
}

#[test]
fn trace_id_above_2_pow_53_survives_every_conversion() {
    let big = (1u64 << 53) + 1;
    let line = unsigned(DOCUMENTED[0]).replace("trace_id=3959872677347089807", &format!("trace_id={big}"));
    let event = AuditEvent::from_cef(line.as_bytes()).unwrap();
    let via_json = AuditEvent::from_json(event.to_json_string().as_bytes()).unwrap();
    let mut cps = Vec::new();
    via_json.render_cps_into(&mut cps);
    let via_cps = AuditEvent::from_cps(&cps).unwrap();
    let via_serde: AuditEvent = serde_json::from_str(&serde_json::to_string(&via_cps).unwrap()).unwrap();
    let line = via_serde.to_cef_string();
    let back = AuditEvent::from_cef(line.as_bytes()).unwrap();
    assert_eq!(back.trace_id(), big);
    assert_eq!(back.to_cef_string(), line);
    assert!(event.to_json_string().contains(&format!("\"trace_id\":{big},")));
}

#[test]
fn field_errors_carry_the_byte_offset_of_the_value() {
    let line = "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|rt=1 src=10.0.0.1 action=read granted=maybe";
    let err = AuditEvent::from_cef(line.as_bytes()).unwrap_err();
    assert_eq!((err.kind(), err.offset()), (ErrorKind::InvalidField(Field::Granted.into()), line.find("maybe")));
    let missing = AuditEvent::from_cef(line.replace(" granted=maybe", "").as_bytes()).unwrap_err();
    assert_eq!(
        (missing.kind(), missing.offset()),
        (ErrorKind::MissingField(Field::Granted.into()), Some(line.len() - 14))
    );

    let json = DOCUMENTED_JSON.replace(r#""src":"127.0.0.6""#, r#""src":"nowhere""#);
    let err = AuditEvent::from_json(json.as_bytes()).unwrap_err();
    assert_eq!((err.kind(), err.offset()), (ErrorKind::InvalidField(Field::Src.into()), json.find(r#""nowhere""#)));
    let syntax = AuditEvent::from_json(br#"{"a":x}"#).unwrap_err();
    assert_eq!((syntax.kind(), syntax.offset()), (ErrorKind::InvalidJson, Some(5)));
}

#[test]
fn what_could_not_be_signed_and_verified_is_refused_when_built() {
    use audit_cef::{Access, AuthOutcome, AuthType, Authentication, Authorization, HeaderField};
    use chrono::{TimeZone, Utc};

    // ` sig=` in header text is not escaped: verification would split there.
    let err = Authorization::new("konnect", "planes sig=forged", "list", true).unwrap_err();
    assert_eq!((err.kind(), err.offset()), (ErrorKind::SignatureMarkerInHeader(HeaderField::Name), Some(6)));
    let err = Authorization::new("a sig=b", "planes", "list", true).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SignatureMarkerInHeader(HeaderField::EventClassId));
    assert!(AuthType::from_header("AUTHENTICATION_TYPE_X sig=Y").is_err());
    assert!(AuthOutcome::from_header("AUTHENTICATION_OUTCOME_\nX").is_err());
    // In values, `=` is escaped, so the same text is harmless there.
    let access = Access::new("/a sig=b", "GET", 200, "");
    let time = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let build = |family, host: &'static str| {
        AuditEvent::builder(family)
            .time(time)
            .src("10.0.0.1".parse().unwrap())
            .org_id(audit_cef::uuid::Uuid::nil())
            .principal_id(audit_cef::uuid::Uuid::nil())
            .trace_id(1)
            .user_agent("ua sig=x")
            .host(host)
            .build()
    };
    let event = build(Family::Access(access.clone()), "konghq.com").unwrap();
    assert!(event.to_cef_string().contains("request=/a sig\\=b"));
    // A host that holds a CEF marker would move where the event starts.
    let err = build(Family::Access(access.clone()), "x.CEF:0|y").unwrap_err();
    assert_eq!((err.kind(), err.offset()), (ErrorKind::MarkerInPrefix, Some(2)));
    let err = build(Family::Access(access), "two words").unwrap_err();
    assert_eq!((err.kind(), err.offset()), (ErrorKind::InvalidField(Field::Host.into()), Some(3)));
    let _ = Authentication::new(AuthType::Basic, AuthOutcome::Success, "/");
}

#[test]
fn a_bsd_entry_whose_year_has_no_rfc3339_form_is_refused() {
    // A BSD prefix takes its year from rt: here year 10000.
    let line = "Jan  1 00:00:00 konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|rt=253402300800000 src=10.0.0.1 action=read granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=1 user_agent=";
    let err = AuditEvent::from_cef(line.as_bytes()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidField(Field::Time.into()));
    // The year 9999 still decodes, and renders in JSON with its time.
    let ok = line.replace("rt=253402300800000", "rt=253402214400000").replace("Jan  1", "Dec 31");
    let event = AuditEvent::from_cef(ok.as_bytes()).unwrap();
    assert!(event.to_json_string().contains(r#""event_ts":"9999-12-31T00:00:00Z""#), "{}", event.to_json_string());
}

#[test]
fn building_in_place_lends_the_event_build_returns_and_fails_as_it_does() {
    use audit_cef::{Access, AuditEventBuilder, Authorization, Severity};
    use chrono::{TimeZone, Utc};

    let time = Utc.with_ymd_and_hms(2025, 6, 18, 21, 2, 36).unwrap();
    let builder = |family| -> AuditEventBuilder<'static> {
        AuditEvent::builder(family)
            .time(time)
            .src("127.0.0.6".parse().unwrap())
            .org_id(audit_cef::uuid::Uuid::nil())
            .principal_id(audit_cef::uuid::Uuid::nil())
            .trace_id(3959872677347089807)
    };
    let authz = || Family::Authorization(Authorization::new("konnect", "control-planes", "list", true).unwrap());
    let access = || Family::Access(Access::new("/v2/x", "GET", 200, "a=1"));
    // The same event either way: plain, with a severity and a host, with extra pairs.
    let cases: [fn(AuditEventBuilder<'static>) -> AuditEventBuilder<'static>; 3] = [
        |b| b,
        |b| b.severity(Severity::HIGH).host("audit.example.com").rt(1750280466889),
        |b| b.extra("region", "eu").extra("zone", "b").user_agent("curl/8"),
    ];
    for case in cases {
        for family in [authz(), access()] {
            let by_value = case(builder(family.clone())).build().unwrap();
            let mut in_place = case(builder(family));
            assert_eq!(in_place.build_in_place().unwrap(), &by_value);
            // Again: the same event, its extra pairs still there.
            assert_eq!(in_place.build_in_place().unwrap(), &by_value);
            assert_eq!(in_place.build_in_place().unwrap().to_cef_string(), by_value.to_cef_string());
        }
    }
    // Errors as `build`'s, and every later call fails the same way: a bad
    // extra key never leaves an event without its pairs behind.
    let invalid: [fn(AuditEventBuilder<'static>) -> AuditEventBuilder<'static>; 4] = [
        |b| b.extra("region", "eu").extra("bad key", "x"),
        |b| b.extra("region", "eu").extra("region", "us"),
        |b| b.extra("rt", "1"),
        |b| b.host("two words"),
    ];
    for case in invalid {
        let expected = case(builder(authz())).build().unwrap_err();
        let mut in_place = case(builder(authz()));
        for _ in 0..2 {
            let err = in_place.build_in_place().unwrap_err();
            assert_eq!((err.kind(), err.offset()), (expected.kind(), expected.offset()));
        }
    }
    let err = AuditEvent::builder(authz()).time(time).build_in_place().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MissingField(Field::Src.into()));
    // Pairs added after an in-place build join those it moved in: none is
    // lost, and none may come twice.
    let mut first = builder(authz()).extra("region", "eu");
    first.build_in_place().unwrap();
    let mut more = first.extra("zone", "b");
    let expected = builder(authz()).extra("region", "eu").extra("zone", "b").build().unwrap();
    assert_eq!(more.build_in_place().unwrap(), &expected);
    assert_eq!(more.build().unwrap(), expected);
    let mut first = builder(authz()).extra("region", "eu");
    first.build_in_place().unwrap();
    let err = first.extra("region", "us").build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidKey);
}
