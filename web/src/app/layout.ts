/**
 * The playground's page: a header with the title and the section tabs (Train,
 * Draw, Inside, Convolution), and one panel per tab. Every tab's content is
 * mounted once, up front (the Train worker starts loading at once, so the data
 * is ready by the time the user presses Start). The selected tab follows the
 * URL hash (`#draw`), so a link can open a section. Nothing runs at import.
 */
import { mountConvExplorer } from '../conv-explorer/view.js';
import { WorkerClient } from './client.js';
import { mountDrawPanel } from './draw-panel.js';
import { mountInsidePanel } from './inside-panel.js';
import { mountModelFiles } from './model-files.js';
import { createTabs, type TabSpec } from './tabs.js';
import { mountTrainPanel } from './train-panel.js';

export const TABS: readonly TabSpec[] = [
  { id: 'train', label: 'Train' },
  { id: 'draw', label: 'Draw' },
  { id: 'inside', label: 'Inside' },
  { id: 'convolution', label: 'Convolution' },
];

export interface AppOptions {
  /** Start training as soon as the worker is ready (`?autostart=1`). */
  autostart?: boolean;
  /** The MNIST bundle's URL; default `data/mnist-web.bin.gz` beside the page. */
  dataUrl?: string;
}

/**
 * Builds the whole page in `root` (normally `#app`).
 * @example mountApp(document.getElementById('app')!, { autostart: new URLSearchParams(location.search).has('autostart') });
 */
export function mountApp(root: HTMLElement, opts: AppOptions = {}): void {
  const doc = root.ownerDocument;
  const win = doc.defaultView!;
  const header = doc.createElement('header');
  header.className = 'app-header';
  const title = doc.createElement('h1');
  title.innerHTML = 'tensorgrad <span>playground</span>';
  const main = doc.createElement('main');
  main.className = 'app-main';
  const fromHash = (): string => win.location.hash.slice(1);
  const tabs = createTabs(doc, TABS, 'Playground sections', fromHash(), (id) => {
    if (fromHash() !== id) win.history.replaceState(null, '', `#${id}`);
  });
  header.append(title, tabs.list);
  main.append(...tabs.panels.values());
  root.append(header, main);
  win.addEventListener('hashchange', () => tabs.select(fromHash()));

  // One worker for the page: it holds the data and the model that every panel looks at.
  const client = new WorkerClient(new Worker(new URL('../worker/train-worker.ts', import.meta.url), { type: 'module', name: 'tensorgrad-train' }));
  const train = mountTrainPanel(tabs.panels.get('train')!, client, { autostart: opts.autostart });
  mountModelFiles(train.extras, client);
  mountDrawPanel(tabs.panels.get('draw')!, client);
  mountInsidePanel(tabs.panels.get('inside')!, client);
  mountConvExplorer(tabs.panels.get('convolution')!);
  client.send({ type: 'init', dataUrl: new URL(opts.dataUrl ?? 'data/mnist-web.bin.gz', doc.baseURI).href });
}
