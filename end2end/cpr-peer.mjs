// Serviceplatformen for the end-to-end tests, on loopback, over HTTPS that
// demands a client certificate from a test CA made here with openssl (the
// server is configured with its certificate and that CA: see e2e-env.ts):
// - the CPR register, SF1520 PersonBaseDataExtended v5: it checks the
//   SOAPAction and the municipality's CVR and answers the people below;
// - Digital Post, SF1601 in its three steps (STS → access token → kombi): it
//   checks each step's request (the STS's UseKey against the certificate the
//   connection was made with, the token, the MeMo message's required
//   elements in order) and keeps the letters.
// Over plain HTTP it shows what it was asked (GET /seen) and the letters
// (GET /letters).
import https from 'node:https';
import http from 'node:http';
import fs from 'node:fs';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';

const DIR = process.env.CPR_PEER_DIR ?? '/tmp/valgvagt-e2e/cpr';
const PORT = Number(process.env.CPR_PEER_PORT ?? 2527);
const HTTP_PORT = Number(process.env.CPR_PEER_HTTP_PORT ?? 2528);
const CVR = process.env.CPR_PEER_CVR ?? '29189846';
const ACTION =
  'http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/5/PersonLookup';

// Who the register knows: the demo's municipality is 999; Bo moved away.
const PEOPLE = {
  '0101801234': { first: 'Bo', last: 'Berg', born: '1980-01-01', municipality: '0101' },
  '0202851234': { first: 'Dorte', last: 'Dahl', born: '1985-02-02', municipality: '0999' },
  '0303851234': { first: 'Erik', last: 'Eng', born: '1985-03-03', municipality: '0999' },
  '0404851234': { first: 'Frida', last: 'Fisker', born: '1985-04-04', municipality: '0999' },
};

function openssl(...args) {
  execFileSync('openssl', args, { cwd: DIR, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCertificates() {
  fs.rmSync(DIR, { recursive: true, force: true });
  fs.mkdirSync(DIR, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-days', '2', '-subj', '/CN=e2e-ca', '-keyout', 'ca.key', '-out', 'ca.pem',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const leaf = (name, ext) => {
    fs.writeFileSync(`${DIR}/${name}.ext`, ext);
    openssl('req', '-new', ...ec, '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
      '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
  };
  leaf('server', 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n');
  leaf('client', 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
  // The system certificate as the app reads it: certificate and key in one file.
  fs.writeFileSync(`${DIR}/system.pem`,
    fs.readFileSync(`${DIR}/client.pem`, 'utf8') + fs.readFileSync(`${DIR}/client.key`, 'utf8'));
}

const envelope = (inner) =>
  '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">' +
  '<soap:Body><ns2:PersonLookupResponse xmlns:ns2="http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/5/">' +
  `${inner}</ns2:PersonLookupResponse></soap:Body></soap:Envelope>`;

const fault = (code, text) =>
  '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">' +
  '<soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>Error</faultstring><detail>' +
  '<ns3:ServiceplatformFault xmlns:ns3="http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/">' +
  `<ns3:ErrorList><ns3:Error><ns3:ErrorCode>${code}</ns3:ErrorCode><ns3:ErrorText>${text}</ns3:ErrorText>` +
  '</ns3:Error></ns3:ErrorList></ns3:ServiceplatformFault></detail></soap:Fault></soap:Body></soap:Envelope>';

const person = (pnr, p) =>
  `<persondata><personnummer>${pnr}</personnummer><navn><fornavn>${p.first}</fornavn><mellemnavn/>` +
  `<efternavn>${p.last}</efternavn></navn><foedselsdato>${p.born}</foedselsdato><koen>M</koen>` +
  '<status><status>01</status><statusdato>2001-01-01T00:00:00</statusdato></status>' +
  '<statsborgerskab><landekode>5100</landekode></statsborgerskab>' +
  '<umyndiggoerelse><umyndiggjort>false</umyndiggjort></umyndiggoerelse>' +
  '<adressebeskyttelse><beskyttet>false</beskyttet></adressebeskyttelse>' +
  '<tilmeldtNemsms>false</tilmeldtNemsms><tilmeldtDigitalpost>true</tilmeldtDigitalpost></persondata>' +
  `<adresse><aktuelAdresse><kommunekode>${p.municipality}</kommunekode><vejkode>1234</vejkode>` +
  '<standardadresse>Skolevej 12</standardadresse><postnummer>4200</postnummer>' +
  '<postdistrikt>Slagelse</postdistrikt></aktuelAdresse></adresse>';

const inner = (xml, name) => xml.match(new RegExp(`<(?:\\w+:)?${name}[^>]*>([^<]*)<`))?.[1]?.trim() ?? '';

const seen = [];
makeCertificates();

// Digital Post.
const MEMO = 'https://DigitalPost.dk/MeMo-1';
const ENTITY = 'http://entityid.kombit.dk/service/kombipostafsend/1';
const assertions = new Set();
const tokens = new Set();
const letters = [];
const json = (res, status, value) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
};
const kombiResponse = (id, advice) =>
  `<?xml version="1.0" encoding="UTF-8"?><kombi_response><Result>${!!id}</Result><TransmissionID>${id ?? ''}</TransmissionID>` +
  `<HovedoplysningerSvarREST><SvarReaktion><Advis><AdvisId>${id ? 0 : 1}</AdvisId><AdvisTekst>${advice}</AdvisTekst>` +
  '</Advis></SvarReaktion></HovedoplysningerSvarREST></kombi_response>';

/** MeMo's required elements, each after the one before; the letter or why not. */
function readLetter(xml) {
  if (inner(xml, 'KombiValgKode') !== 'Digital Post') return { why: 'KombiValgKode' };
  if (!xml.includes(`"${MEMO}"`) || !/<(?:\w+:)?Message\s[^>]*memoVersion=/.test(xml)) return { why: 'MeMo Message' };
  const order = ['MessageHeader', 'messageType', 'messageUUID', 'label', 'Sender', 'senderID', 'idType', 'label',
    'Recipient', 'recipientID', 'idType', 'MessageBody', 'createdDateTime', 'MainDocument', 'File', 'encodingFormat',
    'filename', 'language', 'content'];
  let at = 0;
  for (const name of order) {
    const found = xml.slice(at).search(new RegExp(`<(?:\\w+:)?${name}[\\s>]`));
    if (found < 0) return { why: `MeMo lacks ${name} (or it is out of order)` };
    at += found + 1;
  }
  if (inner(xml, 'messageType') !== 'DIGITALPOST') return { why: 'messageType' };
  if (inner(xml, 'senderID') !== CVR) return { why: 'senderID' };
  const cpr = inner(xml, 'recipientID');
  if (!/^\d{10}$/.test(cpr)) return { why: 'recipientID' };
  const sender = xml.match(/<(?:\w+:)?Sender>[\s\S]*?<(?:\w+:)?label>([^<]*)</)?.[1] ?? '';
  return {
    letter: {
      cpr,
      label: inner(xml, 'label'),
      sender,
      html: Buffer.from(inner(xml, 'content'), 'base64').toString('utf8'),
      transmissionId: crypto.randomUUID(),
    },
  };
}

function digitalPost(req, res, body) {
  if (req.url === '/runtime/api/rest/wstrust/v1/issue') {
    const ask = JSON.parse(body || '{}');
    const presented = req.socket.getPeerCertificate()?.raw?.toString('base64');
    if (ask.AnvenderKontekst?.Cvr !== CVR || ask.AppliesTo?.EndpointReference?.Address !== ENTITY || ask.UseKey !== presented)
      return json(res, 400, { error: 'STS request' });
    const assertion = Buffer.from(`<saml:Assertion ID="_${crypto.randomUUID()}"/>`).toString('base64');
    assertions.add(assertion);
    return json(res, 200, { RequestedSecurityToken: { Assertion: assertion } });
  }
  if (req.url === '/service/AccessTokenService_1/token') {
    const assertion = new URLSearchParams(body).get('saml-token');
    if (!assertions.delete(assertion)) return json(res, 400, { error: 'unknown assertion' });
    const token = `at-${crypto.randomUUID()}`;
    tokens.add(token);
    return json(res, 200, { access_token: token, token_type: 'Holder-of-key', expires_in: 3600 });
  }
  if (req.url === '/service/KombiPostAfsend_1/kombi') {
    const send = (status, xml) => {
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(xml);
    };
    if (!tokens.has((req.headers.authorization ?? '').replace('Holder-of-key ', ''))) return send(401, '');
    if (!/^[0-9a-f-]{36}$/.test(req.headers['x-transaktionsid'] ?? '')) return send(400, kombiResponse(null, 'x-TransaktionsId'));
    const { letter, why } = readLetter(body);
    if (!letter) return send(400, kombiResponse(null, why));
    letters.push(letter);
    return send(200, kombiResponse(letter.transmissionId, 'received'));
  }
  return false;
}

https
  .createServer(
    {
      key: fs.readFileSync(`${DIR}/server.key`),
      cert: fs.readFileSync(`${DIR}/server.pem`),
      ca: fs.readFileSync(`${DIR}/ca.pem`),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        if (req.url !== '/service/CPR/PersonBaseDataExtended/5') {
          if (digitalPost(req, res, body) === false) {
            res.writeHead(404);
            res.end();
          }
          return;
        }
        const action = (req.headers.soapaction ?? '').replaceAll('"', '');
        const cvr = inner(body, 'MunicipalityCVR');
        const pnr = inner(body, 'PNR');
        seen.push({ action, cvr, pnr });
        const send = (status, xml) => {
          res.writeHead(status, { 'content-type': 'text/xml; charset=utf-8' });
          res.end(xml);
        };
        if (req.url !== '/service/CPR/PersonBaseDataExtended/5') return send(404, '');
        if (action !== ACTION) return send(500, fault('SP-0001', 'Unknown SOAPAction'));
        if (cvr !== CVR) return send(500, fault('SP-AUTH-002', 'Ingen serviceaftale for denne myndighed'));
        const known = PEOPLE[pnr];
        send(200, envelope(known ? person(pnr, known) : ''));
      });
    },
  )
  .listen(PORT, '127.0.0.1');

http
  .createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const shown = { '/seen': seen, '/letters': letters }[req.url] ?? { ok: true };
    res.end(JSON.stringify(shown));
  })
  .listen(HTTP_PORT, '127.0.0.1');
