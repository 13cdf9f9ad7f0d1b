// Twilio for the browser tests, on loopback: a fake of its Messages REST API for
// the gateway's sender, and inbound webhooks signed as Twilio signs them. The
// same behaviour as tests/support/fake_twilio.h, for tests driven from Node.
//
//   const twilio = await startFakeTwilio(ACCOUNT, TOKEN);
//   const gateway = await startGateway(binary, { public_url: ..., channels: [{ ..., api_base: twilio.base }] });
//   await postSignedInbound(gateway, TOKEN, { AccountSid: ACCOUNT, From: ..., Body: ... });
//   twilio.sent  // the form of every message accepted, oldest first, with its sid
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';

// Serves POST /2010-04-01/Accounts/{sid}/Messages.json on 127.0.0.1 and a port
// the server binds itself. A request for another account or without the
// account's Basic auth gets Twilio's 401 (code 20003); any other path 404;
// otherwise 201 "queued" with a sid "SM" + 32 hex digits counting the messages
// accepted (SM000…001 first). Resolves to {sent, base, close()}.
export function startFakeTwilio(account, token) {
  const sent = [];
  const auth = 'Basic ' + Buffer.from(`${account}:${token}`).toString('base64');
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const answer = (status, json) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(req.url);
      if (req.method !== 'POST' || !m) {
        answer(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
        return;
      }
      if (m[1] !== account || req.headers.authorization !== auth) {
        answer(401, { code: 20003, message: 'Authenticate', status: 401,
          more_info: 'https://www.twilio.com/docs/errors/20003' });
        return;
      }
      const form = Object.fromEntries(new URLSearchParams(body));
      const sid = 'SM' + (sent.length + 1).toString(16).padStart(32, '0');
      sent.push({ sid, ...form });
      answer(201, { sid, account_sid: account, status: 'queued', to: form.To, from: form.From, body: form.Body });
    });
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok({
      sent,
      base: `http://127.0.0.1:${server.address().port}`,
      close: () => new Promise((r) => server.close(r)),
    }));
  });
}

// X-Twilio-Signature: base64(HMAC-SHA1(token, url + each parameter's name and
// value, sorted by name)).
export function signTwilio(token, url, params) {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return createHmac('sha1', token).update(data, 'utf8').digest('base64');
}

// POSTs `params` to the gateway's /twilio/{channel}/inbound, signed with `token`
// for the gateway's public_url (what Twilio was given), as Twilio sends it.
// Resolves to the fetch Response. A request lost on the way (the connection
// closed under it, e.g. a keep-alive connection the server let go just as it
// was reused) is sent again once, with the same MessageSid, as Twilio retries:
// the gateway recognises a retry, so the message is stored once.
export async function postSignedInbound(gateway, token, params, channel = 'uk-sms') {
  const path = `/twilio/${channel}/inbound`;
  const send = () => fetch(gateway.base + path, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Twilio-Signature': signTwilio(token, gateway.publicUrl + path, params),
    },
    body: new URLSearchParams(params).toString(),
  });
  try {
    return await send();
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;  // fetch's network error
    return send();
  }
}
