// The banner's styles, inside its shadow root: the site's CSS cannot reach in, and ours cannot leak out.
export const CSS = `
:host{all:initial}
*{box-sizing:border-box}
[hidden]{display:none!important}
.bg{position:fixed;inset:0;z-index:2147483646;background:rgba(15,23,42,.28)}
.box{--fg:#111827;--mut:#4b5563;--bg:#fff;--bd:#e5e7eb;--ac:#1f2937;--acf:#fff;--bd2:#b8bec8;--on:#2563eb;--ring:#2563eb;
position:fixed;z-index:2147483647;left:50%;bottom:20px;transform:translateX(-50%);width:min(760px,calc(100% - 32px));max-height:calc(100% - 40px);overflow:auto;
background:var(--bg);color:var(--fg);border:1px solid var(--bd);border-radius:16px;box-shadow:0 18px 50px rgba(0,0,0,.22);padding:22px 24px;
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;text-align:left}
.box:focus{outline:none}
h2{margin:0 0 6px;font-size:18px;line-height:1.3;font-weight:650}
p{margin:0;color:var(--mut)}
a{color:inherit;text-decoration:underline;text-underline-offset:2px}
.acts{display:flex;flex-wrap:wrap;gap:10px;margin-top:18px;align-items:center}
button{font:inherit;font-weight:600;cursor:pointer;border-radius:10px;padding:10px 18px;min-height:44px;border:1px solid var(--ac)}
.main{background:var(--ac);color:var(--acf);flex:1 1 160px}
.sub{background:transparent;color:var(--fg);border-color:var(--bd2)}
button:hover{filter:brightness(1.12)}
a:focus-visible,button:focus-visible,input:focus-visible,.set:focus-visible{outline:3px solid var(--ring);outline-offset:2px}
.cats{margin-top:16px;border-top:1px solid var(--bd)}
.data{padding:4px 0 12px;border-bottom:1px solid var(--bd)}
.conf p{margin-top:14px;color:var(--fg)}
.st:empty{display:none}
.st{margin-top:10px}
.cat{display:grid;grid-template-columns:1fr auto;gap:2px 16px;align-items:center;padding:12px 0;border-bottom:1px solid var(--bd)}
.cat label{font-weight:600;cursor:pointer}
.cat p{grid-column:1;font-size:14px}
.cat input,.cat span{grid-row:1/3;grid-column:2}
.cat span{font-size:13px;color:var(--mut)}
input{appearance:none;-webkit-appearance:none;margin:0;width:44px;height:26px;border-radius:13px;background:#9ca3af;position:relative;cursor:pointer;transition:background .15s}
input::after{content:"";position:absolute;top:3px;left:3px;width:20px;height:20px;border-radius:50%;background:#fff;transition:transform .15s}
input:checked{background:var(--on)}
input:checked::after{transform:translateX(18px)}
input:disabled{opacity:.55;cursor:default}
.set{position:fixed;z-index:2147483645;left:12px;bottom:12px;min-height:0;padding:6px 12px;font:600 12px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:#374151;background:rgba(255,255,255,.92);border:1px solid #d1d5db;border-radius:999px;box-shadow:0 2px 8px rgba(0,0,0,.12)}
@media (prefers-color-scheme:dark){
.box{--fg:#f3f4f6;--mut:#c0c6d0;--bg:#1f2430;--bd:#3a4150;--ac:#e5e7eb;--acf:#111827;--bd2:#5b6475;--on:#60a5fa;--ring:#93c5fd}
.set{color:#e5e7eb;background:rgba(31,36,48,.92);border-color:#3a4150}
.bg{background:rgba(0,0,0,.45)}}
@media (max-width:600px){
.box{left:0;bottom:0;transform:none;width:100%;border-radius:16px 16px 0 0;border-width:1px 0 0;padding:18px 16px}
.acts{flex-direction:column;align-items:stretch}
.main,.sub{flex:none;width:100%}}
@media (prefers-reduced-motion:reduce){input,input::after{transition:none}}
`;
