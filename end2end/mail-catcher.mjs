// A real SMTP server on loopback for the end-to-end tests: it keeps every
// message it receives and shows them, parsed, over HTTP at /messages.
// It also stands in for the SMS gateway (the one thing outside this
// machine): POST /rest/mtsms speaks GatewayAPI's protocol, and GET /sms
// shows what was sent.
import http from 'node:http';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

const SMTP_PORT = Number(process.env.MAIL_CATCHER_SMTP_PORT ?? 2525);
const HTTP_PORT = Number(process.env.MAIL_CATCHER_HTTP_PORT ?? 2526);
const messages = [];
const texts = [];
const SMS_TOKEN = 'e2e-sms-token';

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, callback) {
    simpleParser(stream)
      .then((mail) => {
        messages.push({
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          from: session.envelope.mailFrom && session.envelope.mailFrom.address,
          subject: mail.subject ?? '',
          text: mail.text ?? '',
          html: mail.html || '',
        });
        callback();
      })
      .catch(callback);
  },
});
smtp.listen(SMTP_PORT, '127.0.0.1');

http
  .createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${HTTP_PORT}`);
    if (url.pathname === '/healthz') {
      res.end('ok');
      return;
    }
    if (url.pathname === '/rest/mtsms' && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        if (req.headers.authorization !== `Token ${SMS_TOKEN}`) {
          res.statusCode = 401;
          res.end(JSON.stringify({ code: '0x0213', message: 'Unauthorized' }));
          return;
        }
        const sms = JSON.parse(body);
        for (const r of sms.recipients ?? []) {
          texts.push({ to: `+${r.msisdn}`, sender: sms.sender, message: sms.message });
        }
        res.end(JSON.stringify({ ids: [texts.length], usage: { currency: 'DKK', total_cost: 0.16 } }));
      });
      return;
    }
    if (url.pathname === '/sms') {
      const to = url.searchParams.get('to');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(to ? texts.filter((t) => t.to === to) : texts));
      return;
    }
    if (url.pathname === '/messages') {
      const to = url.searchParams.get('to');
      const found = to ? messages.filter((m) => m.to.includes(to.toLowerCase())) : messages;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(found));
      return;
    }
    res.statusCode = 404;
    res.end('not found');
  })
  .listen(HTTP_PORT, '127.0.0.1');
