//! CPR lookups through KOMBIT's Serviceplatformen: SF1520 "PersonBaseDataExtended"
//! version 5 (SOAP 1.1 over HTTPS with the municipality's system certificate
//! as the TLS client certificate; no WS-Security token).
//!
//! The request names the municipality (its CVR) and the person (PNR); the
//! answer's `persondata` and `adresse` are read by element name, so the
//! namespace prefixes the service happens to use do not matter.

use app::domain::cpr::{CprAddress, CprNumber, CprPerson};
use app::server::cpr::{LookupError, PersonRegister};
use std::time::Duration;

/// The SOAPAction of PersonLookup.
pub const ACTION: &str =
    "http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/5/PersonLookup";
const SERVICE_NS: &str =
    "http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/5/";
const AUTHORITY_NS: &str = "http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/";
const PNR_NS: &str = "http://serviceplatformen.dk/xml/schemas/cpr/PNR/1/";

/// Where and as whom to ask.
#[derive(Clone)]
pub struct Sf1520Settings {
    /// e.g. `https://prod.serviceplatformen.dk/service/CPR/PersonBaseDataExtended/5`
    pub url: String,
    /// The municipality's CVR number (8 digits).
    pub municipality_cvr: String,
    /// The system certificate and its private key, PEM.
    pub client_pem: Vec<u8>,
    /// The CA(s) the service's certificate must chain to, PEM; without
    /// them the system's trusted roots are used.
    pub server_ca_pem: Option<Vec<u8>>,
    pub timeout: Duration,
}

pub struct Sf1520 {
    client: reqwest::Client,
    url: String,
    cvr: String,
}

impl Sf1520 {
    pub fn new(settings: Sf1520Settings) -> anyhow::Result<Self> {
        let cvr = super::cvr("the municipality's", &settings.municipality_cvr)?;
        let client = super::mutual_tls_client(
            "CPR",
            &settings.client_pem,
            settings.server_ca_pem.as_deref(),
            settings.timeout,
        )?;
        Ok(Sf1520 {
            client,
            url: settings.url,
            cvr,
        })
    }

    /// The client the configuration names; an unreadable or wrong
    /// certificate stops the server from starting rather than failing later.
    pub fn from_config(settings: &crate::config::CprSettings) -> anyhow::Result<Self> {
        use super::read_pem as read;
        Self::new(Sf1520Settings {
            url: settings.url.clone(),
            municipality_cvr: settings.municipality_cvr.clone(),
            client_pem: read("VALGVAGT_CPR_CLIENT_CERT", &settings.client_cert)?,
            server_ca_pem: match &settings.server_ca {
                Some(path) => Some(read("VALGVAGT_CPR_SERVER_CA", path)?),
                None => None,
            },
            timeout: Duration::from_secs(settings.timeout_seconds),
        })
    }

    /// The PersonLookup request for `number`, as the service's WSDL has it.
    pub fn request(cvr: &str, number: &CprNumber) -> String {
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body>
    <PersonLookupRequest xmlns="{SERVICE_NS}">
      <AuthorityContext xmlns="{AUTHORITY_NS}">
        <MunicipalityCVR>{cvr}</MunicipalityCVR>
      </AuthorityContext>
      <PNR xmlns="{PNR_NS}">{pnr}</PNR>
    </PersonLookupRequest>
  </soap:Body>
</soap:Envelope>"#,
            pnr = number.digits()
        )
    }
}

#[async_trait::async_trait]
impl PersonRegister for Sf1520 {
    async fn look_up(&self, number: &CprNumber) -> Result<CprPerson, LookupError> {
        let response = self
            .client
            .post(&self.url)
            .header("Content-Type", "text/xml; charset=utf-8")
            .header("SOAPAction", format!("\"{ACTION}\""))
            .body(Self::request(&self.cvr, number))
            .send()
            .await
            .map_err(|e| {
                // Never the number: this ends up in the log.
                let why = format!("no answer from {}: {}", self.url, super::error_chain(&e));
                tracing::error!("CPR lookup failed: {why}");
                LookupError::Unavailable(why)
            })?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| LookupError::Unavailable(format!("the answer broke off: {e}")))?;
        let answer = parse_answer(&body);
        if let Err(LookupError::Unavailable(why)) = &answer {
            tracing::error!("CPR lookup failed: HTTP {status}: {why}");
        }
        answer
    }
}

/// Reads a PersonLookup answer: a person, a `ServiceplatformFault`, or
/// something that cannot be relied on.
pub fn parse_answer(xml: &str) -> Result<CprPerson, LookupError> {
    let doc = roxmltree::Document::parse(xml)
        .map_err(|e| LookupError::Unavailable(format!("not XML: {e}")))?;
    let root = doc.root_element();
    if let Some(fault) = find(root, "Fault") {
        let error = find(fault, "Error");
        let code = error
            .and_then(|e| text_of(e, "ErrorCode"))
            .or_else(|| text_of(fault, "faultcode"))
            .unwrap_or_default();
        let text = error
            .and_then(|e| text_of(e, "ErrorText"))
            .or_else(|| text_of(fault, "faultstring"))
            .unwrap_or_default();
        if find(fault, "ServiceplatformFault").is_none() {
            return Err(LookupError::Unavailable(format!(
                "SOAP fault {code}: {text}"
            )));
        }
        return Err(LookupError::Refused { code, text });
    }
    let Some(person) = find(root, "persondata") else {
        return match find(root, "PersonLookupResponse") {
            // An answer without a person: nobody by that number.
            Some(_) => Err(LookupError::NotFound),
            None => Err(LookupError::Unavailable(
                "no PersonLookupResponse in the answer".into(),
            )),
        };
    };
    let name = find(person, "navn")
        .map(|n| {
            ["fornavn", "mellemnavn", "efternavn"]
                .iter()
                .filter_map(|part| text_of(n, part))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    let birth_date = text_of(person, "foedselsdato")
        .and_then(|d| chrono::NaiveDate::parse_from_str(d.get(..10)?, "%Y-%m-%d").ok());
    let status = find(person, "status")
        .and_then(|s| text_of(s, "status"))
        .ok_or_else(|| LookupError::Unavailable("no status in persondata".into()))?;
    let citizenship = find(person, "statsborgerskab").and_then(|s| text_of(s, "landekode"));
    let under_guardianship = find(person, "umyndiggoerelse")
        .and_then(|u| text_of(u, "umyndiggjort"))
        .is_some_and(|v| truthy(&v));
    let address_protected = find(person, "adressebeskyttelse")
        .and_then(|a| text_of(a, "beskyttet"))
        .is_some_and(|v| truthy(&v));
    // Absent means not asked about: only an explicit "false" is exempt.
    let digital_post = text_of(person, "tilmeldtDigitalpost").is_none_or(|v| truthy(&v));
    let current = find(root, "adresse").and_then(|a| find(a, "aktuelAdresse"));
    let municipality = current
        .and_then(|a| text_of(a, "kommunekode"))
        .map(|code| format!("{:0>4}", code.trim()));
    let address = current.and_then(|a| {
        Some(CprAddress {
            street: text_of(a, "standardadresse")?,
            postal_code: text_of(a, "postnummer").unwrap_or_default(),
            city: text_of(a, "postdistrikt").unwrap_or_default(),
        })
    });
    Ok(CprPerson {
        name,
        birth_date,
        status: format!("{:0>2}", status.trim()),
        citizenship,
        municipality,
        under_guardianship,
        address_protected,
        digital_post,
        address,
    })
}

/// The first element below `node` with local name `name` (`status` holds
/// a `status` of its own).
fn find<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.descendants()
        .skip(1)
        .find(|n| n.is_element() && n.tag_name().name() == name)
}

/// The trimmed text of the first `name` under `node`; none when empty.
fn text_of(node: roxmltree::Node<'_, '_>, name: &str) -> Option<String> {
    find(node, name)
        .and_then(|n| n.text())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

fn truthy(value: &str) -> bool {
    matches!(value.trim(), "true" | "1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_names_the_municipality_and_the_person() {
        let number = CprNumber::parse("cpr", "010190-1234").unwrap();
        let xml = Sf1520::request("29189846", &number);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let cvr = find(doc.root_element(), "MunicipalityCVR").unwrap();
        assert_eq!(cvr.text(), Some("29189846"));
        assert_eq!(cvr.tag_name().namespace(), Some(AUTHORITY_NS));
        let pnr = find(doc.root_element(), "PNR").unwrap();
        assert_eq!(pnr.text(), Some("0101901234"));
        assert_eq!(pnr.tag_name().namespace(), Some(PNR_NS));
        let request = find(doc.root_element(), "PersonLookupRequest").unwrap();
        assert_eq!(request.tag_name().namespace(), Some(SERVICE_NS));
    }

    #[test]
    fn a_fault_without_the_platform_detail_is_not_taken_for_a_refusal() {
        let xml = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
            <s:Fault><faultcode>s:Server</faultcode><faultstring>boom</faultstring></s:Fault>
            </s:Body></s:Envelope>"#;
        assert_eq!(
            parse_answer(xml),
            Err(LookupError::Unavailable("SOAP fault s:Server: boom".into()))
        );
        assert!(matches!(
            parse_answer("<html>Bad gateway</html>"),
            Err(LookupError::Unavailable(_))
        ));
        assert!(matches!(
            parse_answer("not xml"),
            Err(LookupError::Unavailable(_))
        ));
    }
}
