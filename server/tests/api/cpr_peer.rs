//! A loopback stand-in for Serviceplatformen's SF1520 PersonBaseDataExtended
//! v5: HTTPS that demands a client certificate from the test's own CA,
//! checks the SOAPAction and the municipality's CVR, and answers each
//! fixture's person (or a `ServiceplatformFault`) in the service's XML.

use std::path::Path;
use std::sync::{Arc, Mutex};

/// Certificates made for one test by `openssl`: a CA, the peer's server
/// certificate, a client certificate the peer trusts and one it does not.
pub struct TestPki {
    _dir: tempfile::TempDir,
    pub ca_pem: Vec<u8>,
    pub server_cert_pem: Vec<u8>,
    pub server_key_pem: Vec<u8>,
    /// Certificate and key, as the app is configured with them.
    pub client_pem: Vec<u8>,
    /// From a CA the peer has never heard of.
    pub stranger_pem: Vec<u8>,
    /// That other CA: a server certificate must not chain to it.
    pub stranger_ca_pem: Vec<u8>,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl (scripts/setup.sh installs it)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl TestPki {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let ca = |name: &str| {
            openssl(
                d,
                &[
                    "req",
                    "-x509",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:prime256v1",
                    "-nodes",
                    "-days",
                    "2",
                    "-subj",
                    &format!("/CN={name}"),
                    "-keyout",
                    &format!("{name}.key"),
                    "-out",
                    &format!("{name}.pem"),
                    "-addext",
                    "basicConstraints=critical,CA:TRUE",
                    "-addext",
                    "keyUsage=critical,keyCertSign,cRLSign",
                ],
            )
        };
        let leaf = |name: &str, ca: &str, ext: &str| {
            std::fs::write(d.join(format!("{name}.ext")), ext).unwrap();
            openssl(
                d,
                &[
                    "req",
                    "-new",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:prime256v1",
                    "-nodes",
                    "-subj",
                    &format!("/CN={name}"),
                    "-keyout",
                    &format!("{name}.key"),
                    "-out",
                    &format!("{name}.csr"),
                ],
            );
            openssl(
                d,
                &[
                    "x509",
                    "-req",
                    "-in",
                    &format!("{name}.csr"),
                    "-CA",
                    &format!("{ca}.pem"),
                    "-CAkey",
                    &format!("{ca}.key"),
                    "-CAcreateserial",
                    "-days",
                    "2",
                    "-extfile",
                    &format!("{name}.ext"),
                    "-out",
                    &format!("{name}.pem"),
                ],
            );
        };
        ca("test-ca");
        ca("stranger-ca");
        leaf(
            "server",
            "test-ca",
            "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
        );
        let client_ext = "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n";
        leaf("client", "test-ca", client_ext);
        leaf("stranger", "stranger-ca", client_ext);
        let read = |name: &str| std::fs::read(d.join(name)).unwrap();
        let both =
            |name: &str| [read(&format!("{name}.pem")), read(&format!("{name}.key"))].concat();
        TestPki {
            ca_pem: read("test-ca.pem"),
            server_cert_pem: read("server.pem"),
            server_key_pem: read("server.key"),
            client_pem: both("client"),
            stranger_pem: both("stranger"),
            stranger_ca_pem: read("stranger-ca.pem"),
            _dir: dir,
        }
    }
}

/// A person the peer knows.
#[derive(Clone)]
pub struct Fixture {
    pub pnr: &'static str,
    pub first: &'static str,
    pub last: &'static str,
    pub born: &'static str,
    pub status: &'static str,
    pub country: &'static str,
    /// The current address's municipality; none: no Danish address.
    pub municipality: Option<&'static str>,
    pub under_guardianship: bool,
    pub protected: bool,
    pub digital_post: bool,
}

/// An adult Dane living in Slagelse (0330), not protected, on Digital Post.
pub const ADULT: Fixture = Fixture {
    pnr: "0101901111",
    first: "Anna",
    last: "Andersen",
    born: "1990-01-01",
    status: "01",
    country: "5100",
    municipality: Some("330"),
    under_guardianship: false,
    protected: false,
    digital_post: true,
};

/// The one number the peer answers with a `ServiceplatformFault`.
pub const FAULTY_PNR: &str = "0101903999";

/// One request as the peer saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub action: String,
    pub cvr: String,
    pub pnr: String,
}

pub struct CprPeer {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    /// TLS handshakes the peer refused (no or an unknown client certificate).
    pub refused: Arc<Mutex<u32>>,
    /// Who the register knows, as it knows them now.
    people: Arc<Mutex<Vec<Fixture>>>,
    /// While set, every request is cut off unanswered (the service is down).
    down: Arc<std::sync::atomic::AtomicBool>,
}

/// TLS as Serviceplatformen speaks it here: the peer's certificate from the
/// test CA, and a client certificate from that CA demanded.
pub fn acceptor(pki: &TestPki) -> tokio_rustls::TlsAcceptor {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pki.ca_pem) {
        roots.add(cert.unwrap()).unwrap();
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .unwrap();
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pki.server_cert_pem)
        .map(|c| c.unwrap())
        .collect();
    let key = PrivateKeyDer::from_pem_slice(&pki.server_key_pem).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

impl CprPeer {
    pub async fn start(pki: &TestPki, cvr: &'static str, people: Vec<Fixture>) -> CprPeer {
        let acceptor = acceptor(pki);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let refused = Arc::new(Mutex::new(0));
        let people = Arc::new(Mutex::new(people));
        let down = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (s, r, p, d) = (seen.clone(), refused.clone(), people.clone(), down.clone());
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let (acceptor, seen, refused, people) =
                    (acceptor.clone(), s.clone(), r.clone(), p.clone());
                if d.load(std::sync::atomic::Ordering::SeqCst) {
                    drop(tcp);
                    continue;
                }
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        *refused.lock().unwrap() += 1;
                        return;
                    };
                    let service = hyper::service::service_fn(move |request| {
                        let (seen, people) = (seen.clone(), people.clone());
                        async move {
                            let people = people.lock().unwrap().clone();
                            Ok::<_, std::convert::Infallible>(
                                answer(request, cvr, &seen, &people).await,
                            )
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        CprPeer {
            url: format!("https://127.0.0.1:{port}/service/CPR/PersonBaseDataExtended/5"),
            seen,
            refused,
            people,
            down,
        }
    }

    /// The register's record of `person.pnr` is this from now on.
    pub fn update(&self, person: Fixture) {
        let mut people = self.people.lock().unwrap();
        people.retain(|p| p.pnr != person.pnr);
        people.push(person);
    }

    /// Takes the service down (connections cut at once) or up again.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, std::sync::atomic::Ordering::SeqCst);
    }
}

type Body = http_body_util::Full<hyper::body::Bytes>;

async fn answer(
    request: hyper::Request<hyper::body::Incoming>,
    cvr: &str,
    seen: &Mutex<Vec<Seen>>,
    people: &[Fixture],
) -> hyper::Response<Body> {
    use http_body_util::BodyExt;
    let action = request
        .headers()
        .get("soapaction")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim_matches('"')
        .to_string();
    let path_ok = request.uri().path() == "/service/CPR/PersonBaseDataExtended/5";
    let bytes = request.into_body().collect().await.unwrap().to_bytes();
    let xml = String::from_utf8_lossy(&bytes).to_string();
    let Ok(doc) = roxmltree::Document::parse(&xml) else {
        return respond(500, fault("soap:Client", "Bad request", None));
    };
    let text = |name: &str| {
        doc.descendants()
            .find(|n| n.tag_name().name() == name)
            .and_then(|n| n.text())
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    let (their_cvr, pnr) = (text("MunicipalityCVR"), text("PNR"));
    seen.lock().unwrap().push(Seen {
        action: action.clone(),
        cvr: their_cvr.clone(),
        pnr: pnr.clone(),
    });
    if !path_ok {
        return respond(404, String::new());
    }
    if action
        != "http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/5/PersonLookup"
    {
        return respond(500, fault("soap:Client", "Unknown SOAPAction", None));
    }
    if their_cvr != cvr {
        return respond(
            500,
            fault(
                "soap:Server",
                "Access denied",
                Some(("SP-AUTH-002", "Ingen serviceaftale for denne myndighed")),
            ),
        );
    }
    if pnr == FAULTY_PNR {
        return respond(
            500,
            fault(
                "soap:Server",
                "Error",
                Some(("CPR-0042", "Opslaget kunne ikke gennemføres")),
            ),
        );
    }
    match people.iter().find(|p| p.pnr == pnr) {
        Some(person) => respond(200, envelope(&person_xml(person))),
        None => respond(200, envelope("")),
    }
}

fn respond(status: u16, body: String) -> hyper::Response<Body> {
    hyper::Response::builder()
        .status(status)
        .header("content-type", "text/xml; charset=utf-8")
        .body(Body::new(body.into()))
        .unwrap()
}

fn envelope(inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ns2:PersonLookupResponse xmlns:ns2="http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/5/">{inner}</ns2:PersonLookupResponse></soap:Body></soap:Envelope>"#
    )
}

fn fault(code: &str, text: &str, detail: Option<(&str, &str)>) -> String {
    let detail = detail
        .map(|(code, text)| {
            format!(
                r#"<detail><ns3:ServiceplatformFault xmlns:ns3="http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/"><ns3:ErrorList><ns3:Error><ns3:ErrorCode>{code}</ns3:ErrorCode><ns3:ErrorText>{text}</ns3:ErrorText></ns3:Error></ns3:ErrorList></ns3:ServiceplatformFault></detail>"#
            )
        })
        .unwrap_or_default();
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>{code}</faultcode><faultstring>{text}</faultstring>{detail}</soap:Fault></soap:Body></soap:Envelope>"#
    )
}

fn person_xml(p: &Fixture) -> String {
    let address = match p.municipality {
        Some(code) => format!(
            "<adresse><aktuelAdresse><kommunekode>{code}</kommunekode><vejkode>1234</vejkode><standardadresse>Skolevej 12, 1. th</standardadresse><postnummer>4200</postnummer><postdistrikt>Slagelse</postdistrikt></aktuelAdresse></adresse>"
        ),
        None if p.status == "80" => "<adresse><udrejseoplysninger><udlandsadresse1>Calle Mayor 1</udlandsadresse1><udlandsadresse2>Madrid</udlandsadresse2></udrejseoplysninger></adresse>".to_string(),
        None => String::new(),
    };
    format!(
        "<persondata><personnummer>{pnr}</personnummer><navn><fornavn>{first}</fornavn><mellemnavn/><efternavn>{last}</efternavn></navn><foedselsdato>{born}</foedselsdato><koen>K</koen><status><status>{status}</status><statusdato>2001-01-01T00:00:00</statusdato></status><statsborgerskab><landekode>{country}</landekode></statsborgerskab><umyndiggoerelse><umyndiggjort>{guardian}</umyndiggjort></umyndiggoerelse><adressebeskyttelse><beskyttet>{protected}</beskyttet></adressebeskyttelse><tilmeldtNemsms>false</tilmeldtNemsms><tilmeldtDigitalpost>{dp}</tilmeldtDigitalpost></persondata>{address}",
        pnr = p.pnr,
        first = p.first,
        last = p.last,
        born = p.born,
        status = p.status,
        country = p.country,
        guardian = p.under_guardianship,
        protected = p.protected,
        dp = p.digital_post,
    )
}
