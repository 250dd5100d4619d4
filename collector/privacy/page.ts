// GET /privacy on the collector: a page a site's privacy policy can link to. It shows what
// GET /api/privacy/me answers for the visitor's own address and offers the erase. Same origin as
// the API, which has no CORS on purpose (see routes.ts). No external resources, no storage.
export const PRIVACY_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>What this analytics collector holds about your IP address</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; color: #1f2933; }
pre { background: #f3f4f6; padding: 1rem; overflow-x: auto; font-size: 13px; }
button { font: inherit; padding: .4rem 1rem; }
</style>
</head>
<body>
<h1>What is held about your IP address</h1>
<p id="message">Looking…</p>
<p><button id="erase" hidden>Erase it now</button></p>
<p id="result" role="status"></p>
<details><summary>The full answer</summary><pre id="raw"></pre></details>
<script>
const show = (id, text) => { document.getElementById(id).textContent = text; };
async function look() {
  const res = await fetch('/api/privacy/me', { cache: 'no-store' });
  const body = await res.json();
  show('raw', JSON.stringify(body, null, 2));
  show('message', body.message || body.error || '');
  document.getElementById('erase').hidden = !body.held;
}
document.getElementById('erase').addEventListener('click', async () => {
  const res = await fetch('/api/privacy/me', { method: 'DELETE' });
  const body = await res.json();
  show('result', res.ok ? (body.erased ? 'Erased.' : body.message) : body.error + (body.expires_at ? ' (ends by itself at ' + body.expires_at + ')' : ''));
  await look();
});
look().catch(() => show('message', 'The collector did not answer; try again later.'));
</script>
</body>
</html>
`;
