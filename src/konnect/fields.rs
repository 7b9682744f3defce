//! Decoding: the pairs (or JSON members) of an entry gathered by field,
//! checked in their canonical text form, and turned into an [`AuditEvent`].

use std::borrow::Cow;
use std::net::IpAddr;

use uuid::Uuid;

use super::event::{AuditEvent, PrefixStyle, Product};
use super::family::{
    ACCESS_CLASS, ACCESS_NAME, AUTHZ_PREFIX, Access, AuthOutcome, AuthType, Authentication, Authorization, Family,
};
use super::field::Field;
use super::order::{Slot, canonical_order};
use super::text::strip;
use crate::cef::rfc3339::UtcSeconds;
use crate::cef::{Key, Severity};
use crate::error::{Error, ErrorKind, Result};

/// The pairs of a line, gathered by field.
#[derive(Default)]
pub(crate) struct Fields<'a> {
    known: Vec<(Field, Cow<'a, str>)>,
    extra: Vec<(Key<'a>, Cow<'a, str>)>,
    order: Vec<Slot>,
}

impl<'a> Fields<'a> {
    /// Files a pair under its field, or as an extra pair.
    pub(crate) fn take(&mut self, key: impl Into<Cow<'a, str>>, value: Cow<'a, str>) -> Result<()> {
        let key = key.into();
        // A pair named like a JSON header member (or a signature that is not
        // last) would collide with it in the JSON form.
        if let Some(header) = Field::json_only(&key) {
            return Err(Error::new(ErrorKind::InvalidField(header.into())));
        }
        match Field::from_pair_key(&key) {
            // kong_initiated is written only when true; anything else stays as written.
            Some(Field::KongInitiated) if value != "true" => self.push_extra(key, value),
            Some(field) => {
                if self.known.iter().any(|(f, _)| *f == field) {
                    return Err(Error::new(ErrorKind::InvalidField(field.into())));
                }
                self.known.push((field, value));
                self.order.push(Slot::Known(field));
                Ok(())
            }
            None => self.push_extra(key, value),
        }
    }

    fn push_extra(&mut self, key: Cow<'a, str>, value: Cow<'a, str>) -> Result<()> {
        self.extra.push((Key::new(key)?, value));
        self.order.push(Slot::Extra);
        Ok(())
    }

    /// Removes and returns a field's text.
    pub(crate) fn remove(&mut self, field: Field) -> Option<Cow<'a, str>> {
        let at = self.known.iter().position(|(f, _)| *f == field)?;
        Some(self.known.remove(at).1)
    }

    fn required(&mut self, field: Field) -> Result<Cow<'a, str>> {
        self.remove(field).ok_or_else(|| Error::new(ErrorKind::MissingField(field.into())))
    }

    /// A canonical decimal (what itoa writes back).
    pub(crate) fn int(&mut self, field: Field) -> Result<i64> {
        let text = self.required(field)?;
        let value: i64 = text.parse().map_err(|_| Error::new(ErrorKind::InvalidField(field.into())))?;
        canonical(&text, itoa::Buffer::new().format(value), field)?;
        Ok(value)
    }

    fn uint(&mut self, field: Field) -> Result<u64> {
        let text = self.required(field)?;
        let value: u64 = text.parse().map_err(|_| Error::new(ErrorKind::InvalidField(field.into())))?;
        canonical(&text, itoa::Buffer::new().format(value), field)?;
        Ok(value)
    }

    fn boolean(&mut self, field: Field) -> Result<bool> {
        match &*self.required(field)? {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(Error::new(ErrorKind::InvalidField(field.into()))),
        }
    }

    fn uuid(&mut self, field: Field) -> Result<Option<Uuid>> {
        let Some(text) = self.remove(field) else { return Ok(None) };
        let id = Uuid::try_parse(&text).map_err(|_| Error::new(ErrorKind::InvalidField(field.into())))?;
        canonical(&text, id.hyphenated().encode_lower(&mut Uuid::encode_buffer()), field)?;
        Ok(Some(id))
    }

    fn required_uuid(&mut self, field: Field) -> Result<Uuid> {
        self.uuid(field)?.ok_or_else(|| Error::new(ErrorKind::MissingField(field.into())))
    }

    fn ip(&mut self, field: Field) -> Result<IpAddr> {
        let text = self.required(field)?;
        let ip: IpAddr = text.parse().map_err(|_| Error::new(ErrorKind::InvalidField(field.into())))?;
        canonical(&text, &ip.to_string(), field)?;
        Ok(ip)
    }

    /// Builds the event from what was gathered.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn finish(
        mut self,
        product: Product,
        time: UtcSeconds,
        host: Cow<'a, str>,
        prefix_style: PrefixStyle,
        rt: i64,
        family: Family<'a>,
        severity: Severity,
    ) -> Result<AuditEvent<'a>> {
        let event = AuditEvent {
            product,
            time,
            host,
            prefix_style,
            rt,
            src: self.ip(Field::Src)?,
            org_id: self.required_uuid(Field::OrgId)?,
            principal_id: self.required_uuid(Field::PrincipalId)?,
            trace_id: self.uint(Field::TraceId)?,
            user_agent: self.required(Field::UserAgent)?,
            principal_name: self.remove(Field::PrincipalName),
            kong_initiated: self.remove(Field::KongInitiated).is_some(),
            actor_id: self.remove(Field::ActorId),
            portal_id: self.uuid(Field::PortalId)?,
            severity: Some(severity).filter(|s| *s != family.severity()),
            family,
            extra: Vec::new(),
            order: Vec::new(),
        };
        // Fields of another family are kept as extra pairs, where they were.
        let mut extra = self.extra.into_iter();
        let mut merged = Vec::new();
        let mut order = Vec::with_capacity(self.order.len());
        for slot in self.order {
            match slot {
                Slot::Known(field) => match self.known.iter().position(|(f, _)| *f == field) {
                    Some(at) => {
                        let (field, value) = self.known.remove(at);
                        merged.push((Key::new(field.as_str())?, value));
                        order.push(Slot::Extra);
                    }
                    None => order.push(slot),
                },
                Slot::Extra => {
                    if let Some(pair) = extra.next() {
                        merged.push(pair);
                        order.push(Slot::Extra);
                    }
                }
            }
        }
        let mut event = AuditEvent { extra: merged, order, ..event };
        // Remember the order only when it is not Konnect's own.
        let documented = canonical_order(&event.family)
            .iter()
            .filter(|field| event.value(**field).is_some())
            .map(|field| Slot::Known(*field))
            .chain(event.extra.iter().map(|_| Slot::Extra));
        if documented.eq(event.order.iter().copied()) {
            event.order.clear();
        }
        Ok(event)
    }
}

fn canonical(text: &str, written: &str, field: Field) -> Result<()> {
    if text == written { Ok(()) } else { Err(Error::new(ErrorKind::InvalidField(field.into()))) }
}

/// The family from the event class id and name.
pub(crate) fn family_from<'a>(class: Cow<'a, str>, name: Cow<'a, str>, fields: &mut Fields<'a>) -> Result<Family<'a>> {
    if class.starts_with("AUTHENTICATION_TYPE_") && name.starts_with("AUTHENTICATION_OUTCOME_") {
        return Ok(Family::Authentication(Authentication {
            kind: AuthType::from_header(class)?,
            outcome: AuthOutcome::from_header(name)?,
            request: fields.required(Field::Request)?,
            success: fields.boolean(Field::Success)?,
        }));
    }
    if name.starts_with(AUTHZ_PREFIX) {
        let resource = strip(name, AUTHZ_PREFIX).ok_or_else(|| Error::new(ErrorKind::UnknownFamily))?;
        let action = fields.required(Field::Action)?;
        let granted = fields.boolean(Field::Granted)?;
        return Authorization::new(class, resource, action, granted).map(Family::Authorization);
    }
    if class == ACCESS_CLASS && name == ACCESS_NAME {
        let request = fields.required(Field::Request)?;
        let method = fields.required(Field::Act)?;
        let status = u16::try_from(fields.uint(Field::Status)?)
            .map_err(|_| Error::new(ErrorKind::InvalidField(Field::Status.into())))?;
        let query = fields.required(Field::Query)?;
        return Ok(Family::Access(Access { request, method, status, query }));
    }
    Err(Error::new(ErrorKind::UnknownFamily))
}
