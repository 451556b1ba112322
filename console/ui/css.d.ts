/** Stylesheets the UI imports: esbuild bundles them into app.css. */
declare module '*.css';
