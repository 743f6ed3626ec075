/**
 * The playground's entry (web/index.html loads it): builds the page in #app.
 * `?autostart=1` starts training with the default settings once the data is
 * loaded, for headless checks that only load a URL.
 */
import { mountApp } from './app/layout.js';

const root = document.getElementById('app');
if (!root) throw new Error('playground: index.html has no #app element');
mountApp(root, { autostart: new URLSearchParams(location.search).get('autostart') === '1' });
