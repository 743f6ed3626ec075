/**
 * Saving and loading the model's weights as safetensors files, for the Train
 * tab: "Download weights" asks the worker for the current weights and hands
 * them to the browser as a download; "Load weights…" opens a file picker and
 * sends the file's bytes to the worker, which builds the matching network.
 * DOM module: nothing runs at import.
 */
import type { LoadRequest, SaveRequest } from '../worker/protocol.js';
import type { WorkerClient } from './client.js';
import { formatBytes } from './inside-format.js';
import { errorText, withTimeout } from './inside-images.js';

export interface ModelFiles {
  destroy(): void;
}

/**
 * Starts a browser download of `bytes` named `fileName` (an object URL and an `<a download>` click).
 * @example downloadBytes(document, reply.bytes, reply.fileName);
 */
export function downloadBytes(doc: Document, bytes: Uint8Array, fileName: string): void {
  // A copy: Blob wants an ArrayBuffer-backed view, and the reply's bytes may sit in a shared or larger buffer.
  const blob = new Blob([new Uint8Array(bytes)], { type: 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const a = doc.createElement('a');
  a.href = url;
  a.download = fileName;
  a.hidden = true;
  doc.body.append(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download in some browsers; a minute later it has long been read.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Builds the save/load controls in `root` (the Train panel's `extras` element).
 * @example mountModelFiles(trainPanel.extras, client);
 */
export function mountModelFiles(root: HTMLElement, client: WorkerClient): ModelFiles {
  const doc = root.ownerDocument;
  const box = doc.createElement('section');
  box.className = 'model-files';
  box.setAttribute('aria-labelledby', 'model-files-title');
  box.innerHTML = `
    <h3 id="model-files-title">Weights</h3>
    <div class="model-files-buttons">
      <button type="button" name="save-weights">Download weights (.safetensors)</button>
      <button type="button" name="load-weights">Load weights…</button>
      <input type="file" name="weights-file" accept=".safetensors" class="visually-hidden" tabindex="-1" aria-hidden="true">
    </div>
    <div class="model-files-status"><p role="status"></p><p role="alert" class="model-files-error"></p></div>
    <p class="model-files-note">Files from <code>tensorgrad train --model lenet5</code> (model.safetensors in the run folder) load too.</p>`;
  root.append(box);
  const saveButton = box.querySelector<HTMLButtonElement>('button[name="save-weights"]')!;
  const loadButton = box.querySelector<HTMLButtonElement>('button[name="load-weights"]')!;
  const input = box.querySelector<HTMLInputElement>('input[name="weights-file"]')!;
  const status = box.querySelector<HTMLElement>('.model-files-status [role="status"]')!;
  const alert = box.querySelector<HTMLElement>('.model-files-status [role="alert"]')!;

  const say = (message: string, isError = false): void => {
    status.textContent = isError ? '' : message;
    alert.textContent = isError ? message : '';
  };
  const setBusy = (busy: boolean): void => {
    saveButton.disabled = busy;
    loadButton.disabled = busy;
    box.setAttribute('aria-busy', String(busy));
  };

  async function save(): Promise<void> {
    setBusy(true);
    say('Preparing the weights…');
    try {
      const r = await withTimeout(client.request<SaveRequest>({ type: 'save' }), 30_000, 'saving the weights');
      downloadBytes(doc, r.bytes, r.fileName);
      say(`Saved ${r.fileName} (${formatBytes(r.bytes.byteLength)}).`);
    } catch (e) {
      say(`Could not save the weights: ${errorText(e)}`, true);
    } finally {
      setBusy(false);
    }
  }

  async function load(file: File): Promise<void> {
    setBusy(true);
    say(`Loading ${file.name}…`);
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      // Transferred, not copied: a file can be megabytes and the page does not need it afterwards.
      const r = await withTimeout(client.request<LoadRequest>({ type: 'load', bytes, name: file.name }, [bytes.buffer]), 60_000, `loading ${file.name}`);
      say(r.message);
    } catch (e) {
      say(`Could not load ${file.name}: ${errorText(e)}`, true);
    } finally {
      setBusy(false);
      input.value = ''; // so choosing the same file again fires 'change'
    }
  }

  const onSave = (): void => void save();
  const onPick = (): void => input.click();
  const onChange = (): void => {
    const file = input.files?.[0];
    if (file) void load(file);
  };
  saveButton.addEventListener('click', onSave);
  loadButton.addEventListener('click', onPick);
  input.addEventListener('change', onChange);

  return {
    destroy(): void {
      saveButton.removeEventListener('click', onSave);
      loadButton.removeEventListener('click', onPick);
      input.removeEventListener('change', onChange);
      box.remove();
    },
  };
}
