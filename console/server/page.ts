/** The console's one HTML page: it loads the bundled UI and carries this process's token. */
import { TOKEN_META } from '../api-types.ts';

/** `&`, `<`, `>`, `"` and `'` escaped for an HTML attribute. */
function escapeAttribute(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderPage(token: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="${TOKEN_META}" content="${escapeAttribute(token)}">
<title>artifact-relay console</title>
<link rel="stylesheet" href="/app.css">
</head>
<body>
<div id="app"></div>
<noscript>The relay console needs JavaScript.</noscript>
<script type="module" src="/app.js"></script>
</body>
</html>
`;
}
