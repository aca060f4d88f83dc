import { createHash } from 'node:crypto';

/**
 * A page to browse the OpenAPI document, self-contained (no CDN: the API may run where nothing
 * outside is reachable). It renders every operation with its summary, parameters, body schema
 * and responses from /openapi.json.
 *
 * Its one style sheet and one script are inline, allowed by their hashes in the Content-Security-Policy
 * (no 'unsafe-inline'), and the page may not be framed.
 */
const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f8fa}
header{background:#0b3d91;color:#fff;padding:16px 24px}main{max-width:980px;margin:0 auto;padding:16px}
details{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:8px 0}summary{cursor:pointer;padding:10px 12px}
summary:focus-visible{outline:3px solid #0969da}.m{display:inline-block;min-width:56px;font-weight:700;text-transform:uppercase}
.get{color:#0a7b34}.post{color:#0550ae}code,pre{font:13px ui-monospace,monospace}pre{background:#f6f8fa;padding:8px;overflow:auto;margin:0 12px 12px}
h3{font-size:14px;margin:8px 12px 4px}header h1{margin:0;font-size:20px}
`;

const SCRIPT = `
fetch('/openapi.json').then(r=>r.json()).then(doc=>{
  const esc=s=>String(s).replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
  const ref=o=>{if(o&&o.$ref){return doc.components.schemas[o.$ref.split('/').pop()]}return o};
  document.getElementById('v').textContent=doc.info.description+' — version '+doc.info.version+', OpenAPI '+doc.openapi;
  const out=[];
  for(const [path,item] of Object.entries(doc.paths)) for(const [method,op] of Object.entries(item)){
    const body=op.requestBody&&op.requestBody.content;const bodySchema=body&&Object.values(body)[0].schema;
    out.push('<details><summary><span class="m '+method+'">'+method+'</span> <code>'+esc(path)+'</code> — '+esc(op.summary||'')+(op.security?' 🔒':'')+'</summary>'
      +(op.parameters&&op.parameters.length?'<h3>Parameters</h3><pre>'+esc(op.parameters.map(p=>p.in+' '+p.name+(p.required?' (required)':'')).join('\\n'))+'</pre>':'')
      +(bodySchema?'<h3>Body</h3><pre>'+esc(JSON.stringify(ref(bodySchema),null,2))+'</pre>':'')
      +'<h3>Responses</h3><pre>'+esc(Object.entries(op.responses).map(([c,r])=>c+' '+r.description).join('\\n'))+'</pre></details>');
  }
  document.getElementById('ops').innerHTML=out.join('');
});
`;

export const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Citizen Vault API</title>
<style>${STYLE}</style></head><body><header><h1>Citizen Vault API</h1><div id="v"></div></header>
<main id="ops" aria-live="polite">Loading /openapi.json…</main>
<script>${SCRIPT}</script></body></html>`;

const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;

export const DOCS_CSP = `default-src 'none'; connect-src 'self'; script-src ${hash(SCRIPT)}; style-src ${hash(STYLE)}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
